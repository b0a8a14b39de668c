import type { MineJob, MineOptions, MineResult } from "../protocol/mine.js";
import { prepareJob } from "./job.js";
import { checkMineOptions, createMinerPool } from "./pool.js";

/**
 * Mine one job with the WebAssembly SIMD engine on `threads` worker threads (default: one per
 * core). Resolves with the first winning tile's PlainProof; aborting rejects with E_ABORTED and
 * running out of `maxAttempts` with E_TIMEOUT. The lowest winning attempt wins, so with `seed` the
 * proof is identical to `mineReference`'s for any number of threads.
 */
export async function mine(job: MineJob, options: MineOptions = {}): Promise<MineResult> {
  // Refuse a bad job or option before any worker starts.
  prepareJob(job);
  checkMineOptions(options);
  const pool = createMinerPool(options.threads === undefined ? {} : { threads: options.threads });
  try {
    return await pool.mine(job, options);
  } finally {
    await pool.close();
  }
}
