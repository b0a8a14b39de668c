/**
 * Adapts `@openjarvis/pearl`'s WebAssembly engine — a long-lived `worker_threads` pool — to the
 * loop's `MinerEngine` interface. A new job on the pool aborts the previous one.
 */
import { type CertVersion, createMinerPool, plainProofToBase64 } from "@openjarvis/pearl";
import type { MinerEngine } from "./miner-loop.js";

export function createPearlEngine(threads: number, lowPriority: boolean): MinerEngine {
  const pool = createMinerPool({ threads, lowPriority });
  return {
    async mine(job, { signal, onProgress }) {
      const result = await pool.mine(
        { header: job.header, certVersion: job.certVersion as CertVersion, shape: job.shape },
        { signal, onProgress: (progress) => onProgress(progress.attempts) },
      );
      return { proofBase64: plainProofToBase64(result.proof), attempts: result.attempts };
    },
    close: () => pool.close(),
  };
}
