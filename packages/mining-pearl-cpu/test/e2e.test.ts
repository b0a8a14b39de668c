import * as fs from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type CliResult,
  devnetConfig,
  killAllMentioning,
  makeHome,
  pidAlive,
  processesMentioning,
  readSidecarFile,
  runCli,
} from "./helpers.js";

let home: ReturnType<typeof makeHome> | undefined;

afterEach(async () => {
  if (!home) return;
  await runCli(home.env, "stop").catch(() => undefined);
  killAllMentioning(home.home);
  fs.rmSync(home.home, { recursive: true, force: true });
  home = undefined;
});

async function statsUntil(
  env: Record<string, string>,
  done: (stats: NonNullable<CliResult["stats"]>) => boolean,
  timeoutMs = 60_000,
): Promise<NonNullable<CliResult["stats"]>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await runCli(env, "stats");
    if (result.stats && done(result.stats)) return result.stats;
    if (Date.now() > deadline) throw new Error(`stats never matched: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe("cpu-pearl on the devnet, driven from separate processes", () => {
  it("start → verified devnet blocks → live stats → stop, leaving nothing behind", async () => {
    home = makeHome();
    const started = await runCli(home.env, "start", devnetConfig());
    expect(started.error).toBeUndefined();
    expect(started.ok).toBe(true);
    const sidecar = started.sidecar as Record<string, unknown>;
    expect(sidecar).toMatchObject({ provider: "cpu-pearl", schema_version: 1, wallet_address: "" });
    expect(sidecar.vllm_endpoint).toBeUndefined();
    expect(sidecar.metrics_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(sidecar.gateway_url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(typeof sidecar.process_start_time).toBe("string");
    expect(typeof sidecar.started_at).toBe("number");
    const pid = sidecar.pid as number;
    expect(pidAlive(pid)).toBe(true);
    expect(readSidecarFile(home.home)).toEqual(sidecar);

    expect((await runCli(home.env, "running")).running).toBe(true);
    const stats = await statsUntil(
      home.env,
      (s) => (s.blocksFound ?? 0) >= 2 && (s.hashrate ?? 0) > 0 && Number(s.uptimeSeconds) >= 4,
    );
    expect(stats.running).toBe(true);
    expect(stats.payoutTarget).toBe("devnet");
    expect(stats.attempts).toBeGreaterThan(0);
    expect(stats.proofsSubmitted).toBeGreaterThanOrEqual(2);
    expect(stats.details?.expectedSecondsPerBlock).toBeGreaterThan(0);
    expect(stats.details?.jobHeight).toBeGreaterThanOrEqual(2);
    // The devnet's verdicts explain every proof: blocks are the accepted ones, the rest lost a race.
    const verdicts = stats.details?.devnetProofs as {
      accepted: number;
      stale: number;
      duplicate: number;
      invalid: number;
    };
    expect(verdicts.accepted).toBeGreaterThanOrEqual(2);
    expect(verdicts.invalid).toBe(0);
    expect(verdicts.accepted + verdicts.stale + verdicts.duplicate).toBeLessThanOrEqual(
      Number(stats.proofsSubmitted),
    );

    // Workers run at low priority (nice 10, low_priority defaults to true); the supervisor's
    // main thread does not.
    const nices = fs
      .readdirSync(`/proc/${pid}/task`)
      .map((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8"))
      .map((stat) => Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
    expect(nices[0]).toBe(0);
    expect(nices).toContain(10);

    const metrics = await (await fetch(sidecar.metrics_url as string)).text();
    expect(metrics).toMatch(
      /^openjarvis_mining_devnet_blocks_found_total\{provider="cpu-pearl"\} [1-9]/m,
    );
    expect(metrics).toMatch(/^openjarvis_mining_attempts_total\{provider="cpu-pearl"\} [1-9]/m);

    const logs = await runCli(home.env, "logs");
    expect(logs.lines?.some((line) => line.includes("devnet"))).toBe(true);
    expect(logs.lines?.some((line) => /found a winning proof/.test(line))).toBe(true);

    const stopped = await runCli(home.env, "stop");
    expect(stopped.ok).toBe(true);
    expect(readSidecarFile(home.home)).toBeNull();
    await vi.waitFor(() => expect(pidAlive(pid)).toBe(false), { timeout: 5_000 });
    expect(processesMentioning(home.home)).toEqual([]);
    // The measured rate is cached for detect().
    const calibration = JSON.parse(
      fs.readFileSync(`${home.home}/cache/cpu-pearl/calibration.json`, "utf8"),
    );
    expect(calibration).toMatchObject({ source: "mining", threads: 1 });
    expect(calibration.attemptsPerSecond).toBeGreaterThan(0);

    expect((await runCli(home.env, "stop")).ok).toBe(true);
    const after = await runCli(home.env, "stats");
    expect(after.stats).toMatchObject({ running: false, lastError: null });
  });
});
