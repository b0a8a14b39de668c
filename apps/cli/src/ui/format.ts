/** Small, pure formatters shared by human output. */

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(r).padStart(2, "0")}s`;
  return `${r}s`;
}

/** A long expected wait reads better in years or days than in seconds. */
export function formatExpected(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const year = 365.25 * 86_400;
  if (seconds >= 1000 * year) return `${(seconds / year).toExponential(1)} years`;
  if (seconds >= year) return `${(seconds / year).toFixed(1)} years`;
  if (seconds >= 2 * 86_400) return `${(seconds / 86_400).toFixed(1)} days`;
  return formatDuration(seconds);
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return Math.round(value).toLocaleString("en-US");
}

export function formatRate(value: number | null | undefined, unit = "attempts/s"): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

export function formatAgo(unixMs: number | null | undefined, nowMs: number): string {
  if (unixMs === null || unixMs === undefined || !Number.isFinite(unixMs)) return "—";
  return `${formatDuration(Math.max(0, (nowMs - unixMs) / 1000))} ago`;
}

/** `label  value` lines with the values aligned. */
export function keyValues(rows: [string, string][], width = 16): string {
  return `${rows.map(([k, v]) => `${k.padEnd(width)}${v}`).join("\n")}\n`;
}
