/** `jarvis mine status`: what runs, how fast, what it found. Exit 3 when nothing runs. */
import { ErrorCodes, type MiningStats } from "@openjarvis/mining-core";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import {
  formatAgo,
  formatCount,
  formatDuration,
  formatExpected,
  formatRate,
  keyValues,
} from "../../ui/format.js";
import { intOption, parseOptions, secondsOption } from "../options.js";
import { optionalConfig, providerContext, providersFor, readSession } from "../session.js";

const Options = z.object({
  watch: z.boolean().optional(),
  interval: secondsOption(0.2, 3600).default(2),
  count: intOption(1).optional(),
});

export interface StatusReport {
  running: boolean;
  provider: string | null;
  /** "verified" = PID and start time match; "unverified" = the provider says so; null when none. */
  liveness: "verified" | "unverified" | "dead" | null;
  pid: number | null;
  startedAt: number | null;
  payoutTarget: string | null;
  stats: MiningStats | null;
  problem: string | null;
  hint: string | null;
}

export async function collectStatus(ctx: Ctx): Promise<StatusReport> {
  const empty: StatusReport = {
    running: false,
    provider: null,
    liveness: null,
    pid: null,
    startedAt: null,
    payoutTarget: null,
    stats: null,
    problem: null,
    hint: null,
  };
  const session = readSession(ctx);
  if (!session) {
    const config = optionalConfig(ctx);
    return {
      ...empty,
      problem: "no mining session",
      hint: config.ok
        ? `mining is configured (${config.value.config.provider}) but not running; start it with \`jarvis mine start\``
        : "try the devnet: `jarvis mine start --devnet`, or configure mining with `jarvis mine init`",
    };
  }
  const { sidecar, processAlive } = session;
  const base: StatusReport = {
    ...empty,
    provider: sidecar.provider,
    pid: typeof sidecar.pid === "number" ? sidecar.pid : null,
    startedAt: Math.round(sidecar.started_at * 1000),
  };
  const loaded = optionalConfig(ctx);
  const entry = await providersFor(ctx, loaded.ok ? loaded.value : null).entry(sidecar.provider);
  if (!entry?.provider) {
    const alive = processAlive === true;
    return {
      ...base,
      running: alive,
      liveness: processAlive === null ? null : alive ? "verified" : "dead",
      problem: `provider ${sidecar.provider} is ${entry?.status ?? "unknown"}, so its statistics are unavailable`,
      hint: entry?.error?.hint ?? "install the provider named in the session file",
    };
  }
  const pctx = providerContext(ctx);
  const running = await entry.provider.isRunning(pctx);
  const liveness =
    processAlive === null
      ? running
        ? "unverified"
        : "dead"
      : processAlive && running
        ? "verified"
        : "dead";
  if (!running) {
    return {
      ...base,
      liveness,
      problem: "the session file names a miner that is no longer running",
      hint: "`jarvis mine logs` shows why it ended; `jarvis mine stop` clears the session",
    };
  }
  const stats = await entry.provider.stats(pctx);
  return { ...base, running: true, liveness, payoutTarget: stats.payoutTarget, stats };
}

function detail(stats: MiningStats, key: string): unknown {
  return stats.details?.[key];
}

/** Blocks found, and what became of the other proofs (a devnet tells). */
export function blocksText(stats: MiningStats): string {
  const devnet = stats.payoutTarget === "devnet";
  const verdicts = detail(stats, "devnetProofs") as Record<string, unknown> | null | undefined;
  // A proof that lost the race to a newer job is stale, not wrong: say so, or the gap between
  // proofs and blocks looks like a fault.
  const others = ["stale", "duplicate", "invalid"]
    .filter((outcome) => (num(verdicts?.[outcome]) ?? 0) > 0)
    .map((outcome) => `${formatCount(num(verdicts?.[outcome]))} ${outcome}`);
  return `${formatCount(stats.blocksFound)} found${devnet ? " (each proof verified by the devnet)" : ""}${others.length > 0 ? `; ${others.join(", ")}` : ""}`;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function renderStatus(report: StatusReport, ctx: Ctx): string {
  const { colors } = ctx;
  if (!report.running) {
    const lines: [string, string][] = [];
    if (report.provider) lines.push(["provider", report.provider]);
    lines.push(["state", colors.yellow("not running")]);
    if (report.problem) lines.push(["why", report.problem]);
    if (report.hint) lines.push(["next", report.hint]);
    return keyValues(lines);
  }
  const stats = report.stats!;
  const rows: [string, string][] = [];
  const devnet = stats.payoutTarget === "devnet";
  rows.push([
    "provider",
    `${report.provider}${devnet ? colors.yellow(" on the devnet (nothing mined here is worth anything)") : ` → ${stats.payoutTarget}`}`,
  ]);
  const state =
    typeof detail(stats, "state") === "string" ? String(detail(stats, "state")) : "running";
  const pidText = report.pid ? `pid ${report.pid}` : "";
  const liveText =
    report.liveness === "verified" ? "identity verified" : "reported by the provider";
  rows.push([
    "state",
    `${colors.green(state)}${pidText ? ` (${pidText}, ${liveText})` : ` (${liveText})`}`,
  ]);
  rows.push(["uptime", formatDuration(stats.uptimeSeconds)]);
  rows.push(["hashrate", hashrateText(stats)]);
  rows.push(["attempts", formatCount(stats.attempts)]);
  rows.push([
    "proofs",
    `${formatCount(stats.proofsSubmitted)} submitted, ${formatCount(stats.proofsRejected)} rejected`,
  ]);
  if (stats.blocksFound !== null) rows.push(["blocks", blocksText(stats)]);
  const job = detail(stats, "job") as { height?: unknown; target?: unknown } | null | undefined;
  const height = num(job?.height) ?? num(detail(stats, "jobHeight"));
  const target = job?.target ?? detail(stats, "target");
  if (job || height !== null) {
    rows.push([
      "job",
      `height ${height ?? "?"}${target !== undefined ? `, target ${shortTarget(String(target))}` : ""}`,
    ]);
  }
  const expected = num(detail(stats, "expectedSecondsPerBlock"));
  rows.push([
    "next block",
    expected === null
      ? "— (no hashrate yet)"
      : `expected every ${formatExpected(expected)} at this hashrate`,
  ]);
  rows.push(["last proof", formatAgo(stats.lastProofAt, ctx.now())]);
  rows.push(["last error", stats.lastError ? colors.red(stats.lastError) : "—"]);
  return keyValues(rows);
}

/** Only windows the miner has run long enough to fill; before that, the average so far. */
export function hashrateText(stats: MiningStats): string {
  const windows = stats.hashrateWindows;
  const uptime = stats.uptimeSeconds ?? Number.POSITIVE_INFINITY;
  const filled = windows
    ? (
        [
          ["10s", 10, "10 s"],
          ["60s", 60, "60 s"],
          ["15m", 900, "15 min"],
        ] as const
      ).filter(([, seconds]) => uptime >= seconds)
    : [];
  if (!windows || filled.length === 0) {
    return `${formatRate(stats.hashrate)}${stats.uptimeSeconds === null ? "" : ` (over ${formatDuration(stats.uptimeSeconds)})`}`;
  }
  return filled.map(([key, , label]) => `${formatRate(windows[key])} (${label})`).join(" · ");
}

function shortTarget(target: string): string {
  return target.length > 20
    ? `${target.slice(0, 8)}…${target.slice(-6)} (${target.length} digits)`
    : target;
}

function asJson(report: StatusReport) {
  if (report.running) return { ok: true, ...report };
  return {
    ok: false,
    ...report,
    error: {
      code: ErrorCodes.NOT_RUNNING,
      message: report.problem ?? "not running",
      ...(report.hint ? { hint: report.hint } : {}),
    },
  };
}

const CLEAR_BELOW = "\x1b[0J";

export default async function status(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const exitFor = (report: StatusReport) => (report.running ? 0 : 3);
  if (!opts.watch) {
    const report = await collectStatus(ctx);
    if (ctx.flags.json) ctx.json(asJson(report));
    else ctx.print(renderStatus(report, ctx));
    return exitFor(report);
  }
  let printedLines = 0;
  let report: StatusReport | undefined;
  for (let round = 1; ; round++) {
    report = await collectStatus(ctx);
    if (ctx.flags.json) {
      ctx.io.stdout(`${JSON.stringify(asJson(report))}\n`);
    } else {
      const text = renderStatus(report, ctx);
      if (ctx.io.isTTY && printedLines > 0) ctx.io.stdout(`\x1b[${printedLines}F${CLEAR_BELOW}`);
      else if (round > 1) ctx.io.stdout("\n");
      ctx.io.stdout(text);
      printedLines = text.split("\n").length - 1;
    }
    if (!report.running || (opts.count !== undefined && round >= opts.count)) break;
    if (!(await sleep(opts.interval * 1000, ctx.io.signal))) break;
  }
  return exitFor(report);
}

/** Resolves false when interrupted. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolveSleep) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolveSleep(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolveSleep(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
