import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

/** Every on-disk location mining uses, resolved from the environment at call time. */
export interface MiningPaths {
  home: string;
  runtimeDir: string;
  logsDir: string;
  /** `logs/mining`: provider process logs. */
  miningLogsDir: string;
  /** The effective config file (`OPENJARVIS_CONFIG` wins over `home/config.toml`). */
  configPath: string;
  /** `runtime/mining.json` */
  sidecarPath: string;
  /** `runtime/mining.lock` */
  lockPath: string;
  telemetryDir: string;
  cacheDir: string;
}

/** `OPENJARVIS_HOME`, else `$XDG_DATA_HOME/openjarvis`, else `~/.openjarvis`. */
export function openjarvisHome(env: Env = process.env): string {
  if (env.OPENJARVIS_HOME) return path.resolve(env.OPENJARVIS_HOME);
  if (env.XDG_DATA_HOME) return path.join(path.resolve(env.XDG_DATA_HOME), "openjarvis");
  return path.join(env.HOME || os.homedir(), ".openjarvis");
}

export function miningPaths(env: Env = process.env): MiningPaths {
  const home = openjarvisHome(env);
  const runtimeDir = path.join(home, "runtime");
  const logsDir = path.join(home, "logs");
  return {
    home,
    runtimeDir,
    logsDir,
    miningLogsDir: path.join(logsDir, "mining"),
    configPath: env.OPENJARVIS_CONFIG
      ? path.resolve(env.OPENJARVIS_CONFIG)
      : path.join(home, "config.toml"),
    sidecarPath: path.join(runtimeDir, "mining.json"),
    lockPath: path.join(runtimeDir, "mining.lock"),
    telemetryDir: path.join(home, "telemetry"),
    cacheDir: path.join(home, "cache"),
  };
}

/**
 * `mkdir -p` with mode 0700. An existing directory we own is tightened to 0700 too, because
 * runtime files (sidecar, logs) must not be readable by other users.
 */
export function ensurePrivateDir(dir: string): string {
  const resolved = path.resolve(dir);
  const firstCreated = mkdirSync(resolved, { recursive: true, mode: 0o700 });
  if (firstCreated === undefined) {
    const stat = statSync(resolved);
    const ownedByUs = typeof process.getuid !== "function" || stat.uid === process.getuid();
    if (ownedByUs && (stat.mode & 0o077) !== 0) chmodSync(resolved, 0o700);
  }
  return resolved;
}

/** Longest `sun_path` (bytes, without the terminating NUL) the OS accepts. */
export function maxSocketPathBytes(platform: string = process.platform): number {
  return platform === "darwin" || platform.endsWith("bsd") ? 103 : 107;
}

/**
 * The preferred Unix socket path if it fits the OS limit, else a short, stable, per-user name
 * under the temp directory (same preferred path → same fallback).
 */
export function safeSocketPath(preferred: string): string {
  const limit = maxSocketPathBytes();
  if (Buffer.byteLength(preferred) <= limit) return preferred;
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  const hash = createHash("sha256").update(preferred).digest("hex").slice(0, 16);
  const name = `ojx-${uid}-${hash}.sock`;
  const inTmp = path.join(os.tmpdir(), name);
  return Buffer.byteLength(inTmp) <= limit ? inTmp : path.join("/tmp", name);
}
