// Micro-benchmarks for the hot-ish paths of mining-core, against the built dist.
// Usage: pnpm bench (after pnpm build). Numbers are wall-clock and noisy on shared machines.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import {
  acquireLock,
  detectHardware,
  parsePrometheusText,
  readSidecar,
  redactSecrets,
  writeSidecar,
} from "../dist/index.js";

async function time(label, iterations, fn) {
  await fn(0);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn(i);
  const perOp = (performance.now() - start) / iterations;
  console.log(`${label.padEnd(44)} ${perOp.toFixed(3).padStart(9)} ms/op  (${iterations} ops)`);
}

const dir = mkdtempSync(path.join(tmpdir(), "mining-core-bench-"));
try {
  const metrics = readFileSync(
    new URL("../test/fixtures/vllm-metrics.txt", import.meta.url),
    "utf8",
  );
  const big = metrics.repeat(50);
  await time(`parsePrometheusText (${metrics.length} B vLLM fixture)`, 2000, () =>
    parsePrometheusText(metrics),
  );
  await time(`parsePrometheusText (${big.length} B)`, 50, () => parsePrometheusText(big));
  const sidecar = path.join(dir, "runtime", "mining.json");
  await time("writeSidecar (atomic, fsync) + readSidecar", 200, (i) => {
    writeSidecar(sidecar, { provider: "cpu-pearl", started_at: i, wallet_address: "prl1q" });
    readSidecar(sidecar);
  });
  const lock = path.join(dir, "runtime", "mining.lock");
  await time("acquireLock + release (uncontended)", 200, async () => {
    const handle = await acquireLock(lock);
    await handle.release();
  });
  const log = "INFO rpc_password: hunter2 PEARLD_RPC_PASSWORD=x token abcdefgh\n".repeat(16_000);
  await time(`redactSecrets (${(log.length / 1e6).toFixed(1)} MB log)`, 10, () =>
    redactSecrets(log, ["abcdefgh"]),
  );
  await time("detectHardware (this machine)", 3, () => detectHardware({ timeoutMs: 5_000 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
