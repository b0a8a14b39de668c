import type { PlainProof } from "../protocol/proof.js";
import type { CertVersion, MiningShape } from "../protocol/shape.js";
import type { AttemptPhases } from "./core.js";
import type { EngineModule } from "./wasm.js";

/** Layout of the shared control buffer: one generation word, then per-worker counters. */
export const CONTROL_GENERATION = 0;

export interface WorkerSetup {
  module: EngineModule;
  control: SharedArrayBuffer;
  /** Float64 pairs (attempts, tiles) per worker, cumulative over the pool's life. */
  counters: SharedArrayBuffer;
  index: number;
  lowPriority: boolean;
}

export interface JobMessage {
  type: "job";
  generation: number;
  header: Uint8Array;
  shape: MiningShape;
  jobKey: Uint8Array;
  certVersion: CertVersion;
  bound: bigint;
  seed: number;
  /** This worker runs attempts first, first + stride, … (below maxAttempts when set). */
  first: number;
  stride: number;
  maxAttempts: number | undefined;
}

export type WorkerReply =
  | { type: "ready"; priority: number | undefined; priorityError?: string }
  | {
      type: "win";
      generation: number;
      attempt: number;
      proof: PlainProof;
    }
  | {
      type: "done";
      generation: number;
      reason: "stopped" | "exhausted" | "won";
      phases: AttemptPhases;
      memoryBytes: number;
      /** CPU time the worker thread has used so far (Linux only). */
      cpuMs: number | undefined;
    }
  | { type: "error"; generation: number; message: string };
