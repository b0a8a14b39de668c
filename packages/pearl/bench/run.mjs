// Benchmark of the WebAssembly engine against dist/ (run `pnpm build` first):
//   pnpm --filter @openjarvis/pearl bench [-- --json] [-- --seconds 3]
// For both shapes, with one thread and with one per core: attempts/s, effective GMAC/s (m·n·k per
// attempt), ms per attempt on one worker, and where that time goes. It also runs the native C
// probe of ../../shared/bench when present and the scalar TypeScript reference for comparison.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import {
  createMinerPool,
  encodeIncompleteHeader,
  MAINNET_SHAPE,
  mineReference,
  OPENJARVIS_SHAPE,
} from "../dist/index.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const secondsArg = args.indexOf("--seconds");
const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 3;
const log = (line) => {
  if (!json) console.log(line);
};

const header = encodeIncompleteHeader({
  version: 0,
  prevBlock: new Uint8Array(32).fill(1),
  merkleRoot: new Uint8Array(32).fill(2),
  timestamp: 0x66666666,
  // Mainnet's PowLimit: about 2^-33 per tile, so no attempt wins during a benchmark.
  nbits: 0x1b00ffff,
});
const shapes = [OPENJARVIS_SHAPE, MAINNET_SHAPE].map((s) => ({
  ...s,
  rows: [...s.rows],
  cols: [...s.cols],
}));
const allCores = Math.max(1, availableParallelism());
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function runFor(pool, shape, ms, seed) {
  const controller = new AbortController();
  const running = pool.mine({ header, certVersion: 3, shape }, { signal: controller.signal, seed });
  running.catch(() => {});
  await sleep(ms);
  controller.abort();
  await pool.whenIdle();
}

async function measure(shape, threads) {
  const rssBefore = process.memoryUsage().rss;
  const pool = createMinerPool({ threads });
  // Warm-up: V8 tiers the kernel up from Liftoff to TurboFan code.
  await runFor(pool, shape, 1000, 1);
  const c0 = pool.counters();
  const s0 = pool.stats();
  const t0 = performance.now();
  await runFor(pool, shape, seconds * 1000, 2);
  const elapsed = (performance.now() - t0) / 1000;
  const c1 = pool.counters();
  const s1 = pool.stats();
  const rss = process.memoryUsage().rss - rssBefore;
  await pool.close();
  const attempts = c1.attempts - c0.attempts;
  const attemptsPerSecond = attempts / elapsed;
  const phases = {};
  for (const [name, ms] of Object.entries(s1.phases))
    phases[name] = round((ms - s0.phases[name]) / attempts, 3);
  const cpuSeconds =
    s1.cpuMs !== undefined && s0.cpuMs !== undefined ? (s1.cpuMs - s0.cpuMs) / 1000 : undefined;
  const macs = shape.m * shape.n * shape.k;
  return {
    m: shape.m,
    n: shape.n,
    k: shape.k,
    rank: shape.rank,
    threads,
    attemptsPerSecond: round(attemptsPerSecond, 1),
    effectiveGmacPerSecond: round((attemptsPerSecond * macs) / 1e9, 2),
    msPerAttempt: round((1000 * threads) / attemptsPerSecond, 3),
    phases,
    // The same work per second of CPU time the workers actually got (the host may be oversubscribed).
    cpuMsPerAttempt: cpuSeconds ? round((1000 * cpuSeconds) / attempts, 3) : null,
    cpuEffectiveGmacPerSecond: cpuSeconds ? round((attempts * macs) / cpuSeconds / 1e9, 2) : null,
    cpuShare: cpuSeconds ? round(cpuSeconds / (elapsed * threads), 2) : null,
    wasmMemoryBytesPerWorker: s1.memoryBytesPerWorker,
    rssBytesPerWorker: Math.round(rss / threads),
  };
}

function nativeProbe() {
  const script = fileURLToPath(
    new URL("../../../../shared/bench/native-limit.sh", import.meta.url),
  );
  if (!existsSync(script)) return { available: false, reason: `${script} not found` };
  try {
    const out = execFileSync(script, ["50"], { encoding: "utf8", timeout: 120_000 });
    return { available: true, ...JSON.parse(out.trim().split("\n").at(-1)) };
  } catch (error) {
    return { available: false, reason: error.message.split("\n")[0] };
  }
}

async function referenceRate(shape) {
  // Time attempts 2..4 from mineReference's per-attempt progress calls, so the per-job work on B
  // (done before attempt 1 ends) is left out.
  const marks = [];
  await mineReference(
    { header, certVersion: 3, shape },
    {
      seed: 1,
      maxAttempts: 4,
      onProgress: () => {
        const cpu = process.cpuUsage();
        marks.push({ wall: performance.now(), cpu: (cpu.user + cpu.system) / 1000 });
      },
    },
  ).catch(() => {});
  const first = marks[0];
  const last = marks.at(-1);
  const attempts = marks.length - 1;
  const msPerAttempt = (last.wall - first.wall) / attempts;
  return {
    m: shape.m,
    n: shape.n,
    k: shape.k,
    rank: shape.rank,
    msPerAttempt: round(msPerAttempt, 1),
    attemptsPerSecond: round(1000 / msPerAttempt, 2),
    cpuMsPerAttempt: round((last.cpu - first.cpu) / attempts, 1),
  };
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const measuredAt = new Date().toISOString();
log(
  `Pearl Int7 engine benchmark, ${measuredAt}, ${allCores} cores, ${seconds} s per row (after 1 s warm-up)`,
);
const native = nativeProbe();
const results = [];
for (const shape of shapes) {
  for (const threads of [...new Set([1, allCores])]) {
    const row = await measure(shape, threads);
    results.push(row);
    log(
      `  measured m${row.m} n${row.n} k${row.k} r${row.rank} × ${threads} thread(s): ${row.attemptsPerSecond} attempts/s`,
    );
  }
}
const reference = [];
for (const shape of shapes) reference.push(await referenceRate(shape));
const nativeAfter = nativeProbe(); // the host is noisy: probe before and after, keep the best

const nativeGmac =
  Math.max(native.nativeGmacPerSecond ?? 0, nativeAfter.nativeGmacPerSecond ?? 0) || undefined;
const summary = shapes.map((shape) => {
  const one = results.find((r) => r.k === shape.k && r.threads === 1);
  const all = results.find((r) => r.k === shape.k && r.threads === allCores);
  const ref = reference.find((r) => r.k === shape.k);
  return {
    m: shape.m,
    n: shape.n,
    k: shape.k,
    rank: shape.rank,
    singleThreadToNative: nativeGmac ? round(one.effectiveGmacPerSecond / nativeGmac, 3) : null,
    singleThreadCpuToNative:
      nativeGmac && one.cpuEffectiveGmacPerSecond
        ? round(one.cpuEffectiveGmacPerSecond / nativeGmac, 3)
        : null,
    allCoresToSingleThread: round(all.attemptsPerSecond / one.attemptsPerSecond, 2),
    singleThreadToReference: round(one.attemptsPerSecond / ref.attemptsPerSecond, 1),
    singleThreadCpuToReference: one.cpuMsPerAttempt
      ? round(ref.cpuMsPerAttempt / one.cpuMsPerAttempt, 1)
      : null,
  };
});
const report = {
  measuredAt,
  cores: allCores,
  node: process.version,
  results,
  native: { before: native, after: nativeAfter, bestGmacPerSecond: nativeGmac ?? null },
  reference,
  summary,
};

if (json) {
  console.log(JSON.stringify(report));
} else {
  const table = results.map((r) => ({
    shape: `m${r.m} n${r.n} k${r.k} r${r.rank}`,
    threads: r.threads,
    "attempts/s": r.attemptsPerSecond,
    "GMAC/s": r.effectiveGmacPerSecond,
    "ms/attempt": r.msPerAttempt,
    ...Object.fromEntries(Object.entries(r.phases).map(([k, v]) => [`${k} ms`, v])),
    "cpu ms/attempt": r.cpuMsPerAttempt,
    "GMAC/s per cpu": r.cpuEffectiveGmacPerSecond,
    "cpu share": r.cpuShare,
    "wasm MiB": round(r.wasmMemoryBytesPerWorker / 2 ** 20, 2),
  }));
  console.table(table);
  console.log(`native probe (gcc -O3 -march=native, k1024): ${nativeGmac ?? "unavailable"} GMAC/s`);
  console.table(
    reference.map((r) => ({
      "scalar reference": `m${r.m} n${r.n} k${r.k} r${r.rank}`,
      "ms/attempt": r.msPerAttempt,
      "attempts/s": r.attemptsPerSecond,
      "cpu ms/attempt": r.cpuMsPerAttempt,
    })),
  );
  console.table(
    summary.map((s) => ({
      shape: `k${s.k} r${s.rank}`,
      "1 thread / native": s.singleThreadToNative,
      "(per cpu) / native": s.singleThreadCpuToNative,
      "all cores / 1 thread": s.allCoresToSingleThread,
      "1 thread / scalar reference": s.singleThreadToReference,
      "(per cpu) / scalar reference": s.singleThreadCpuToReference,
    })),
  );
}
