/**
 * The built `jarvis` (dist/bin.js) as a real process: the README flow on the devnet
 * (start → status shows blocks found and verified → logs -f → stop), and `init` on a real TTY.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isProcessAlive } from "@openjarvis/mining-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, WALLETS } from "./helpers.js";

const BIN = resolve(import.meta.dirname, "../dist/bin.js");

let home: ReturnType<typeof tempDir>;
const children: ChildProcess[] = [];

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home.path,
    OPENJARVIS_HOME: home.path,
    NO_COLOR: "1",
    ...extra,
  };
}

function jarvisSync(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: env(extra),
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeEach(() => {
  home = tempDir();
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  if (existsSync(join(home.path, "runtime", "mining.json"))) jarvisSync(["mine", "stop"]);
  home.cleanup();
});

describe("jarvis (built bin)", { timeout: 180_000 }, () => {
  it("prints help and exits 0; usage errors exit 2", () => {
    const help = jarvisSync(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: jarvis");
    const usage = jarvisSync(["mine", "start", "--bogus"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown option '--bogus'");
  });

  it("mines on the devnet: start, status shows verified blocks, logs -f follows, stop", async () => {
    const start = jarvisSync(["mine", "start", "--devnet", "--threads", "1"]);
    expect(start.stderr).not.toContain("error:");
    expect(start.code).toBe(0);
    expect(start.stdout).toContain("devnet");
    const sidecar = JSON.parse(readFileSync(join(home.path, "runtime", "mining.json"), "utf8")) as {
      pid: number;
      process_start_time: string;
    };

    let status:
      | {
          running: boolean;
          liveness: string;
          stats: { blocksFound: number; proofsRejected: number; hashrate: number };
        }
      | undefined;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const result = jarvisSync(["--json", "mine", "status"]);
      expect(result.code).toBe(0);
      status = JSON.parse(result.stdout);
      // The hashrate needs two counter samples, which can come after the first blocks.
      if ((status?.stats.blocksFound ?? 0) >= 2 && (status?.stats.hashrate ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(status?.liveness).toBe("verified");
    expect(status?.stats.blocksFound).toBeGreaterThanOrEqual(2);
    expect(status?.stats.proofsRejected).toBe(0);
    expect(status?.stats.hashrate).toBeGreaterThan(0);
    const human = jarvisSync(["mine", "status"]);
    expect(human.stdout).toMatch(/blocks\s+\d+ found \(each proof verified by the devnet\)/);

    const follow = spawn(process.execPath, [BIN, "mine", "logs", "-f", "-n", "0"], { env: env() });
    children.push(follow);
    let followed = "";
    follow.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      followed += chunk;
    });
    const sawBlock = await new Promise<boolean>((resolveSaw) => {
      const timer = setTimeout(() => resolveSaw(false), 30_000);
      follow.stdout.on("data", () => {
        if (/Block accepted/.test(followed)) {
          clearTimeout(timer);
          resolveSaw(true);
        }
      });
    });
    expect(sawBlock).toBe(true);
    follow.kill("SIGINT");
    const followCode = await new Promise<number | null>((r) =>
      follow.on("close", (code) => r(code)),
    );
    expect(followCode).toBe(0);

    const stop = jarvisSync(["mine", "stop"]);
    expect(stop.code).toBe(0);
    // Identity-checked and zombie-aware: PID 1 of a container may be slow to reap.
    expect(isProcessAlive({ pid: sidecar.pid, startTime: sidecar.process_start_time })).toBe(false);
    expect(jarvisSync(["mine", "status"]).code).toBe(3);
  });

  it("asks for init values on a real terminal (script) and writes the section", async () => {
    // A pty made by `script` with piped input has no size; clack wraps at the width, so set one.
    const command = `stty cols 120 rows 40; ${process.execPath} ${BIN} mine init`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      env: env({ TERM: "xterm", PEARLD_RPC_PASSWORD: "x" }),
    });
    children.push(child);
    let screen = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      screen += chunk;
    });
    const waitFor = (pattern: RegExp, from: number) =>
      new Promise<number>((resolveWait, rejectWait) => {
        const timer = setTimeout(
          () => rejectWait(new Error(`timed out waiting for ${pattern}; screen:\n${screen}`)),
          20_000,
        );
        const check = () => {
          const index = screen.slice(from).search(pattern);
          if (index !== -1) {
            clearTimeout(timer);
            child.stdout.off("data", check);
            resolveWait(from + index + 1);
          }
        };
        child.stdout.on("data", check);
        check();
      });
    let at = await waitFor(/Mining provider/, 0);
    child.stdin.write("\r"); // the default: auto
    at = await waitFor(/wallet address/, at);
    child.stdin.write("prl1pnotanaddress\r");
    at = await waitFor(/checksum|invalid|bech32/i, at);
    child.stdin.write("\x15"); // Ctrl-U: clear the line
    child.stdin.write(`${WALLETS.mainnet}\r`);
    at = await waitFor(/pearld RPC URL/, at);
    child.stdin.write("\r");
    at = await waitFor(/pearld RPC user/, at);
    child.stdin.write("\r");
    at = await waitFor(/password/, at);
    child.stdin.write("\r");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code, screen).toBe(0);
    const config = readFileSync(join(home.path, "config.toml"), "utf8");
    expect(config).toContain(`wallet_address = "${WALLETS.mainnet}"`);
    expect(config).toContain('pearld_rpc_url = "http://localhost:44107"');
    expect(config).toMatch(/provider = "(cpu|vllm)-pearl"/);
  });
});
