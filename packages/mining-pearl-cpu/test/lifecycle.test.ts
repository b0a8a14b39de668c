import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readProcessStartTime } from "@openjarvis/mining-core";
import { afterEach, describe, expect, it } from "vitest";
import {
  devnetConfig,
  killAllMentioning,
  makeHome,
  pidAlive,
  processesMentioning,
  readSidecarFile,
  runCli,
} from "./helpers.js";

let home: ReturnType<typeof makeHome> | undefined;
const strangers: ChildProcess[] = [];

afterEach(async () => {
  if (home) {
    await runCli(home.env, "stop").catch(() => undefined);
    killAllMentioning(home.home);
    fs.rmSync(home.home, { recursive: true, force: true });
    home = undefined;
  }
  for (const child of strangers.splice(0)) child.kill("SIGKILL");
});

/** A process that is not ours to kill, leading its own process group. */
function stranger(): ChildProcess {
  const child = spawn("sleep", ["120"], { detached: true, stdio: "ignore" });
  strangers.push(child);
  return child;
}

describe("cpu-pearl start and stop bookkeeping", () => {
  it("two concurrent starts: exactly one miner runs, the other start says why", async () => {
    home = makeHome();
    const [a, b] = await Promise.all([
      runCli(home.env, "start", devnetConfig()),
      runCli(home.env, "start", devnetConfig()),
    ]);
    const winners = [a, b].filter((result) => result.ok);
    const losers = [a, b].filter((result) => !result.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(["E_LOCKED", "E_ALREADY_RUNNING"]).toContain(losers[0]?.error?.code);
    expect(losers[0]?.error?.hint).toBeTruthy();
    expect(processesMentioning(home.home)).toEqual([winners[0]?.sidecar?.pid]);

    const again = await runCli(home.env, "start", devnetConfig());
    expect(again.error?.code).toBe("E_ALREADY_RUNNING");
    expect(readSidecarFile(home.home)?.pid).toBe(winners[0]?.sidecar?.pid);
  });

  it("a stale sidecar whose PIDs now belong to other processes: reported dead, replaced, never killed", async () => {
    home = makeHome();
    const supervisorImpostor = stranger();
    const gatewayImpostor = stranger();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const realStart = readProcessStartTime(supervisorImpostor.pid as number);
    expect(realStart).not.toBeNull();
    fs.mkdirSync(home.paths.runtimeDir, { recursive: true, mode: 0o700 });
    const stale = {
      provider: "cpu-pearl",
      started_at: 1_700_000_000,
      wallet_address: "",
      metrics_url: "http://127.0.0.1:9/metrics",
      pid: supervisorImpostor.pid,
      process_start_time: "1",
      gateway_pid: gatewayImpostor.pid,
      gateway_process_start_time: "1",
      schema_version: 1,
    };
    fs.writeFileSync(home.paths.sidecarPath, JSON.stringify(stale), { mode: 0o600 });

    const before = await runCli(home.env, "stats");
    expect(before.stats?.running).toBe(false);
    expect(before.stats?.lastError).toMatch(/not running/);
    expect((await runCli(home.env, "running")).running).toBe(false);

    const started = await runCli(home.env, "start", devnetConfig());
    expect(started.error).toBeUndefined();
    expect(started.sidecar?.pid).not.toBe(supervisorImpostor.pid);
    expect(pidAlive(supervisorImpostor.pid as number)).toBe(true);
    expect(pidAlive(gatewayImpostor.pid as number)).toBe(true);

    // The same stale record again, this time cleaned up by stop.
    expect((await runCli(home.env, "stop")).ok).toBe(true);
    fs.writeFileSync(home.paths.sidecarPath, JSON.stringify(stale), { mode: 0o600 });
    expect((await runCli(home.env, "stop")).ok).toBe(true);
    expect(readSidecarFile(home.home)).toBeNull();
    expect(pidAlive(supervisorImpostor.pid as number)).toBe(true);
    expect(pidAlive(gatewayImpostor.pid as number)).toBe(true);
  });

  it("a log directory that cannot be written: E_IO naming it, nothing launched", async () => {
    home = makeHome();
    // A file where the logs directory should be (root ignores permission bits, not this).
    fs.writeFileSync(path.join(home.home, "logs"), "not a directory");
    const started = await runCli(home.env, "start", devnetConfig());
    expect(started.ok).toBe(false);
    expect(started.error?.code).toBe("E_IO");
    expect(started.error?.message).toContain(path.join(home.home, "logs", "mining"));
    expect(started.error?.hint).toBeTruthy();
    expect(readSidecarFile(home.home)).toBeNull();
    expect(processesMentioning(home.home)).toEqual([]);
  });

  it("a frozen supervisor: stats still says running, with the endpoint's silence as the error", async () => {
    home = makeHome();
    const started = await runCli(home.env, "start", devnetConfig());
    const pid = started.sidecar?.pid as number;
    process.kill(pid, "SIGSTOP");
    try {
      const frozen = await runCli(home.env, "stats");
      expect(frozen.stats?.running).toBe(true);
      expect(frozen.stats?.lastError).toMatch(/status endpoint .* did not answer/);
      expect(frozen.stats?.hashrate).toBeNull();
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const thawed = await runCli(home.env, "stats");
    expect(thawed.stats?.running).toBe(true);
    expect(thawed.stats?.attempts).toBeGreaterThan(0);
  });

  it("a cancelled start leaves nothing running and no sidecar", async () => {
    home = makeHome();
    const { miningPaths } = await import("@openjarvis/mining-core");
    // The built package: its start() launches dist/supervisor.js. (A variable path keeps
    // typecheck independent of the build.)
    const dist = "../dist/index.js";
    const built = ((await import(dist)) as typeof import("../src/index.js")).default;
    const abort = new AbortController();
    const env = { ...home.env };
    setTimeout(() => abort.abort(), 200);
    const error = await built
      .start(devnetConfig({ devnet_nbits: 0x1a00ffff }), {
        paths: miningPaths(env),
        env,
        signal: abort.signal,
      })
      .catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe("E_ABORTED");
    expect(readSidecarFile(home.home)).toBeNull();
    expect(processesMentioning(home.home)).toEqual([]);
  });

  it("bad configuration fails before anything is launched", async () => {
    home = makeHome();
    const started = await runCli(home.env, "start", devnetConfig({ threads: 0 }));
    expect(started.error?.code).toBe("E_CONFIG_INVALID");
    expect(started.error?.message).toContain("threads");
    expect(fs.existsSync(home.paths.sidecarPath)).toBe(false);
    expect(processesMentioning(home.home)).toEqual([]);
  });
});
