import { appendFileSync } from "node:fs";
import * as path from "node:path";
import { rotateLogIfLarge } from "./logs.js";
import { ensurePrivateDir } from "./paths.js";
import type { HashrateWindows, MiningStats } from "./provider.js";

export const HASHRATE_WINDOWS_MS = { "10s": 10_000, "60s": 60_000, "15m": 900_000 } as const;

interface CounterPoint {
  atMs: number;
  /** Monotonic total: raw counter plus everything counted before earlier resets. */
  total: number;
}

/**
 * Rates from a monotonically increasing counter (e.g. attempts) over sliding windows. Windows
 * end at the newest sample, so sparse polling still yields rates. A counter that goes down
 * (the miner restarted) is treated as a reset, not as negative work.
 */
export class HashrateMeter {
  private points: CounterPoint[] = [];
  private offset = 0;
  private lastRaw: number | null = null;

  record(counter: number, atMs: number = Date.now()): void {
    if (!Number.isFinite(counter) || counter < 0) return;
    const last = this.points[this.points.length - 1];
    if (last && atMs <= last.atMs) return;
    if (this.lastRaw !== null && counter < this.lastRaw) this.offset += this.lastRaw;
    this.lastRaw = counter;
    this.points.push({ atMs, total: this.offset + counter });
    this.prune(atMs);
  }

  /** Attempts per second over the last `windowMs` of data, or null without two samples in it. */
  rate(windowMs: number): number | null {
    const newest = this.points[this.points.length - 1];
    if (!newest) return null;
    const start = newest.atMs - windowMs;
    // The newest point at or before the window start covers the whole window; else the oldest.
    let base: CounterPoint | undefined;
    for (const point of this.points) {
      if (point.atMs <= start) base = point;
      else break;
    }
    base ??= this.points[0];
    if (!base || base === newest) return null;
    return (newest.total - base.total) / ((newest.atMs - base.atMs) / 1000);
  }

  /** 10 s / 60 s / 15 min rates (0 where there is not enough data yet). */
  rates(): HashrateWindows {
    return {
      "10s": this.rate(HASHRATE_WINDOWS_MS["10s"]) ?? 0,
      "60s": this.rate(HASHRATE_WINDOWS_MS["60s"]) ?? 0,
      "15m": this.rate(HASHRATE_WINDOWS_MS["15m"]) ?? 0,
    };
  }

  /** The rate over the shortest window that has data, or null. */
  current(): number | null {
    return this.rate(HASHRATE_WINDOWS_MS["10s"]);
  }

  reset(): void {
    this.points = [];
    this.offset = 0;
    this.lastRaw = null;
  }

  private prune(nowMs: number): void {
    const horizon = nowMs - HASHRATE_WINDOWS_MS["15m"];
    // Keep one point at or before the horizon so the 15 min window stays fully covered.
    let firstKept = 0;
    while (firstKept + 1 < this.points.length && this.points[firstKept + 1]!.atMs <= horizon) {
      firstKept++;
    }
    if (firstKept > 0) this.points = this.points.slice(firstKept);
  }
}

export interface TelemetryCollectorOptions {
  poll: () => Promise<MiningStats>;
  /** Lines go to `<telemetryDir>/mining.jsonl`. */
  telemetryDir: string;
  /** Default 30 s. */
  intervalMs?: number;
  /** Rotate when the file exceeds this (default 5 MiB), keeping `keep` old files (default 3). */
  maxBytes?: number;
  keep?: number;
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * Polls a provider's `stats` on an interval and appends one JSON line per poll (hashrate windows
 * computed from the `attempts` counter). A failed poll is recorded as an error line.
 */
export class TelemetryCollector {
  readonly file: string;
  private readonly meter = new HashrateMeter();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;

  constructor(private readonly options: TelemetryCollectorOptions) {
    this.file = path.join(options.telemetryDir, "mining.jsonl");
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      this.inFlight = this.collectOnce()
        .then(
          () => {},
          (error: unknown) => this.options.onError?.(error),
        )
        .then(() => {
          if (this.running) this.timer = setTimeout(tick, this.options.intervalMs ?? 30_000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Poll once and append the line; returns what was written. */
  async collectOnce(): Promise<Record<string, unknown>> {
    const now = this.options.now ?? Date.now;
    let line: Record<string, unknown>;
    try {
      const stats = await this.options.poll();
      const at = now();
      if (stats.attempts !== null) this.meter.record(stats.attempts, at);
      line = {
        ts: at,
        ...stats,
        hashrate: stats.hashrate ?? this.meter.current(),
        hashrateWindows: stats.hashrateWindows ?? this.meter.rates(),
      };
    } catch (error) {
      this.options.onError?.(error);
      const message = String((error as { message?: unknown })?.message ?? error).split("\n")[0];
      line = { ts: now(), error: message };
    }
    try {
      ensurePrivateDir(this.options.telemetryDir);
      rotateLogIfLarge(this.file, this.options.maxBytes ?? 5 * 1024 * 1024, this.options.keep ?? 3);
      appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch (error) {
      this.options.onError?.(error);
    }
    return line;
  }
}
