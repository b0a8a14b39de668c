/**
 * Turns the `[mining]` section into the settings the supervisor runs with. Everything is checked
 * here, before anything is launched, so a bad value never leaves a half-started miner behind.
 * The RPC password is only ever named (`pearld_rpc_password_env`); its value is read from the
 * environment at launch and handed to `pearl-gateway` through its environment alone.
 */
import * as os from "node:os";
import * as path from "node:path";
import { ErrorCodes, type MiningConfig, MiningError } from "@openjarvis/mining-core";
import {
  checkShape,
  decodeMiningAddress,
  MAINNET_SHAPE,
  type MiningShape,
} from "@openjarvis/pearl";

export const PROVIDER_ID = "cpu-pearl";

/** What a child of ours (supervisor, spawned gateway) may see of our environment; nothing else. */
export const CHILD_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LANG",
  "LC_ALL",
  "TMPDIR",
  "SYSTEMROOT",
  "VIRTUAL_ENV",
  "PYTHONPATH",
] as const;

/** Where jobs come from and proofs go. */
export type GatewayMode =
  | {
      kind: "spawn";
      /** argv[0] and any fixed arguments; `start` is appended. */
      command: string[];
      port: number;
      pearldRpcUrl: string;
      pearldRpcUser: string;
      /** Name of the environment variable holding the password (never the value). */
      passwordEnv: string;
    }
  | { kind: "socket"; path: string }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "devnet"; nbits?: number };

/** What the detached supervisor needs. Written to a 0600 file; holds no secret. */
export interface SupervisorSettings {
  schemaVersion: 1;
  provider: typeof PROVIDER_ID;
  walletAddress: string | null;
  payoutTarget: string;
  gateway: GatewayMode;
  threads: number;
  lowPriority: boolean;
  shape: MiningShape;
  /** Loopback port of /status and /metrics; 0 picks a free one. */
  statusPort: number;
  /** Milliseconds `start` waits for the first job. */
  startTimeoutMs: number;
  /** Log files are rotated beyond this size. */
  logMaxBytes: number;
  paths: {
    sidecarPath: string;
    runtimeDir: string;
    logFile: string;
    /** Where the measured hashrate is cached for `detect`. */
    cacheDir: string;
  };
}

/** Keys of `[mining.extra]` this provider reads, with their defaults. */
export const CPU_PEARL_EXTRA_DEFAULTS = {
  gateway_command: "pearl-gateway",
  gateway_port: 8337,
  gateway_socket: undefined,
  gateway_url: undefined,
  pearld_rpc_url: "http://localhost:44107",
  pearld_rpc_user: "rpcuser",
  pearld_rpc_password_env: "PEARLD_RPC_PASSWORD",
  threads: undefined,
  low_priority: true,
  status_port: 0,
  start_timeout_seconds: 60,
  log_max_bytes: 10 * 1024 * 1024,
  devnet_nbits: undefined,
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function invalid(key: string, value: unknown, message: string, hint: string): MiningError {
  return new MiningError(ErrorCodes.CONFIG_INVALID, `[mining.extra].${key} ${message}`, {
    hint,
    details: { key: `mining.extra.${key}`, value },
  });
}

function readInt(
  extra: Record<string, unknown>,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = extra[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(
      key,
      value,
      `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
      `Set ${key} = <integer ${min}..${max}> in [mining.extra], or remove it to use the default.`,
    );
  }
  return value;
}

function readString(extra: Record<string, unknown>, key: string, fallback: string): string {
  const value = extra[key] ?? fallback;
  if (typeof value !== "string" || value.trim() === "") {
    throw invalid(
      key,
      value,
      `must be a non-empty string, got ${JSON.stringify(value)}`,
      `Set ${key} = "<text>" in [mining.extra], or remove it to use the default.`,
    );
  }
  return value;
}

function readBool(extra: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = extra[key] ?? fallback;
  if (typeof value !== "boolean") {
    throw invalid(key, value, `must be true or false, got ${JSON.stringify(value)}`, "");
  }
  return value;
}

function readIntList(extra: Record<string, unknown>, key: string, fallback: number[]): number[] {
  const value = extra[key] ?? fallback;
  if (!Array.isArray(value) || !value.every((item) => Number.isInteger(item) && item >= 0)) {
    throw invalid(
      key,
      value,
      `must be a list of non-negative integers, got ${JSON.stringify(value)}`,
      `Set ${key} = [0, 8, …] in [mining.extra], or remove it to use the default pattern.`,
    );
  }
  return value as number[];
}

function readCommand(extra: Record<string, unknown>): string[] {
  const value = extra.gateway_command ?? CPU_PEARL_EXTRA_DEFAULTS.gateway_command;
  const list = typeof value === "string" ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((item) => typeof item === "string" && item !== "")
  ) {
    throw invalid(
      "gateway_command",
      value,
      "must be a command name, a path, or a list of strings",
      'Use gateway_command = "pearl-gateway" or ["/path/to/pearl-gateway"].',
    );
  }
  return list as string[];
}

function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(?:tcp:\/\/|http:\/\/)?([^:/\s]+):(\d{1,5})\/?$/.exec(value.trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalid(
      "gateway_url",
      value,
      "must be host:port of a running pearl-gateway in TCP mode",
      'Use gateway_url = "127.0.0.1:8337", or gateway_socket = "/path/to/pearlgw.sock".',
    );
  }
  return { host: match[1] as string, port };
}

function resolveGateway(
  config: MiningConfig,
  extra: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): GatewayMode {
  const socket = extra.gateway_socket;
  const url = extra.gateway_url;
  if (config.submitTarget.kind === "devnet") {
    if (socket !== undefined || url !== undefined) {
      throw invalid(
        socket !== undefined ? "gateway_socket" : "gateway_url",
        socket ?? url,
        'cannot be combined with submit_target = "devnet"',
        "The devnet runs its own gateway inside the supervisor; remove the external gateway key.",
      );
    }
    const nbits = extra.devnet_nbits;
    if (nbits === undefined) return { kind: "devnet" };
    return { kind: "devnet", nbits: readInt(extra, "devnet_nbits", 0, 1, 0xffff_ffff) };
  }
  if (config.submitTarget.kind === "pool") {
    throw new MiningError(
      ErrorCodes.CONFIG_INVALID,
      `cpu-pearl cannot mine to a pool (submit_target = "pool:${config.submitTarget.url}")`,
      {
        hint: 'Pearl has no pool protocol; use submit_target = "solo" or "devnet".',
        details: { key: "mining.submit_target", value: `pool:${config.submitTarget.url}` },
      },
    );
  }
  if (socket !== undefined && url !== undefined) {
    throw invalid(
      "gateway_socket",
      socket,
      "and gateway_url are both set",
      "Keep one: gateway_socket for a Unix socket, gateway_url for host:port.",
    );
  }
  if (socket !== undefined) {
    if (typeof socket !== "string" || !path.isAbsolute(socket)) {
      throw invalid(
        "gateway_socket",
        socket,
        "must be an absolute path to the gateway's Unix socket",
        'Use gateway_socket = "/tmp/pearlgw.sock" (or where the gateway listens).',
      );
    }
    return { kind: "socket", path: socket };
  }
  if (url !== undefined) {
    if (typeof url !== "string") throw parseHostPortError(url);
    return { kind: "tcp", ...parseHostPort(url) };
  }
  const passwordEnv = readString(
    extra,
    "pearld_rpc_password_env",
    CPU_PEARL_EXTRA_DEFAULTS.pearld_rpc_password_env,
  );
  if (!ENV_NAME.test(passwordEnv)) {
    throw invalid(
      "pearld_rpc_password_env",
      passwordEnv,
      "must be the NAME of an environment variable (letters, digits, _), not the password",
      'Use pearld_rpc_password_env = "PEARLD_RPC_PASSWORD" and export that variable.',
    );
  }
  if (env[passwordEnv] === undefined) {
    throw new MiningError(
      ErrorCodes.SECRET_MISSING,
      `environment variable ${passwordEnv} (named by [mining.extra].pearld_rpc_password_env) is not set`,
      {
        hint: `Export ${passwordEnv}=<pearld RPC password> before \`jarvis mine start\`.`,
        details: { key: "mining.extra.pearld_rpc_password_env", value: passwordEnv },
      },
    );
  }
  const pearldRpcUrl = readString(extra, "pearld_rpc_url", config.submitTarget.pearldRpcUrl);
  if (!/^https?:\/\/[^\s]+$/.test(pearldRpcUrl)) {
    throw invalid(
      "pearld_rpc_url",
      pearldRpcUrl,
      "must be an http:// or https:// URL",
      'Use pearld_rpc_url = "http://localhost:44107".',
    );
  }
  return {
    kind: "spawn",
    command: readCommand(extra),
    port: readInt(extra, "gateway_port", CPU_PEARL_EXTRA_DEFAULTS.gateway_port, 1, 65_535),
    pearldRpcUrl,
    pearldRpcUser: readString(extra, "pearld_rpc_user", CPU_PEARL_EXTRA_DEFAULTS.pearld_rpc_user),
    passwordEnv,
  };
}

function parseHostPortError(value: unknown): MiningError {
  return invalid(
    "gateway_url",
    value,
    "must be a string host:port",
    'Use gateway_url = "127.0.0.1:8337".',
  );
}

function resolveWallet(config: MiningConfig, gateway: GatewayMode): string | null {
  const wallet = config.walletAddress.trim();
  // Only a spawned gateway is paid through our setting; the devnet pays nobody and an external
  // gateway pays whatever address it was started with.
  if (wallet === "") {
    if (gateway.kind !== "spawn") return null;
    throw new MiningError(ErrorCodes.WALLET_INVALID, "[mining].wallet_address is empty", {
      hint: "Set wallet_address to your Taproot address (prl1p…); `jarvis pearl address` makes one.",
      details: { key: "mining.wallet_address", value: wallet },
    });
  }
  try {
    decodeMiningAddress(wallet);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = (error as { hint?: unknown }).hint;
    throw new MiningError(
      ErrorCodes.WALLET_INVALID,
      `[mining].wallet_address ${JSON.stringify(wallet)} cannot be mined to: ${message}`,
      {
        hint:
          typeof hint === "string"
            ? hint
            : "Use a Taproot address (prl1p… on mainnet, tprl1p…/rprl1p… on test networks).",
        details: { key: "mining.wallet_address", value: wallet },
        cause: error,
      },
    );
  }
  return wallet;
}

function resolveShape(extra: Record<string, unknown>, gateway: GatewayMode): MiningShape {
  const base: MiningShape = MAINNET_SHAPE;
  const shape: MiningShape = {
    m: readInt(extra, "m", base.m, 1, 0xffff_ffff),
    n: readInt(extra, "n", base.n, 1, 0xffff_ffff),
    k: readInt(extra, "k", base.k, 1, 0xffff_ffff),
    rank: readInt(extra, "rank", base.rank, 1, 0xffff),
    rows: readIntList(extra, "rows_pattern", base.rows),
    cols: readIntList(extra, "cols_pattern", base.cols),
  };
  try {
    // Jobs from a real chain carry cert_version 3 today and mainnet enforces the rank penalty;
    // the devnet accepts any valid shape (the OpenJarvis rank-32 one included).
    checkShape(shape, { certVersion: 3, rankPenalty: gateway.kind !== "devnet" });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MiningError(ErrorCodes.SHAPE_INVALID, `mining shape is invalid: ${message}`, {
      hint: "Fix m, n, k, rank (and rows_pattern/cols_pattern) in [mining.extra], or remove them to use the mainnet defaults.",
      details: { key: "mining.extra", value: shape },
      cause: error,
    });
  }
  return shape;
}

export interface ResolveOptions {
  env: Readonly<Record<string, string | undefined>>;
  paths: { runtimeDir: string; sidecarPath: string; miningLogsDir: string; cacheDir: string };
  cpuCount?: number;
}

/** Validates the whole configuration; throws a MiningError naming the first bad key. */
export function resolveSettings(config: MiningConfig, options: ResolveOptions): SupervisorSettings {
  if (config.provider !== PROVIDER_ID) {
    throw new MiningError(
      ErrorCodes.CONFIG_INVALID,
      `[mining].provider is "${config.provider}", not "${PROVIDER_ID}"`,
      {
        hint: `Set provider = "${PROVIDER_ID}" to mine with the CPU.`,
        details: { key: "mining.provider", value: config.provider },
      },
    );
  }
  const extra = config.extra ?? {};
  const gateway = resolveGateway(config, extra, options.env);
  const walletAddress = resolveWallet(config, gateway);
  const cpuCount = Math.max(1, options.cpuCount ?? os.availableParallelism());
  const threads = extra.threads === undefined ? cpuCount : readInt(extra, "threads", 1, 1, 1024);
  const statusPort = readInt(extra, "status_port", CPU_PEARL_EXTRA_DEFAULTS.status_port, 0, 65_535);
  if (gateway.kind === "spawn" && statusPort !== 0 && statusPort === gateway.port) {
    throw invalid(
      "status_port",
      statusPort,
      `equals gateway_port (${gateway.port})`,
      "Give the status endpoint and the gateway different ports, or set status_port = 0.",
    );
  }
  const payoutTarget =
    config.submitTarget.kind === "devnet"
      ? "devnet"
      : gateway.kind === "spawn"
        ? "solo"
        : "solo (external gateway)";
  return {
    schemaVersion: 1,
    provider: PROVIDER_ID,
    walletAddress,
    payoutTarget,
    gateway,
    threads: Math.min(threads, cpuCount),
    lowPriority: readBool(extra, "low_priority", CPU_PEARL_EXTRA_DEFAULTS.low_priority),
    shape: resolveShape(extra, gateway),
    statusPort,
    startTimeoutMs:
      readInt(
        extra,
        "start_timeout_seconds",
        CPU_PEARL_EXTRA_DEFAULTS.start_timeout_seconds,
        1,
        3600,
      ) * 1000,
    logMaxBytes: readInt(
      extra,
      "log_max_bytes",
      CPU_PEARL_EXTRA_DEFAULTS.log_max_bytes,
      64 * 1024,
      1024 ** 3,
    ),
    paths: {
      sidecarPath: options.paths.sidecarPath,
      runtimeDir: options.paths.runtimeDir,
      logFile: path.join(options.paths.miningLogsDir, "cpu-pearl.log"),
      cacheDir: options.paths.cacheDir,
    },
  };
}
