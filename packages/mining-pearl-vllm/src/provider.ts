import { mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  defineProvider,
  ErrorCodes,
  type HardwareInfo,
  isMiningError,
  isProcessAlive,
  type LogOptions,
  type MiningConfig,
  MiningError,
  type MiningProvider,
  type MiningStats,
  type ProviderContext,
  readSecret,
  readSidecar,
  redactSecrets,
  removeSidecar,
  type SidecarRecord,
  sidecarProcessIdentity,
  stripAnsi,
  withLock,
  writeSidecar,
} from "@openjarvis/mining-core";
import { decodeMiningAddress } from "@openjarvis/pearl";
import { CONTAINER_NAME, LABEL_MANAGED, PROVIDER_ID, STOP_TIMEOUT_SECONDS } from "./constants.js";
import { defaultEngine, hfCacheDir, secretValues } from "./context.js";
import { detectForConfig, detectVllmPearl } from "./detect.js";
import type { ContainerEngine, ContainerInfo } from "./engine/types.js";
import {
  countGatewayLine,
  emptyOutcomes,
  type GatewayOutcomes,
  gatewayFailureIn,
} from "./gateway-log.js";
import { ensureImage, type PearlSource } from "./image.js";
import { waitForReady } from "./readiness.js";
import { buildRunArgs } from "./run-args.js";
import { networkOfRpcUrl, resolveSettings, type VllmSettings } from "./settings.js";
import { serverRoot, type VllmMetrics, vllmMetricsFrom } from "./vllm-metrics.js";

export interface VllmPearlProviderOptions {
  /** The engine for a context; by default the docker CLI with the context's environment. */
  engine?: (ctx: ProviderContext) => ContainerEngine;
  containerName?: string;
  /** Extra labels on the container (tests tag their runs). */
  labels?: Record<string, string>;
  /** Request GPUs with `--gpus`. Only an engine without GPUs (tests on Podman) sets false. */
  requestGpus?: boolean;
  /** How long to wait for vLLM's `/health` (default 60 minutes: a first start downloads the model). */
  readyTimeoutMs?: number;
  readyPollMs?: number;
  stopTimeoutSeconds?: number;
  imageSource?: PearlSource;
  buildFlags?: string[];
  fetch?: typeof fetch;
}

function unsupportedTarget(config: MiningConfig): MiningError | null {
  const target = config.submitTarget;
  if (target?.kind === "pool") {
    return new MiningError(
      ErrorCodes.PROVIDER_UNSUPPORTED,
      "vllm-pearl mines solo only; pool targets are not supported",
      {
        hint: 'set submit_target = "solo" under [mining]',
        details: { key: "mining.submit_target" },
      },
    );
  }
  if (target?.kind === "devnet") {
    return new MiningError(
      ErrorCodes.PROVIDER_UNSUPPORTED,
      "the vLLM miner container talks to a real pearld; it cannot use the in-process devnet",
      {
        hint: 'use provider = "cpu-pearl" for devnet mining, or point [mining.extra].pearld_rpc_url at a regtest pearld',
        details: { key: "mining.submit_target" },
      },
    );
  }
  return null;
}

function validateLocalModel(settings: VllmSettings): void {
  if (!settings.localModelPath) return;
  const path = resolve(settings.localModelPath);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new MiningError(
      ErrorCodes.CONFIG_INVALID,
      `local Pearl model path does not exist: ${path}`,
      {
        hint: "fix [mining.extra].local_model_path or remove it to download the model from Hugging Face",
        details: { key: "mining.extra.local_model_path", value: path },
      },
    );
  }
  if (!isDir) {
    throw new MiningError(
      ErrorCodes.CONFIG_INVALID,
      `local Pearl model path must be a directory: ${path}`,
      {
        hint: "point [mining.extra].local_model_path at the model directory (the one with config.json)",
        details: { key: "mining.extra.local_model_path", value: path },
      },
    );
  }
}

function isOurs(info: ContainerInfo): boolean {
  return info.labels[LABEL_MANAGED] === "true";
}

function alreadyRunning(what: string): MiningError {
  return new MiningError(ErrorCodes.ALREADY_RUNNING, `a miner is already running (${what})`, {
    hint: "see it with `jarvis mine status`; stop it with `jarvis mine stop` before starting again",
  });
}

function uptimeSeconds(info: ContainerInfo | null): number | null {
  if (!info?.state.running) return null;
  const started = Date.parse(info.state.startedAt);
  return Number.isNaN(started) ? null : Math.max(0, Math.round((Date.now() - started) / 1000));
}

/** Builds the provider; the default export uses the real docker CLI and OpenJarvis' names. */
export function createVllmPearlProvider(options: VllmPearlProviderOptions = {}): MiningProvider {
  const engineFor = options.engine ?? defaultEngine;
  const containerName = options.containerName ?? CONTAINER_NAME;
  const fetchImpl = options.fetch ?? fetch;

  /** The container a sidecar (or, without one, our name) points at. */
  async function findContainer(engine: ContainerEngine, sidecar: SidecarRecord | null) {
    const id = sidecar?.provider === PROVIDER_ID ? sidecar.container_id : undefined;
    if (id && id !== "external") {
      const byId = await engine.inspect(id);
      if (byId) return byId;
    }
    return engine.inspect(containerName);
  }

  /** Refuses a second miner; clears leftovers that are provably dead. */
  async function refuseIfRunning(engine: ContainerEngine, ctx: ProviderContext): Promise<void> {
    const sidecar = readSidecar(ctx.paths.sidecarPath);
    if (sidecar) {
      if (sidecar.provider === PROVIDER_ID && sidecar.container_id !== "external") {
        const info = await findContainer(engine, sidecar);
        if (info?.state.running || info?.state.restarting)
          throw alreadyRunning(`container ${info.name}`);
        removeSidecar(ctx.paths.sidecarPath);
      } else {
        const identity = sidecarProcessIdentity(sidecar);
        if (!identity || isProcessAlive(identity)) {
          throw alreadyRunning(`${sidecar.provider}, sidecar ${ctx.paths.sidecarPath}`);
        }
        removeSidecar(ctx.paths.sidecarPath);
      }
    }
    const existing = await engine.inspect(containerName);
    if (!existing) return;
    if (!isOurs(existing)) {
      throw new MiningError(
        ErrorCodes.CONTAINER_NAME_IN_USE,
        `a container named ${containerName} exists and was not started by OpenJarvis`,
        {
          hint: `remove it with \`docker rm -f ${containerName}\` if it is an old miner, then start again`,
        },
      );
    }
    if (existing.state.running || existing.state.restarting)
      throw alreadyRunning(`container ${existing.name}`);
    await engine.remove(existing.id);
  }

  /** Removes a container that failed to start (kill, no grace: it never served anything). */
  async function cleanup(engine: ContainerEngine, id: string, ctx: ProviderContext): Promise<void> {
    try {
      await engine.remove(id);
    } catch {
      // Best effort: the original error is the one worth reporting.
    }
    const sidecar = readSidecar(ctx.paths.sidecarPath);
    if (sidecar?.container_id === id) removeSidecar(ctx.paths.sidecarPath);
  }

  async function start(config: MiningConfig, ctx: ProviderContext): Promise<SidecarRecord> {
    const targetError = unsupportedTarget(config);
    if (targetError) throw targetError;
    const settings = resolveSettings(config);
    decodeMiningAddress(settings.walletAddress, networkOfRpcUrl(settings.pearldRpcUrl));
    const password = readSecret(ctx.env, settings.passwordEnv);
    if (!password) {
      throw new MiningError(
        ErrorCodes.SECRET_MISSING,
        `the pearld RPC password is not set: environment variable ${settings.passwordEnv} is empty or missing`,
        {
          hint: `export ${settings.passwordEnv}=<pearld rpcpass>, or set [mining.extra].pearld_rpc_password_env to the variable that holds it`,
          details: { key: "mining.extra.pearld_rpc_password_env", value: settings.passwordEnv },
        },
      );
    }
    const hfToken = readSecret(ctx.env, settings.hfTokenEnv);
    validateLocalModel(settings);
    const engine = engineFor(ctx);
    const secrets = [password, hfToken];
    const redact = (line: string) => redactSecrets(line, secrets);

    const launched = await withLock(ctx.paths.lockPath, async () => {
      // Its first engine call also tells a missing daemon (`docker version` is slow on Podman).
      await refuseIfRunning(engine, ctx);
      await ensureImage({
        engine,
        tag: settings.imageTag,
        cacheDir: ctx.paths.cacheDir,
        env: ctx.env,
        ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(options.imageSource ? { source: options.imageSource } : {}),
        ...(options.buildFlags ? { buildFlags: options.buildFlags } : {}),
      });
      const hfDir = hfCacheDir(ctx.env);
      mkdirSync(hfDir, { recursive: true });
      const args = buildRunArgs(settings, {
        image: settings.imageTag,
        hfCacheDir: hfDir,
        secrets: { pearldRpcPassword: password, hfToken },
        containerName,
        ...(options.labels ? { labels: options.labels } : {}),
        gpus: options.requestGpus ?? true,
      });
      ctx.onProgress?.({ stage: "launch", message: `starting container ${containerName}` });
      let id: string;
      try {
        id = await engine.run(args);
      } catch (error) {
        // The engine's message never holds the password (it is not in argv), but be sure.
        const e = error as MiningError;
        throw new MiningError(e.code ?? ErrorCodes.CONTAINER_FAILED, redact(e.message), {
          ...(e.hint ? { hint: e.hint } : {}),
          details: { image: settings.imageTag, container: containerName },
        });
      }
      // Written before the (long) readiness wait, so status/stop see the container at once.
      const record: SidecarRecord = {
        provider: PROVIDER_ID,
        started_at: Math.floor(Date.now() / 1000),
        wallet_address: settings.walletAddress,
        vllm_endpoint: args.vllmEndpoint,
        model: args.model,
        container_id: id,
        container_name: containerName,
        image: settings.imageTag,
        pearld_rpc_password_env: settings.passwordEnv,
        hf_token_env: settings.hfTokenEnv,
      };
      try {
        writeSidecar(ctx.paths.sidecarPath, record);
      } catch (error) {
        await cleanup(engine, id, ctx);
        throw error;
      }
      return { id, record, endpoint: args.vllmEndpoint };
    });

    try {
      await waitForReady({
        engine,
        container: launched.id,
        healthUrl: `${serverRoot(launched.endpoint)}/health`,
        timeoutMs: options.readyTimeoutMs ?? 60 * 60_000,
        redact,
        fetch: fetchImpl,
        ...(options.readyPollMs ? { pollMs: options.readyPollMs } : {}),
        ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    } catch (error) {
      await cleanup(engine, launched.id, ctx);
      throw error;
    }
    ctx.onProgress?.({
      stage: "ready",
      message: `vLLM is serving ${launched.record.model} at ${launched.endpoint}`,
      fraction: 1,
    });
    return readSidecar(ctx.paths.sidecarPath) ?? launched.record;
  }

  async function stop(ctx: ProviderContext): Promise<void> {
    const engine = engineFor(ctx);
    await withLock(
      ctx.paths.lockPath,
      async () => {
        const sidecar = readSidecar(ctx.paths.sidecarPath);
        if (sidecar && sidecar.provider !== PROVIDER_ID) return;
        if (sidecar?.container_id !== "external") {
          const info = await findContainer(engine, sidecar);
          if (info && isOurs(info)) {
            ctx.onProgress?.({ stage: "stop", message: `stopping container ${info.name}` });
            await engine.stop(info.id, options.stopTimeoutSeconds ?? STOP_TIMEOUT_SECONDS);
            await engine.remove(info.id);
          }
        }
        if (sidecar) removeSidecar(ctx.paths.sidecarPath);
      },
      { timeoutMs: 10_000 },
    );
  }

  /** An attached miner we cannot inspect: alive when its vLLM answers. */
  async function externalAlive(sidecar: SidecarRecord): Promise<boolean> {
    if (typeof sidecar.vllm_endpoint !== "string") return false;
    try {
      const response = await fetchImpl(`${serverRoot(sidecar.vllm_endpoint)}/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  async function isRunning(ctx: ProviderContext): Promise<boolean> {
    const sidecar = readSidecar(ctx.paths.sidecarPath);
    if (sidecar?.provider === PROVIDER_ID && sidecar.container_id === "external") {
      return externalAlive(sidecar);
    }
    try {
      const info = await findContainer(engineFor(ctx), sidecar);
      return Boolean(info?.state.running);
    } catch {
      return false;
    }
  }

  async function readMetrics(endpoint: string): Promise<VllmMetrics> {
    const url = `${serverRoot(endpoint)}/metrics`;
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`vLLM metrics HTTP ${response.status} from ${url}`);
    }
    return vllmMetricsFrom(await response.text());
  }

  async function stats(ctx: ProviderContext): Promise<MiningStats> {
    const sidecar = readSidecar(ctx.paths.sidecarPath);
    const engine = engineFor(ctx);
    const errors: string[] = [];
    let info: ContainerInfo | null = null;
    try {
      info = await findContainer(engine, sidecar);
    } catch (error) {
      errors.push((error as Error).message);
    }
    let gateway: GatewayOutcomes | null = null;
    if (info) {
      try {
        const tally = emptyOutcomes();
        const recent: string[] = [];
        for await (const line of engine.logs(info.id, { timestamps: true })) {
          countGatewayLine(tally, line);
          recent.push(line);
          if (recent.length > 60) recent.shift();
        }
        gateway = tally;
        // If the gateway dies after startup vLLM keeps serving and mining silently stops.
        const failure = gatewayFailureIn(recent);
        if (failure) errors.push(`gateway: ${failure}`);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    const endpoint = typeof sidecar?.vllm_endpoint === "string" ? sidecar.vllm_endpoint : null;
    const external = sidecar?.provider === PROVIDER_ID && sidecar.container_id === "external";
    let vllm: VllmMetrics | null = null;
    if (endpoint && (info?.state.running || external)) {
      try {
        vllm = await readMetrics(endpoint);
      } catch (error) {
        errors.push((error as Error).message.split("\n")[0] ?? "vLLM metrics unavailable");
      }
    }
    if (info && !info.state.running)
      errors.unshift(`container ${info.name} is ${info.state.status}`);
    const running = external ? vllm !== null : Boolean(info?.state.running);
    return {
      providerId: PROVIDER_ID,
      running,
      hashrate: null,
      attempts: null,
      proofsSubmitted: gateway?.proofsReceived ?? null,
      proofsRejected: gateway?.blocksRejected ?? null,
      blocksFound: gateway?.blocksAccepted ?? null,
      lastProofAt: gateway?.lastProofAt ?? null,
      uptimeSeconds: uptimeSeconds(info),
      lastError:
        errors.length > 0
          ? redactSecrets(
              errors.join("; "),
              secretValues(ctx.env, {
                passwordEnv: sidecar?.pearld_rpc_password_env,
                hfTokenEnv: sidecar?.hf_token_env,
              }),
            )
          : null,
      payoutTarget: "solo",
      details: {
        container: info
          ? {
              id: info.id,
              name: info.name,
              state: info.state.status,
              restartCount: info.restartCount,
              startedAt: info.state.startedAt,
              exitCode: info.state.exitCode,
            }
          : null,
        vllm,
        gateway,
        model: sidecar?.model ?? null,
        vllmEndpoint: endpoint,
      },
    };
  }

  async function* logs(ctx: ProviderContext, logOptions: LogOptions): AsyncIterable<string> {
    const sidecar = readSidecar(ctx.paths.sidecarPath);
    const engine = engineFor(ctx);
    const info = await findContainer(engine, sidecar);
    if (!info) {
      throw new MiningError(ErrorCodes.NOT_RUNNING, `no mining container (${containerName})`, {
        hint: "start one with `jarvis mine start`",
      });
    }
    const secrets = secretValues(ctx.env, {
      passwordEnv: sidecar?.pearld_rpc_password_env,
      hfTokenEnv: sidecar?.hf_token_env,
    });
    const signal = logOptions.signal ?? ctx.signal;
    for await (const line of engine.logs(info.id, {
      tail: logOptions.tail ?? 200,
      follow: logOptions.follow ?? false,
      ...(signal ? { signal } : {}),
    })) {
      const clean = redactSecrets(line, secrets);
      yield logOptions.stripAnsi ? stripAnsi(clean) : clean;
    }
  }

  return defineProvider({
    id: PROVIDER_ID,
    displayName: "Pearl vLLM miner (NVIDIA Hopper, container)",
    extraKeys: ["vllm_host"],
    detect: (hardware: HardwareInfo, engineId: string, model: string, config?: MiningConfig) => {
      if (!config) return detectVllmPearl(hardware, engineId, model);
      try {
        return detectForConfig(hardware, config);
      } catch (error) {
        return { supported: false, reason: isMiningError(error) ? error.message : String(error) };
      }
    },
    start,
    stop,
    isRunning,
    stats,
    logs,
  });
}

/** The `vllm-pearl` provider with the real docker CLI. */
export const vllmPearlProvider: MiningProvider = createVllmPearlProvider();
