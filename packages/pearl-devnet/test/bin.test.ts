import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GatewayClient, PearldClient } from "@openjarvis/pearl";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin.js");
const PASSWORD = "bin-test-password-xyz";

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: run pnpm --filter @openjarvis/pearl-devnet build first`);
  }
});

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(
  read: () => string,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = read().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("pearl-devnet bin", () => {
  it("serves TCP + node, takes the password only from the environment, and stops on SIGTERM", async () => {
    const run = start(["--port", "0", "--nbits", "0x2100ffff", "--rpc-user", "carol"], {
      PEARL_DEVNET_RPC_PASSWORD: PASSWORD,
    });
    const gatewayUrl = (
      await waitFor(run.stdout, /devnet gateway: (tcp:\/\/127\.0\.0\.1:\d+)/)
    )[1]!;
    const nodeUrl = (await waitFor(run.stdout, /devnet node: (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
    const statusUrl = (await waitFor(run.stdout, /devnet status: (\S+)/))[1]!;

    const gateway = new GatewayClient(gatewayUrl);
    const job = await gateway.getMiningInfo();
    expect(job.target.toString()).toHaveLength(78);
    gateway.close();
    const pearld = new PearldClient({ url: nodeUrl, user: "carol", password: PASSWORD });
    expect(await pearld.getBlockCount()).toBe(0);
    expect((await fetch(statusUrl).then((r) => r.json())) as object).toMatchObject({
      network: "devnet",
    });

    const cmdline = readFileSync(`/proc/${run.child.pid}/cmdline`, "utf8");
    expect(cmdline).not.toContain(PASSWORD);
    process.kill(run.child.pid!, "SIGTERM");
    expect(await run.exited).toEqual({ code: 0, signal: null });
    for (const text of [run.stdout(), run.stderr()]) expect(text).not.toContain(PASSWORD);
    const logLines = run.stderr().trim().split("\n");
    expect(logLines.length).toBeGreaterThan(2);
    for (const line of logLines) expect(line).toContain("devnet");
    expect(run.stderr()).toContain("Miner RPC server listening on TCP: 127.0.0.1:");
    expect(run.stderr()).toContain("PearlGateway started successfully");
  });

  it("serves a 0600 Unix socket and removes it on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "devnet-bin-"));
    dirs.push(dir);
    const socketPath = join(dir, "gw.sock");
    const run = start(["--socket", socketPath, "--generation", "B", "--quiet"]);
    await waitFor(run.stdout, new RegExp(`devnet gateway: unix://${socketPath}`));
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    const gateway = new GatewayClient(`unix://${socketPath}`);
    const job = await gateway.getMiningInfo();
    expect(Object.keys(job.raw)).toEqual(["incomplete_header_bytes", "target", "cert_version"]);
    gateway.close();
    process.kill(run.child.pid!, "SIGINT");
    expect((await run.exited).code).toBe(0);
    expect(existsSync(socketPath)).toBe(false);
    expect(run.stderr()).toBe("");
  });

  it("refuses bad flags with a usage error and exit code 2", async () => {
    const cases = [
      ["--generation", "Z"],
      ["--nbits", "xyz"],
      ["--nbits", "1d800000"],
      ["--password", "p"],
    ];
    const runs = cases.map((args) => start(args));
    for (const [i, run] of runs.entries()) {
      expect((await run.exited).code, cases[i]!.join(" ")).toBe(2);
      expect(run.stderr()).toMatch(/^devnet error: /);
      expect(run.stderr()).toContain("devnet hint: ");
    }
  });
});
