import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { HashrateMeter, type MiningStats, TelemetryCollector } from "../src/index.js";
import { tempDir } from "./helpers.js";

function stats(attempts: number | null): MiningStats {
  return {
    providerId: "test",
    running: true,
    hashrate: null,
    attempts,
    proofsSubmitted: 0,
    proofsRejected: 0,
    blocksFound: 0,
    lastProofAt: null,
    uptimeSeconds: 1,
    lastError: null,
    payoutTarget: "devnet",
  };
}

describe("HashrateMeter", () => {
  it("has no rate until it has two samples", () => {
    const meter = new HashrateMeter();
    expect(meter.current()).toBeNull();
    meter.record(100, 0);
    expect(meter.current()).toBeNull();
    expect(meter.rates()).toEqual({ "10s": 0, "60s": 0, "15m": 0 });
  });

  it("computes each window from counter deltas", () => {
    const meter = new HashrateMeter();
    let counter = 0;
    // 60 s at 100/s, then 10 s at 200/s, one sample per second.
    for (let second = 0; second <= 70; second++) {
      meter.record(counter, second * 1000);
      counter += second < 60 ? 100 : 200;
    }
    const rates = meter.rates();
    expect(rates["10s"]).toBeCloseTo(200, 6);
    expect(rates["60s"]).toBeCloseTo((50 * 100 + 10 * 200) / 60, 6);
    expect(rates["15m"]).toBeCloseTo((60 * 100 + 10 * 200) / 70, 6);
    expect(meter.current()).toBeCloseTo(200, 6);
  });

  it("treats a counter that goes down as a restart, never as negative work", () => {
    const meter = new HashrateMeter();
    meter.record(0, 0);
    meter.record(1000, 10_000);
    meter.record(2000, 20_000);
    meter.record(100, 30_000);
    expect(meter.rate(10_000)).toBeCloseTo(10, 6);
    meter.record(1100, 40_000);
    expect(meter.rate(10_000)).toBeCloseTo(100, 6);
    // 2000 before the restart plus 1100 after it.
    expect(meter.rate(40_000)).toBeCloseTo(3100 / 40, 6);
  });

  it("keeps only what the 15 minute window needs", () => {
    const meter = new HashrateMeter();
    for (let minute = 0; minute <= 30; minute++) meter.record(minute * 6000, minute * 60_000);
    expect(meter.rate(15 * 60_000)).toBeCloseTo(100, 6);
    // A window longer than what is kept is measured over what remains (15 min).
    expect(meter.rate(60 * 60_000)).toBeCloseTo(100, 6);
    expect((meter as unknown as { points: unknown[] }).points.length).toBe(16);
  });
});

describe("TelemetryCollector", () => {
  it("appends one JSON line per poll with hashrate windows from attempts", async () => {
    const dir = path.join(tempDir(), "telemetry");
    let attempts = 0;
    let now = 1_000_000;
    const collector = new TelemetryCollector({
      telemetryDir: dir,
      poll: async () => {
        attempts += 500;
        return stats(attempts);
      },
      now: () => {
        now += 5_000;
        return now;
      },
    });
    await collector.collectOnce();
    await collector.collectOnce();
    await collector.collectOnce();
    const lines = readFileSync(collector.file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      ts: 1_005_000,
      attempts: 500,
      hashrate: null,
      providerId: "test",
    });
    expect(lines[2]).toMatchObject({ attempts: 1500, hashrate: 100 });
    expect(lines[2].hashrateWindows["60s"]).toBe(100);
  });

  it("records a failed poll as an error line and reports it", async () => {
    const dir = tempDir();
    const onError = vi.fn();
    const collector = new TelemetryCollector({
      telemetryDir: dir,
      poll: async () => {
        throw new Error("gateway down\nstack-ish detail");
      },
      onError,
    });
    await collector.collectOnce();
    expect(JSON.parse(readFileSync(collector.file, "utf8"))).toMatchObject({
      error: "gateway down",
    });
    expect(onError).toHaveBeenCalledOnce();
  });

  it("rotates the file when it grows past maxBytes", async () => {
    const dir = tempDir();
    const collector = new TelemetryCollector({
      telemetryDir: dir,
      poll: async () => stats(1),
      maxBytes: 600,
      keep: 2,
    });
    for (let poll = 0; poll < 20; poll++) await collector.collectOnce();
    expect(existsSync(`${collector.file}.1`)).toBe(true);
    expect(existsSync(`${collector.file}.2`)).toBe(true);
    expect(existsSync(`${collector.file}.3`)).toBe(false);
    expect(readFileSync(collector.file).length).toBeLessThan(600 + 400);
  });

  it("polls on an interval between start and stop", async () => {
    const dir = tempDir();
    let polls = 0;
    const collector = new TelemetryCollector({
      telemetryDir: dir,
      intervalMs: 10,
      poll: async () => stats(++polls),
    });
    collector.start();
    await vi.waitFor(() => expect(polls).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    await collector.stop();
    const written = readFileSync(collector.file, "utf8").trim().split("\n").length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(readFileSync(collector.file, "utf8").trim().split("\n").length).toBe(written);
    expect(written).toBe(polls);
  });
});
