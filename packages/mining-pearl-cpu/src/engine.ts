/**
 * Adapts `@openjarvis/pearl`'s WebAssembly engine (a `worker_threads` pool) to the loop's
 * `MinerEngine` interface.
 */
import * as pearl from "@openjarvis/pearl";
import type { MinerEngine } from "./miner-loop.js";

type MineFn = typeof pearl.mineReference;

export function createPearlEngine(threads: number): MinerEngine {
  // TEMPORARY until the engine lands: fall back to the scalar reference miner.
  const mine =
    ((pearl as Record<string, unknown>).mine as MineFn | undefined) ?? pearl.mineReference;
  return {
    async mine(job, { signal, onProgress }) {
      const result = await mine(
        { header: job.header, certVersion: job.certVersion as pearl.CertVersion, shape: job.shape },
        { threads, signal, onProgress: (progress) => onProgress(progress.attempts) },
      );
      return { proofBase64: pearl.plainProofToBase64(result.proof), attempts: result.attempts };
    },
    async close() {},
  };
}
