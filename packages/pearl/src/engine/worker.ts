// A mining worker thread: one engine instance, reused across jobs. It runs attempts back to back
// and polls the shared generation word between row tiles, so a new job or an abort stops it
// within one row tile (tens of microseconds).
import { readFileSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { buildPlainProof } from "../protocol/build.js";
import { EngineCore } from "./core.js";
import {
  CONTROL_GENERATION,
  type JobMessage,
  type WorkerReply,
  type WorkerSetup,
} from "./messages.js";

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control);
const winLimit = new BigInt64Array(setup.winLimit);
const counters = new Float64Array(setup.counters);
const slot = 2 * setup.index;
let core: EngineCore | undefined;
let coreShape = "";

function post(reply: WorkerReply): void {
  parentPort!.postMessage(reply);
}

/** Why a job ended here; "outrun": a lower attempt (another worker's) already won. */
type Ending = "stopped" | "exhausted" | "won" | "outrun";

function runJob(job: JobMessage): Ending {
  const shapeKey = JSON.stringify(job.shape);
  if (!core || coreShape !== shapeKey) {
    core = new EngineCore(job.shape, setup.module);
    coreShape = shapeKey;
  }
  const engine = core;
  const stale = () => Atomics.load(control, CONTROL_GENERATION) !== job.generation;
  if (stale()) return "stopped";
  engine.setJob({
    jobKey: job.jobKey,
    certVersion: job.certVersion,
    bound: job.bound,
    seed: job.seed,
  });
  for (let attempt = job.first; ; attempt += job.stride) {
    if (job.maxAttempts !== undefined && attempt >= job.maxAttempts) return "exhausted";
    const index = BigInt(attempt);
    const outrun = () => index >= Atomics.load(winLimit, 0);
    if (stale()) return "stopped";
    if (outrun()) return "outrun";
    const outcome = engine.attempt(attempt, () => stale() || outrun());
    counters[slot + 1] = counters[slot + 1]! + outcome.tiles;
    if (outcome.kind === "stopped") return stale() ? "stopped" : "outrun";
    counters[slot] = counters[slot]! + 1;
    if (outcome.kind === "win") {
      // Built here, not on the caller's thread: hashing A and Bᵀ again for the Merkle proofs is the
      // slow part, and the caller's event loop stays free.
      const proof = buildPlainProof({
        header: job.header,
        shape: job.shape,
        certVersion: job.certVersion,
        a: engine.matrixA(),
        bt: engine.matrixBt(),
        rowOffset: outcome.rowOffset,
        colOffset: outcome.colOffset,
      });
      post({ type: "win", generation: job.generation, attempt, proof });
      return "won";
    }
  }
}

/** CPU time of this thread in ms (Linux), to tell the engine's speed from a busy machine's. */
function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function done(job: JobMessage, reason: Ending): void {
  post({
    type: "done",
    generation: job.generation,
    reason,
    phases: { ...(core?.phases ?? { generate: 0, commit: 0, noise: 0, pack: 0, scan: 0 }) },
    memoryBytes: core?.memoryBytes ?? 0,
    cpuMs: threadCpuMs(),
  });
}

const LOW_PRIORITY = 10;
let priority: number | undefined;
let priorityError: string | undefined;
if (setup.lowPriority) {
  try {
    // On Linux, pid 0 names the calling thread, so only this worker is deprioritised. Never raise
    // the priority of an already nicer process (that would need privileges).
    setPriority(0, Math.max(getPriority(0), LOW_PRIORITY));
    priority = getPriority(0);
  } catch (error) {
    priorityError = (error as Error).message;
  }
}

parentPort!.on("message", (job: JobMessage) => {
  try {
    done(job, runJob(job));
  } catch (error) {
    post({ type: "error", generation: job.generation, message: (error as Error).message });
    done(job, "stopped");
  }
});
post({ type: "ready", priority, ...(priorityError ? { priorityError } : {}) });
