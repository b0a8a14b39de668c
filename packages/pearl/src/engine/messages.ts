import type { PlainProof } from "../protocol/proof.js";
import type { CertVersion, MiningShape } from "../protocol/shape.js";
import type { AttemptPhases } from "./core.js";
import type { EngineModule } from "./wasm.js";

/** The shared control word: the current job's generation. */
export const CONTROL_GENERATION = 0;
/** No attempt has won yet (the shared win limit). */
export const NO_WIN = (1n << 62n) - 1n;

export interface WorkerSetup {
  module: EngineModule;
  control: SharedArrayBuffer;
  /** BigInt64 of the lowest winning attempt so far; workers start no attempt at or above it. */
  winLimit: SharedArrayBuffer;
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
      reason: "stopped" | "exhausted" | "won" | "outrun";
      phases: AttemptPhases;
      memoryBytes: number;
      /** CPU time the worker thread has used so far (Linux only). */
      cpuMs: number | undefined;
    }
  | { type: "error"; generation: number; message: string };
