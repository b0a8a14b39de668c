/**
 * Attempts per second over sliding windows, from a monotonically increasing counter sampled
 * over time. A window with less than two samples (or no elapsed time) has no rate: null.
 */
export class RateWindows {
  private readonly samples: { at: number; value: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  record(value: number): void {
    const at = this.now();
    this.samples.push({ at, value });
    const horizon = at - 15 * 60_000 - 1_000;
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) < horizon) this.samples.shift();
  }

  /** Rate over the last `windowMs`, using the oldest sample inside the window. */
  rate(windowMs: number): number | null {
    const last = this.samples[this.samples.length - 1];
    if (!last) return null;
    const from = last.at - windowMs;
    const first = this.samples.find((sample) => sample.at >= from);
    if (!first || last.at - first.at < 500) return null;
    return ((last.value - first.value) * 1000) / (last.at - first.at);
  }

  windows(): { "10s": number | null; "60s": number | null; "15m": number | null } {
    return { "10s": this.rate(10_000), "60s": this.rate(60_000), "15m": this.rate(15 * 60_000) };
  }
}
