/**
 * The detached supervisor (`dist/supervisor.js <settings-file>`). It owns the gateway (spawned,
 * external or the in-process devnet), the worker pool, job polling, proof submission and
 * restarts; serves /status and /metrics on loopback; and keeps the sidecar true: it writes it
 * once its endpoint is up and removes it when it exits.
 */
import { readFileSync, rmSync } from "node:fs";
import {
  currentProcessIdentity,
  HashrateMeter,
  readSidecar,
  removeSidecar,
  type SidecarRecord,
  writeSidecar,
} from "@openjarvis/mining-core";
import {
  expectedAttemptsPerBlock,
  formatGatewayAddress,
  type GatewayAddress,
  GatewayClient,
  parseGatewayUrl,
  tileBound,
} from "@openjarvis/pearl";
import { writeCalibration } from "./calibration.js";
import { CHILD_ENV, type SupervisorSettings } from "./config.js";
import { createPearlEngine } from "./engine.js";
import { SupervisorLog } from "./log.js";
import { MinerLoop } from "./miner-loop.js";
import { SpawnedGateway } from "./spawned-gateway.js";
import {
  type DevnetVerdicts,
  type SupervisorState,
  type SupervisorStatus,
  startStatusServer,
} from "./status.js";

/** Variables a spawned gateway (a Python program) needs from our environment; nothing else. */
const PASSED_ENV = [...CHILD_ENV, "NODE_PATH"];

interface GatewaySource {
  mode: string;
  address: GatewayAddress;
  restarts(): number;
  pauseReason(): string | null;
  devnet(): { blocksFound: number; height: number | null; proofs: DevnetVerdicts } | null;
  stop(): Promise<void>;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function openGateway(
  settings: SupervisorSettings,
  log: SupervisorLog,
  password: string,
  onGatewayProcess: (identity: { pid: number; startTime: string } | null) => void,
): Promise<GatewaySource> {
  const gateway = settings.gateway;
  if (gateway.kind === "socket" || gateway.kind === "tcp") {
    const address: GatewayAddress =
      gateway.kind === "socket"
        ? { socketPath: gateway.path }
        : { host: gateway.host, port: gateway.port };
    return {
      mode: "external",
      address,
      restarts: () => 0,
      pauseReason: () => null,
      devnet: () => null,
      stop: async () => {},
    };
  }
  if (gateway.kind === "devnet") {
    const { startDevnet } = await import("@openjarvis/pearl-devnet");
    const devnet = await startDevnet({
      port: 0,
      ...(gateway.nbits === undefined ? {} : { nbits: gateway.nbits }),
      // Mainnet's rank rule, unless the configured shape is a pre-penalty one (rank < 128).
      rankPenalty: settings.shape.rank >= 128,
      // The devnet stamps its own time; ours is enough.
      log: (line: string) => log.info(line.replace(/^\S+ /, "")),
    });
    log.info(`devnet node at ${devnet.nodeUrl} (nothing it accepts is worth anything)`);
    return {
      mode: "devnet",
      address: parseGatewayUrl(devnet.gatewayAddress),
      restarts: () => 0,
      pauseReason: () => null,
      devnet: () => {
        const snapshot = devnet.snapshot();
        const { accepted, stale, duplicate, invalid } = snapshot.proofs;
        return {
          blocksFound: snapshot.blocksFound,
          height: snapshot.job?.height ?? snapshot.height,
          proofs: { accepted, stale, duplicate, invalid },
        };
      },
      stop: () => devnet.close(),
    };
  }
  const baseEnv: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const value = process.env[name];
    if (value !== undefined) baseEnv[name] = value;
  }
  const spawned = new SpawnedGateway({
    command: gateway.command,
    port: gateway.port,
    pearldRpcUrl: gateway.pearldRpcUrl,
    pearldRpcUser: gateway.pearldRpcUser,
    password,
    walletAddress: settings.walletAddress ?? "",
    baseEnv,
    onLine: (line) => log.info(`gateway: ${line}`),
    onSpawn: onGatewayProcess,
    onExit: (description) => log.warn(description),
  });
  await spawned.start();
  log.info(`started ${gateway.command.join(" ")} on 127.0.0.1:${gateway.port}`);
  return {
    mode: "spawned",
    address: spawned.address,
    restarts: () => spawned.restartCount,
    pauseReason: () => spawned.pauseReason,
    devnet: () => null,
    stop: () => spawned.stop(),
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function runSupervisor(settingsFile: string): Promise<void> {
  const settings = JSON.parse(readFileSync(settingsFile, "utf8")) as SupervisorSettings;
  rmSync(settingsFile, { force: true });
  // The pearld password arrives on stdin (never argv, never our environment).
  const password = settings.gateway.kind === "spawn" ? await readStdin() : "";
  const log = new SupervisorLog(settings.paths.logFile, settings.logMaxBytes, [password]);
  const identity = currentProcessIdentity();
  const startedAt = Date.now();
  let state: SupervisorState = "starting";
  let fatalError: string | null = null;

  log.info(
    `cpu-pearl supervisor ${identity.pid} starting: ${settings.threads} thread(s), gateway ${settings.gateway.kind}, payout ${settings.payoutTarget}`,
  );

  let source: GatewaySource | null = null;
  let loop: MinerLoop | null = null;
  let pollClient: GatewayClient | null = null;
  const meter = new HashrateMeter();
  let sidecar: SidecarRecord | null = null;

  const snapshot = (): SupervisorStatus => {
    const counters = loop?.counters;
    const windows = {
      "10s": meter.rate(10_000),
      "60s": meter.rate(60_000),
      "15m": meter.rate(900_000),
    };
    const hashrate = windows["60s"] ?? windows["10s"];
    const job = counters?.job ?? null;
    let expected: number | null = null;
    if (job && hashrate && hashrate > 0) {
      const attempts = expectedAttemptsPerBlock(
        tileBound(job.target, settings.shape),
        settings.shape,
      );
      expected = Number.isFinite(attempts) ? attempts / hashrate : null;
    }
    const devnet = source?.devnet() ?? null;
    return {
      provider: "cpu-pearl",
      state,
      pid: identity.pid,
      startedAt,
      uptimeSeconds: (Date.now() - startedAt) / 1000,
      gateway: {
        mode: source?.mode ?? settings.gateway.kind,
        address: source ? formatGatewayAddress(source.address) : "",
      },
      payoutTarget: settings.payoutTarget,
      threads: settings.threads,
      lowPriority: settings.lowPriority,
      attempts: counters?.attempts ?? 0,
      hashrate: windows,
      proofsFound: counters?.proofsFound ?? 0,
      proofsSubmitted: counters?.proofsSubmitted ?? 0,
      proofsRejected: counters?.proofsRejected ?? 0,
      devnetBlocksFound: devnet ? devnet.blocksFound : null,
      devnetProofs: devnet ? devnet.proofs : null,
      lastProofAt: counters?.lastProofAt ?? null,
      job: job
        ? {
            height: devnet?.height ?? null,
            target: job.target.toString(),
            certVersion: job.certVersion,
            receivedAt: counters?.jobReceivedAt ?? 0,
          }
        : null,
      expectedSecondsPerBlock: expected,
      restarts: { gateway: source?.restarts() ?? 0, workers: counters?.workerRestarts ?? 0 },
      lastError: fatalError ?? counters?.lastError ?? null,
    };
  };

  const server = await startStatusServer(settings.statusPort, snapshot);
  sidecar = {
    provider: "cpu-pearl",
    started_at: Math.floor(startedAt / 1000),
    wallet_address: settings.walletAddress ?? "",
    metrics_url: `${server.url}/metrics`,
    status_url: `${server.url}/status`,
    pid: identity.pid,
    process_start_time: identity.startTime,
    payout_target: settings.payoutTarget,
  };
  writeSidecar(settings.paths.sidecarPath, sidecar);

  const updateSidecar = (patch: Partial<SidecarRecord>) => {
    if (!sidecar) return;
    // Never overwrite a record that is no longer ours (a stop removed it, a new miner replaced it).
    const current = readSidecar(settings.paths.sidecarPath);
    if (current?.pid !== identity.pid) return;
    sidecar = { ...sidecar, ...patch };
    writeSidecar(settings.paths.sidecarPath, sidecar);
  };

  const sampler = setInterval(() => {
    if (loop) meter.record(loop.counters.attempts);
    if (state !== "stopping" && loop) state = loop.mining ? "mining" : "waiting";
  }, 500);

  /** What this session measured becomes `detect`'s estimate (after a few seconds of mining). */
  const saveCalibration = () => {
    const rate = meter.rate(60_000);
    if (rate === null || rate <= 0 || !loop?.counters.everMined) return;
    if (Date.now() - startedAt < 3_000) return;
    try {
      writeCalibration(settings.paths.cacheDir, {
        attemptsPerSecond: rate,
        threads: settings.threads,
        shape: {
          m: settings.shape.m,
          n: settings.shape.n,
          k: settings.shape.k,
          rank: settings.shape.rank,
        },
        measuredAt: new Date().toISOString(),
        source: "mining",
      });
    } catch (error) {
      log.warn(`could not cache the measured hashrate: ${errorText(error)}`);
    }
  };

  let shuttingDown: Promise<void> | null = null;
  let opening: Promise<GatewaySource> | null = null;
  const shutdown = (reason: string, exitCode: number) => {
    shuttingDown ??= (async () => {
      state = "stopping";
      log.info(`stopping: ${reason}`);
      clearInterval(sampler);
      const guard = setTimeout(() => {
        log.error("shutdown took too long; exiting");
        process.exit(exitCode || 1);
      }, 20_000);
      guard.unref();
      saveCalibration();
      // A gateway still being launched must be stopped too, not orphaned.
      const opened = (await opening?.catch(() => null)) ?? null;
      // Closing the poll connection first fails a poll stuck on a stalled gateway at once.
      pollClient?.close();
      await loop?.stop().catch((error) => log.error(`stopping workers: ${errorText(error)}`));
      await (source ?? opened)
        ?.stop()
        .catch((error) => log.error(`stopping the gateway: ${errorText(error)}`));
      await server.close();
      if (readSidecar(settings.paths.sidecarPath)?.pid === identity.pid) {
        removeSidecar(settings.paths.sidecarPath);
      }
      log.info("stopped");
      process.exit(exitCode);
    })();
    return shuttingDown;
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
  process.on("SIGINT", () => void shutdown("SIGINT", 0));
  process.on("SIGHUP", () => {});
  const crash = (error: unknown) => {
    fatalError = `supervisor error: ${errorText(error)}`;
    log.error(`fatal: ${fatalError}`);
    void shutdown(fatalError, 1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);

  try {
    opening = openGateway(settings, log, password, (gatewayIdentity) =>
      updateSidecar({
        gateway_pid: gatewayIdentity?.pid ?? null,
        gateway_process_start_time: gatewayIdentity?.startTime ?? "",
      }),
    );
    source = await opening;
    if (shuttingDown) return;
  } catch (error) {
    fatalError = `the gateway could not be started: ${errorText(error)}`;
    log.error(`fatal: ${fatalError}`);
    await shutdown(fatalError, 1);
    return;
  }
  updateSidecar({ gateway_url: formatGatewayAddress(source.address) });
  const activeSource = source;
  pollClient = new GatewayClient(activeSource.address, {
    reconnect: { initialDelayMs: 100, maxDelayMs: 500, maxWaitMs: 500 },
    connectTimeoutMs: 2_000,
  });
  const poller = pollClient;
  loop = new MinerLoop({
    shape: settings.shape,
    poll: () => poller.getMiningInfo(),
    submit: async (proof, job) => {
      const client = new GatewayClient(activeSource.address, {
        reconnect: { initialDelayMs: 200, maxDelayMs: 1_000, maxWaitMs: 5_000 },
      });
      try {
        return await client.submitPlainProof(proof, job);
      } finally {
        client.close();
      }
    },
    createEngine: async () => createPearlEngine(settings.threads, settings.lowPriority),
    events: log,
    pauseReason: () => activeSource.pauseReason(),
  });
  loop.start();
}

const settingsFile = process.argv[2];
if (settingsFile) {
  runSupervisor(settingsFile).catch((error) => {
    process.stderr.write(`fatal: ${errorText(error)}\n`);
    process.exit(1);
  });
}
