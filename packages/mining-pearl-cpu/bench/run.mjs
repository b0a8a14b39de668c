// Hashrate through the whole stack (detached supervisor + in-process devnet + worker pool) vs the
// engine's worker pool alone on the same shape and thread count; start-to-first-job latency; stop
// latency; supervisor memory. `node bench/run.mjs [--json] [--seconds N] [--rounds N] [--threads N]`.
// Run after `pnpm build`. Numbers on a shared machine are noisy: run it twice.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { MINING_EXTRA_DEFAULTS, miningPaths, readSidecar } from "@openjarvis/mining-core";
import { createMinerPool, MAINNET_SHAPE } from "@openjarvis/pearl";
import provider from "../dist/index.js";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const json = args.includes("--json");
const seconds = flag("--seconds", 10);
const threads = flag("--threads", availableParallelism());
// Hard enough that no tile wins during the run: every attempt is pure mining work.
const HARD_NBITS = 0x1a00ffff;
const shape = { ...MAINNET_SHAPE };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function engineAlone() {
  const pool = createMinerPool({ threads, lowPriority: true });
  const header = new Uint8Array(76);
  crypto.getRandomValues(header.subarray(0, 72));
  new DataView(header.buffer).setUint32(72, HARD_NBITS, true);
  const abort = new AbortController();
  const mining = pool
    .mine({ header, certVersion: 3, shape }, { signal: abort.signal })
    .catch(() => {});
  await sleep(2_000); // warm-up: workers compile and commit B
  const from = { attempts: pool.counters().attempts, at: performance.now() };
  await sleep(seconds * 1000);
  const to = { attempts: pool.counters().attempts, at: performance.now() };
  abort.abort();
  await mining;
  await pool.close();
  return ((to.attempts - from.attempts) * 1000) / (to.at - from.at);
}

function rssMiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : null;
}

async function status(sidecar) {
  const response = await fetch(sidecar.metrics_url.replace(/\/metrics$/, "/status"));
  return response.json();
}

async function wholeStack() {
  const home = mkdtempSync(join(tmpdir(), "cpu-pearl-bench-"));
  const env = { ...process.env, OPENJARVIS_HOME: home };
  const ctx = { paths: miningPaths(env), env };
  const config = {
    provider: "cpu-pearl",
    walletAddress: "",
    submitTarget: { kind: "devnet" },
    feeBps: 0,
    feePayoutAddress: null,
    providers: [],
    extra: { ...MINING_EXTRA_DEFAULTS, ...shape, threads, devnet_nbits: HARD_NBITS },
  };
  try {
    const t0 = performance.now();
    const sidecar = await provider.start(config, ctx);
    const startMs = performance.now() - t0;
    await sleep(2_000);
    const from = { status: await status(sidecar), at: performance.now() };
    await sleep(seconds * 1000);
    const to = { status: await status(sidecar), at: performance.now() };
    const rss = process.platform === "linux" ? rssMiB(sidecar.pid) : null;
    const t1 = performance.now();
    await provider.stop(ctx);
    const stopMs = performance.now() - t1;
    const rate = ((to.status.attempts - from.status.attempts) * 1000) / (to.at - from.at);
    return { rate, startMs, stopMs, rss, leftover: readSidecar(ctx.paths.sidecarPath) !== null };
  } finally {
    await provider.stop(ctx).catch(() => {});
    rmSync(home, { recursive: true, force: true });
  }
}

// Alternate the two so load from other programs on the machine hits both alike.
const rounds = flag("--rounds", 2);
const engineRates = [];
const stacks = [];
for (let round = 0; round < rounds; round += 1) {
  engineRates.push(await engineAlone());
  stacks.push(await wholeStack());
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const engine = median(engineRates);
const stack = {
  rate: median(stacks.map((s) => s.rate)),
  startMs: median(stacks.map((s) => s.startMs)),
  stopMs: median(stacks.map((s) => s.stopMs)),
  rss: stacks[0].rss === null ? null : Math.max(...stacks.map((s) => s.rss)),
};
const result = {
  shape: { m: shape.m, n: shape.n, k: shape.k, rank: shape.rank },
  threads,
  seconds,
  rounds,
  engineAttemptsPerSecond: engine,
  stackAttemptsPerSecond: stack.rate,
  stackLossPercent: (1 - stack.rate / engine) * 100,
  startToFirstJobMs: stack.startMs,
  stopMs: stack.stopMs,
  supervisorRssMiB: stack.rss,
  perRound: engineRates.map((rate, i) => ({ engine: rate, stack: stacks[i].rate })),
};
if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const f = (value, digits = 1) => (value === null ? "n/a" : value.toFixed(digits));
  process.stdout.write(
    [
      `cpu-pearl bench: shape m${shape.m} n${shape.n} k${shape.k} r${shape.rank}, ${threads} thread(s), ${rounds} × ${seconds} s windows (medians)`,
      `  engine pool alone      ${f(engine, 2)} attempts/s`,
      `  whole stack            ${f(stack.rate, 2)} attempts/s  (${f(result.stackLossPercent)} % lost)`,
      `  start → first job      ${f(stack.startMs, 0)} ms`,
      `  stop                   ${f(stack.stopMs, 0)} ms`,
      `  supervisor RSS         ${f(stack.rss)} MiB`,
      "",
    ].join("\n"),
  );
}
