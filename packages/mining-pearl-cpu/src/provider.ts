/**
 * The "cpu-pearl" provider. `start` validates, launches the detached supervisor and waits until
 * its workers have a job; every other operation works from any process through the sidecar.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  defineProvider,
  ErrorCodes,
  ensurePrivateDir,
  followFile,
  type HardwareInfo,
  isProcessAlive,
  type LogOptions,
  type MiningCapabilities,
  type MiningConfig,
  MiningError,
  type MiningStats,
  miningPaths,
  type ProcessIdentity,
  type ProviderContext,
  readSidecar,
  removeSidecar,
  type SidecarRecord,
  sidecarProcessIdentity,
  spawnDetached,
  stopProcess,
  tailLines,
  withLock,
} from "@openjarvis/mining-core";
import { decodeMiningAddress, PearldClient } from "@openjarvis/pearl";
import { readCalibration } from "./calibration.js";
import {
  CHILD_ENV,
  CPU_PEARL_EXTRA_DEFAULTS,
  PROVIDER_ID,
  resolveSettings,
  type SupervisorSettings,
} from "./config.js";
import { fetchStatus, type SupervisorStatus } from "./status.js";

const SUPPORTED_PLATFORMS = new Set(["linux", "darwin", "win32"]);

/**
 * The smallest module that uses SIMD128: one function returning `v128.const 0`. Validating it
 * compiles nothing and touches nothing, so `detect` stays pure.
 */
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b,
  0x03,
  0x02,
  0x01,
  0x00,
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c,
  ...new Array<number>(16).fill(0),
  0x0b,
]);

export function hasWasmSimd(): boolean {
  try {
    const wasm = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } })
      .WebAssembly;
    return wasm?.validate(SIMD_PROBE) === true;
  } catch {
    return false;
  }
}

/** Variables the supervisor may see. The password variable is added only when it is needed. */
const SUPERVISOR_ENV = [...CHILD_ENV, "OPENJARVIS_HOME", "XDG_DATA_HOME"];

function supervisorScript(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), "supervisor.js");
}

function logFileOf(ctx: ProviderContext): string {
  return path.join(ctx.paths.miningLogsDir, "cpu-pearl.log");
}

function crashFileOf(ctx: ProviderContext): string {
  return path.join(ctx.paths.miningLogsDir, "cpu-pearl-supervisor.out");
}

function gatewayIdentityOf(record: SidecarRecord | null): ProcessIdentity | null {
  if (!record || typeof record.gateway_pid !== "number") return null;
  const startTime = record.gateway_process_start_time;
  return typeof startTime === "string" ? { pid: record.gateway_pid, startTime } : null;
}

function statusUrlOf(record: SidecarRecord): string | null {
  if (typeof record.metrics_url !== "string") return null;
  return record.metrics_url.replace(/\/metrics$/, "");
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function checkLogDirWritable(ctx: ProviderContext): void {
  const dir = ctx.paths.miningLogsDir;
  try {
    ensurePrivateDir(dir);
    fs.accessSync(dir, fs.constants.W_OK);
    fs.closeSync(fs.openSync(logFileOf(ctx), "a", 0o600));
  } catch (error) {
    throw new MiningError(ErrorCodes.IO, `the mining log directory ${dir} is not writable`, {
      hint: `Fix its permissions (chmod u+rwx "${dir}") or point OPENJARVIS_HOME elsewhere.`,
      details: { path: dir, errno: (error as NodeJS.ErrnoException).code },
      cause: error,
    });
  }
}

/**
 * The most useful line the supervisor left behind in this session: its fatal error, else its last
 * error. The crash file (the supervisor's raw stderr) is emptied before every launch.
 */
async function failureReasonFromLogs(
  ctx: ProviderContext,
  startedAtMs: number,
): Promise<string | null> {
  const strip = (line: string) => line.replace(/^\S+ (info|warn|error) /, "");
  const logged = (await tailLines(logFileOf(ctx), 200)).filter(
    (line) => Date.parse(line.slice(0, 24)) >= startedAtMs - 1_000,
  );
  const crashed = await tailLines(crashFileOf(ctx), 50);
  const fatal = [...logged.map(strip), ...crashed].filter((line) => line.startsWith("fatal: "));
  if (fatal.length > 0) return (fatal[fatal.length - 1] as string).slice("fatal: ".length);
  const errors = logged.filter((line) => / error /.test(line.slice(0, 40))).map(strip);
  return errors[errors.length - 1] ?? crashed[crashed.length - 1] ?? null;
}

async function terminate(identity: ProcessIdentity, record: SidecarRecord | null): Promise<void> {
  if (isProcessAlive(identity)) {
    // SIGTERM to the supervisor alone: it stops the gateway with SIGINT (its graceful path).
    await stopProcess(identity, { group: false, signal: "SIGTERM", graceMs: 15_000 });
    sweepGroup(identity);
  }
  const gateway = gatewayIdentityOf(record);
  if (gateway && isProcessAlive(gateway)) {
    await stopProcess(gateway, { group: false, signal: "SIGINT", graceMs: 5_000 });
  }
}

/**
 * Right after our supervisor (a group leader) has exited, anything left in its group is ours;
 * the kernel keeps the group id reserved while members remain, so `-pid` cannot name a stranger.
 */
function sweepGroup(identity: ProcessIdentity): void {
  if (process.platform === "win32") return;
  try {
    process.kill(-identity.pid, "SIGKILL");
  } catch {
    // No member left.
  }
}

function removeIfOurs(ctx: ProviderContext, pid: number): void {
  const current = readSidecar(ctx.paths.sidecarPath);
  if (current === null || current.pid === pid) removeSidecar(ctx.paths.sidecarPath);
}

function startFailed(reason: string, logFile: string): MiningError {
  let hint = `See ${logFile} for details.`;
  if (/HTTP 401/.test(reason)) {
    hint =
      "Check [mining.extra].pearld_rpc_user and the password variable named by pearld_rpc_password_env.";
  } else if (/-10/.test(reason)) {
    hint = "Wait until pearld has synced, then start again.";
  } else if (/unreachable|ECONNREFUSED|ENOENT/.test(reason)) {
    hint = `Check that the gateway / pearld is running and the address is right. ${hint}`;
  }
  return new MiningError(ErrorCodes.START_FAILED, `cpu-pearl did not start: ${reason}`, {
    hint,
    details: { logFile },
  });
}

async function waitForMining(
  identity: ProcessIdentity,
  settings: SupervisorSettings,
  ctx: ProviderContext,
  startedAtMs: number,
): Promise<SidecarRecord> {
  const deadline = Date.now() + settings.startTimeoutMs;
  let last: SupervisorStatus | null = null;
  let announced = "";
  const progress = (stage: string, message: string) => {
    if (announced === stage) return;
    announced = stage;
    ctx.onProgress?.({ stage, message });
  };
  progress("launch", `supervisor ${identity.pid} launched`);
  while (Date.now() < deadline) {
    if (ctx.signal?.aborted) {
      throw new MiningError(ErrorCodes.ABORTED, "start was cancelled", {
        hint: "Nothing was left running.",
      });
    }
    if (!isProcessAlive(identity)) {
      throw startFailed(
        (await failureReasonFromLogs(ctx, startedAtMs)) ?? "the supervisor exited during start",
        logFileOf(ctx),
      );
    }
    const record = readSidecar(ctx.paths.sidecarPath);
    const url = record?.pid === identity.pid ? statusUrlOf(record) : null;
    if (record && url) {
      progress("gateway", "waiting for the gateway's first job");
      const status = await fetchStatus(url, 1_000);
      if (status) last = status;
      if (status?.state === "mining") {
        progress("ready", "mining");
        return record;
      }
      // Wrong credentials do not fix themselves: say so now rather than at the deadline.
      if (status?.lastError && /HTTP 401/.test(status.lastError)) {
        throw startFailed(status.lastError, logFileOf(ctx));
      }
    }
    await sleep(100);
  }
  const reason =
    last?.lastError ??
    (await failureReasonFromLogs(ctx, startedAtMs)) ??
    `no job from the gateway within ${settings.startTimeoutMs / 1000} s`;
  throw startFailed(`no job within ${settings.startTimeoutMs / 1000} s: ${reason}`, logFileOf(ctx));
}

/**
 * pearl-gateway pays any Taproot address without checking its network; we refuse an address
 * for another network when pearld tells us which chain it runs. If pearld does not answer, the
 * gateway's own log explains why later.
 */
async function checkWalletNetwork(settings: SupervisorSettings, ctx: ProviderContext) {
  const gateway = settings.gateway;
  const wallet = settings.walletAddress;
  if (gateway.kind !== "spawn" || wallet === null) return;
  let chain: string;
  try {
    const client = new PearldClient({
      url: gateway.pearldRpcUrl,
      user: gateway.pearldRpcUser,
      password: ctx.env[gateway.passwordEnv] ?? "",
      timeoutMs: 3_000,
    });
    chain = (await client.getBlockchainInfo()).chain;
  } catch {
    return;
  }
  try {
    decodeMiningAddress(wallet, chain);
  } catch (error) {
    if ((error as { code?: unknown }).code !== ErrorCodes.WALLET_INVALID) return;
    throw new MiningError(
      ErrorCodes.WALLET_INVALID,
      `[mining].wallet_address ${wallet} is not an address of the "${chain}" chain that pearld at ${gateway.pearldRpcUrl} runs`,
      {
        hint: "Use an address made for that network (prl1p… mainnet, tprl1p… testnet, rprl1p… regtest/simnet).",
        details: { key: "mining.wallet_address", value: wallet, chain },
        cause: error,
      },
    );
  }
}

/**
 * Starts the supervisor in its own process group, detached, its stderr in the crash file. The
 * pearld password goes through its stdin (then closed), so only the gateway it spawns ever holds
 * it in an environment; argv carries nothing but the settings file's path.
 */
function launchSupervisor(
  settingsFile: string,
  env: Record<string, string>,
  password: string,
  crashFile: string,
): ProcessIdentity {
  return spawnDetached({
    command: process.execPath,
    args: [supervisorScript(), settingsFile],
    env,
    logFile: crashFile,
    truncateLog: true,
    stdin: password,
  });
}

async function start(config: MiningConfig, ctx: ProviderContext): Promise<SidecarRecord> {
  const settings = resolveSettings(config, { env: ctx.env, paths: ctx.paths });
  return withLock(ctx.paths.lockPath, async () => {
    const existing = readSidecar(ctx.paths.sidecarPath);
    if (existing) {
      const owner = sidecarProcessIdentity(existing);
      if (existing.provider !== PROVIDER_ID || !owner || isProcessAlive(owner)) {
        throw new MiningError(
          ErrorCodes.ALREADY_RUNNING,
          `a miner is already running (provider ${existing.provider}${owner ? `, pid ${owner.pid}` : ""})`,
          {
            hint: "Run `jarvis mine stop` first, or `jarvis mine status` to see it.",
            details: { provider: existing.provider, pid: owner?.pid ?? null },
          },
        );
      }
      // A stale record: its supervisor is gone (or its PID now belongs to someone else).
      const gateway = gatewayIdentityOf(existing);
      if (gateway && isProcessAlive(gateway)) {
        await stopProcess(gateway, { group: false, signal: "SIGINT", graceMs: 5_000 });
      }
      removeSidecar(ctx.paths.sidecarPath);
    }
    if (settings.gateway.kind === "spawn" && !(await portIsFree(settings.gateway.port))) {
      throw new MiningError(
        ErrorCodes.CONFIG_INVALID,
        `[mining.extra].gateway_port ${settings.gateway.port} is already in use on 127.0.0.1`,
        {
          hint: "Stop what listens there, choose another gateway_port, or use gateway_url to mine through that gateway.",
          details: { key: "mining.extra.gateway_port", value: settings.gateway.port },
        },
      );
    }
    if (settings.statusPort !== 0 && !(await portIsFree(settings.statusPort))) {
      throw new MiningError(
        ErrorCodes.CONFIG_INVALID,
        `[mining.extra].status_port ${settings.statusPort} is already in use on 127.0.0.1`,
        {
          hint: "Choose another status_port, or 0 for any free port.",
          details: { key: "mining.extra.status_port", value: settings.statusPort },
        },
      );
    }
    await checkWalletNetwork(settings, ctx);
    checkLogDirWritable(ctx);
    ensurePrivateDir(ctx.paths.runtimeDir);
    const settingsFile = path.join(
      ctx.paths.runtimeDir,
      `cpu-pearl-${randomBytes(6).toString("hex")}.json`,
    );
    fs.writeFileSync(settingsFile, JSON.stringify(settings), { mode: 0o600, flag: "wx" });
    const env: Record<string, string> = {};
    for (const name of SUPERVISOR_ENV) {
      const value = ctx.env[name];
      if (value !== undefined) env[name] = value;
    }
    env.OPENJARVIS_HOME = ctx.paths.home;
    const password =
      settings.gateway.kind === "spawn" ? (ctx.env[settings.gateway.passwordEnv] ?? "") : "";
    const startedAtMs = Date.now();
    let identity: ProcessIdentity;
    try {
      identity = launchSupervisor(settingsFile, env, password, crashFileOf(ctx));
    } catch (error) {
      fs.rmSync(settingsFile, { force: true });
      throw error;
    }
    try {
      return await waitForMining(identity, settings, ctx, startedAtMs);
    } catch (error) {
      await terminate(identity, readSidecar(ctx.paths.sidecarPath));
      removeIfOurs(ctx, identity.pid);
      fs.rmSync(settingsFile, { force: true });
      throw error;
    }
  });
}

async function stop(ctx: ProviderContext): Promise<void> {
  await withLock(
    ctx.paths.lockPath,
    async () => {
      const record = readSidecar(ctx.paths.sidecarPath);
      if (!record || record.provider !== PROVIDER_ID) return;
      const identity = sidecarProcessIdentity(record);
      if (identity) await terminate(identity, record);
      else {
        const gateway = gatewayIdentityOf(record);
        if (gateway) await stopProcess(gateway, { group: false, signal: "SIGINT", graceMs: 5_000 });
      }
      const current = readSidecar(ctx.paths.sidecarPath);
      if (current && current.pid === record.pid) removeSidecar(ctx.paths.sidecarPath);
    },
    { timeoutMs: 10_000 },
  );
}

async function isRunning(ctx: ProviderContext): Promise<boolean> {
  const record = readSidecar(ctx.paths.sidecarPath);
  const identity = record?.provider === PROVIDER_ID ? sidecarProcessIdentity(record) : null;
  return identity !== null && isProcessAlive(identity);
}

function emptyStats(
  running: boolean,
  lastError: string | null,
  payoutTarget = "solo",
): MiningStats {
  return {
    providerId: PROVIDER_ID,
    running,
    hashrate: null,
    attempts: null,
    proofsSubmitted: null,
    proofsRejected: null,
    blocksFound: null,
    lastProofAt: null,
    uptimeSeconds: null,
    lastError,
    payoutTarget,
  };
}

async function stats(ctx: ProviderContext): Promise<MiningStats> {
  const record = readSidecar(ctx.paths.sidecarPath);
  if (!record || record.provider !== PROVIDER_ID) return emptyStats(false, null);
  const payout = typeof record.payout_target === "string" ? record.payout_target : "solo";
  const identity = sidecarProcessIdentity(record);
  if (!identity || !isProcessAlive(identity)) {
    return emptyStats(
      false,
      `the cpu-pearl supervisor (pid ${record.pid ?? "unknown"}) is not running any more; run \`jarvis mine stop\` to clean up`,
      payout,
    );
  }
  const url = statusUrlOf(record);
  const status = url ? await fetchStatus(url) : null;
  if (!status) {
    return emptyStats(true, `the supervisor's status endpoint (${url}) did not answer`, payout);
  }
  const windows = status.hashrate;
  return {
    providerId: PROVIDER_ID,
    running: true,
    hashrate: windows["10s"] ?? windows["60s"] ?? windows["15m"],
    ...(windows["10s"] !== null && windows["60s"] !== null && windows["15m"] !== null
      ? { hashrateWindows: { "10s": windows["10s"], "60s": windows["60s"], "15m": windows["15m"] } }
      : {}),
    attempts: status.attempts,
    proofsSubmitted: status.proofsSubmitted,
    proofsRejected: status.proofsRejected,
    blocksFound: status.devnetBlocksFound,
    lastProofAt: status.lastProofAt,
    uptimeSeconds: status.uptimeSeconds,
    lastError: status.lastError,
    payoutTarget: status.payoutTarget,
    details: {
      state: status.state,
      jobHeight: status.job?.height ?? null,
      target: status.job?.target ?? null,
      certVersion: status.job?.certVersion ?? null,
      expectedSecondsPerBlock: status.expectedSecondsPerBlock,
      proofsFound: status.proofsFound,
      devnetProofs: status.devnetProofs,
      restarts: status.restarts,
      threads: status.threads,
      gateway: status.gateway,
      statusUrl: `${url}/status`,
      metricsUrl: record.metrics_url,
    },
  };
}

async function* logs(ctx: ProviderContext, options: LogOptions): AsyncIterable<string> {
  const file = logFileOf(ctx);
  for (const line of await tailLines(file, options.tail ?? 200)) yield line;
  if (options.follow) {
    const signal = options.signal ?? ctx.signal;
    yield* followFile(file, signal ? { signal } : {});
  }
}

function detect(hardware: HardwareInfo, _engineId: string, _model: string): MiningCapabilities {
  if (!SUPPORTED_PLATFORMS.has(hardware.platform)) {
    return {
      supported: false,
      reason: `cpu-pearl supports Linux, macOS and Windows; this host is '${hardware.platform}'`,
      estimatedHashrate: null,
    };
  }
  if (!hasWasmSimd()) {
    return {
      supported: false,
      reason: `this Node.js (${process.version}) has no WebAssembly SIMD (128-bit), which the cpu-pearl engine needs; use Node.js 20 or newer on x86-64 or arm64`,
      estimatedHashrate: null,
    };
  }
  return { supported: true, estimatedHashrate: readCalibration(miningPaths().cacheDir) };
}

export const cpuPearlProvider = defineProvider({
  id: PROVIDER_ID,
  displayName: "Pearl on the CPU (WebAssembly)",
  detect,
  start,
  stop,
  isRunning,
  stats,
  logs,
  extraKeys: [...Object.keys(CPU_PEARL_EXTRA_DEFAULTS), "rows_pattern", "cols_pattern"],
});
