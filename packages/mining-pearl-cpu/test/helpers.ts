import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { MINING_EXTRA_DEFAULTS, type MiningConfig, miningPaths } from "@openjarvis/mining-core";
import { OPENJARVIS_SHAPE } from "@openjarvis/pearl";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const packageDir = path.resolve(here, "..");
const cli = path.join(here, "fixtures", "cli.mjs");

/** An isolated OPENJARVIS_HOME; `cleanup` kills what a test left behind in it (by PID). */
export function makeHome() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-pearl-test-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? home,
    OPENJARVIS_HOME: home,
  };
  return { home, env, paths: miningPaths(env) };
}

/** PIDs of live processes whose command line mentions `needle` (our temp home is unique). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!pidAlive(Number(entry))) continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "utf8");
      if (cmdline.includes(needle) || environ.includes(needle)) found.push(Number(entry));
    } catch {
      // Gone, or not ours.
    }
  }
  return found;
}

export function killAllMentioning(needle: string): void {
  for (const pid of processesMentioning(needle)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

export interface CliResult {
  ok: boolean;
  error?: { code: string; message: string; hint?: string };
  sidecar?: Record<string, unknown>;
  stats?: Record<string, unknown> & {
    running: boolean;
    hashrate: number | null;
    attempts: number | null;
    lastError: string | null;
    blocksFound: number | null;
    details?: Record<string, unknown>;
  };
  running?: boolean;
  lines?: string[];
  ms?: number;
}

/** Runs the fixture CLI in its own Node process against the built package. */
export function runCli(
  env: Record<string, string>,
  op: string,
  config?: MiningConfig,
  timeoutMs = 60_000,
): Promise<CliResult> {
  const args = [cli, op, ...(config ? [JSON.stringify(config)] : [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as CliResult);
      } catch {
        reject(new Error(`cli ${op} printed no result (${error?.message}): ${stdout}\n${stderr}`));
      }
    });
  });
}

/** A devnet config that mines fast on one thread. */
export function devnetConfig(extra: Record<string, unknown> = {}): MiningConfig {
  return {
    provider: "cpu-pearl",
    walletAddress: "",
    submitTarget: { kind: "devnet" },
    feeBps: 0,
    feePayoutAddress: null,
    providers: [],
    extra: {
      ...MINING_EXTRA_DEFAULTS,
      m: OPENJARVIS_SHAPE.m,
      n: OPENJARVIS_SHAPE.n,
      k: OPENJARVIS_SHAPE.k,
      rank: OPENJARVIS_SHAPE.rank,
      threads: 1,
      start_timeout_seconds: 30,
      ...extra,
    },
  } as MiningConfig;
}

export function readSidecarFile(home: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(home, "runtime", "mining.json"), "utf8"));
  } catch {
    return null;
  }
}

/** Alive and not a zombie (an orphan killed here may wait for a reaper that never comes). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export const fakeGatewayDir = path.join(here, "fixtures", "bin");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A solo config whose `pearl-gateway` is the test stand-in found on PATH. */
export function soloConfig(
  wallet: string,
  pearldUrl: string,
  gatewayPort: number,
  extra: Record<string, unknown> = {},
): MiningConfig {
  return {
    provider: "cpu-pearl",
    walletAddress: wallet,
    submitTarget: { kind: "solo", pearldRpcUrl: pearldUrl },
    feeBps: 0,
    feePayoutAddress: null,
    providers: [],
    extra: {
      ...MINING_EXTRA_DEFAULTS,
      pearld_rpc_url: pearldUrl,
      pearld_rpc_user: "miner",
      pearld_rpc_password_env: "TEST_PEARLD_PASS",
      gateway_port: gatewayPort,
      threads: 1,
      start_timeout_seconds: 30,
      ...extra,
    },
  } as MiningConfig;
}

export function readProc(pid: number, file: "cmdline" | "environ"): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

export function killPid(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export function allFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}
