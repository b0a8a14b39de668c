import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ErrorCodes, MiningError, toMiningError } from "@openjarvis/mining-core";
import type { MineJob, MineProgress, MineResult } from "../protocol/mine.js";
import type { PlainProof } from "../protocol/proof.js";
import type { AttemptPhases } from "./core.js";
import { type PreparedJob, prepareJob } from "./job.js";
import {
  CONTROL_GENERATION,
  type JobMessage,
  NO_WIN,
  type WorkerReply,
  type WorkerSetup,
} from "./messages.js";
import { builtArtifact, engineModule } from "./wasm.js";

export interface MinerPoolOptions {
  /** Worker threads; default one per core (`os.availableParallelism()`). */
  threads?: number;
  /** Lower each worker thread's OS priority (nice 10) so the machine stays responsive. */
  lowPriority?: boolean;
}

export interface PoolMineOptions {
  signal?: AbortSignal;
  onProgress?(progress: MineProgress): void;
  /** u32 seed of the deterministic generator; random when omitted. */
  seed?: number;
  /** Give up with E_TIMEOUT after this many attempts (all threads together). */
  maxAttempts?: number;
  /** How often onProgress is called; default 250 ms. */
  progressIntervalMs?: number;
}

export interface MinerCounters {
  /** Completed attempts since the pool started (every job). */
  attempts: number;
  /** Tiles scanned since the pool started. */
  tiles: number;
}

export interface MinerPoolStats {
  threads: number;
  /** Milliseconds per phase, summed over all workers and attempts. */
  phases: AttemptPhases;
  /** WebAssembly memory of the largest worker engine, in bytes. */
  memoryBytesPerWorker: number;
  /** CPU time used by the worker threads so far, in ms (Linux; undefined elsewhere). */
  cpuMs: number | undefined;
  /** Each worker's OS priority when `lowPriority` was requested. */
  priorities: (number | undefined)[];
}

export interface MinerPool {
  readonly threads: number;
  /** Mine one job. Starting another job (or aborting) rejects this one with E_ABORTED. */
  mine(job: MineJob, options?: PoolMineOptions): Promise<MineResult>;
  counters(): MinerCounters;
  stats(): MinerPoolStats;
  /** Resolves once every worker has stopped its current work. */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

interface WorkerSlot {
  worker: Worker;
  busy: number | undefined;
  phases: AttemptPhases;
  memoryBytes: number;
  cpuMs: number | undefined;
  priority: number | undefined;
}

interface ActiveJob {
  generation: number;
  prepared: PreparedJob;
  started: number;
  startCounters: MinerCounters;
  /** Workers that finished this job (won, outrun or out of attempts). */
  finished: number;
  /** The lowest winning attempt so far; the job resolves with it once every worker finished. */
  best: { attempt: number; proof: PlainProof } | undefined;
  resolve(result: MineResult): void;
  reject(error: MiningError): void;
  onProgress: ((progress: MineProgress) => void) | undefined;
  timer: NodeJS.Timeout | undefined;
  cleanup(): void;
}

const MAX_THREADS = 256;

function abortError(reason: string): MiningError {
  return new MiningError(ErrorCodes.ABORTED, `mining aborted: ${reason}`, {
    hint: "the job was cancelled (a new job arrived, the signal fired or the pool closed)",
  });
}

function checkThreads(threads: unknown): number {
  if (threads === undefined) return Math.max(1, availableParallelism());
  if (
    typeof threads !== "number" ||
    !Number.isInteger(threads) ||
    threads < 1 ||
    threads > MAX_THREADS
  ) {
    throw new MiningError(ErrorCodes.USAGE, `threads must be an integer in [1, ${MAX_THREADS}]`, {
      hint: "omit threads for one worker per core",
      details: { threads },
    });
  }
  return threads;
}

/** Refuse a bad seed or maxAttempts before any work. */
export function checkMineOptions(options: PoolMineOptions): void {
  const { seed, maxAttempts } = options;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new MiningError(ErrorCodes.USAGE, "seed must be a u32", {
      hint: "e.g. seed: 1",
      details: { seed },
    });
  }
  if (maxAttempts !== undefined && !(Number.isSafeInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new MiningError(ErrorCodes.USAGE, "maxAttempts must be a positive integer", {
      hint: "omit it to mine until a tile wins",
      details: { maxAttempts },
    });
  }
}

const emptyPhases = (): AttemptPhases => ({ generate: 0, commit: 0, noise: 0, pack: 0, scan: 0 });

/** The pool behind `createMinerPool`; `workerUrl` is replaceable for tests of worker failures. */
export class WorkerPool implements MinerPool {
  readonly threads: number;
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private readonly winLimit = new BigInt64Array(new SharedArrayBuffer(8));
  private readonly counterBuffer: SharedArrayBuffer;
  private readonly counterView: Float64Array;
  private readonly slots: WorkerSlot[] = [];
  private readonly module = engineModule();
  private generation = 0;
  private active: ActiveJob | undefined;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly options: MinerPoolOptions,
    private readonly workerUrl: URL = builtArtifact("engine-worker.js"),
  ) {
    this.threads = checkThreads(options.threads);
    this.counterBuffer = new SharedArrayBuffer(16 * this.threads);
    this.counterView = new Float64Array(this.counterBuffer);
    for (let i = 0; i < this.threads; i++) this.slots.push(this.spawn(i));
  }

  private spawn(index: number): WorkerSlot {
    const setup: WorkerSetup = {
      module: this.module,
      control: this.control.buffer as SharedArrayBuffer,
      winLimit: this.winLimit.buffer as SharedArrayBuffer,
      counters: this.counterBuffer,
      index,
      lowPriority: this.options.lowPriority === true,
    };
    const worker = new Worker(this.workerUrl, { workerData: setup, name: `pearl-miner-${index}` });
    const slot: WorkerSlot = {
      worker,
      busy: undefined,
      phases: emptyPhases(),
      memoryBytes: 0,
      cpuMs: undefined,
      priority: undefined,
    };
    worker.on("message", (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on("error", (error) => this.onWorkerFailure(slot, error.message));
    worker.on("exit", (code) => {
      if (!this.closed) this.onWorkerFailure(slot, `worker exited with code ${code}`);
    });
    return slot;
  }

  private onWorkerFailure(slot: WorkerSlot, message: string): void {
    const index = this.slots.indexOf(slot);
    if (this.closed || index < 0) return;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.slots[index] = this.spawn(index);
    this.fail(new MiningError(ErrorCodes.INTERNAL, `a mining worker failed: ${message}`));
    this.notifyIdle();
  }

  private onReply(slot: WorkerSlot, reply: WorkerReply): void {
    const job = this.active;
    switch (reply.type) {
      case "ready":
        slot.priority = reply.priority;
        return;
      case "done":
        if (slot.busy === reply.generation) slot.busy = undefined;
        slot.phases = reply.phases;
        slot.memoryBytes = Math.max(slot.memoryBytes, reply.memoryBytes);
        slot.cpuMs = reply.cpuMs;
        if (job && job.generation === reply.generation && reply.reason !== "stopped") {
          job.finished += 1;
          if (job.finished === this.threads) this.settle(job);
        }
        this.notifyIdle();
        return;
      case "error":
        if (job && job.generation === reply.generation) {
          this.finish(job);
          job.reject(
            new MiningError(ErrorCodes.INTERNAL, `mining failed in a worker: ${reply.message}`),
          );
        }
        return;
      case "win":
        // Keep the lowest winning attempt; workers still below it finish their attempts, so the
        // proof does not depend on the number of threads or on timing.
        if (!job || job.generation !== reply.generation) return;
        if (!job.best || reply.attempt < job.best.attempt) {
          job.best = { attempt: reply.attempt, proof: reply.proof };
          Atomics.store(this.winLimit, 0, BigInt(reply.attempt));
        }
        return;
    }
  }

  /** Every worker finished the job: resolve with the lowest win, or time out. */
  private settle(job: ActiveJob): void {
    this.finish(job);
    const progress = this.progressOf(job);
    if (!job.best) {
      job.reject(
        new MiningError(ErrorCodes.TIMEOUT, "no winning tile within maxAttempts", {
          hint: "raise maxAttempts or use an easier target (nbitsOverride)",
          details: { attempts: progress.attempts },
        }),
      );
      return;
    }
    const attempts = job.best.attempt + 1;
    this.report(job, { ...progress, attempts });
    job.resolve({ proof: job.best.proof, attempts, elapsedMs: progress.elapsedMs });
  }

  counters(): MinerCounters {
    let attempts = 0;
    let tiles = 0;
    for (let i = 0; i < this.threads; i++) {
      attempts += this.counterView[2 * i]!;
      tiles += this.counterView[2 * i + 1]!;
    }
    return { attempts, tiles };
  }

  stats(): MinerPoolStats {
    const phases = emptyPhases();
    for (const slot of this.slots) {
      for (const key of Object.keys(phases) as (keyof AttemptPhases)[])
        phases[key] += slot.phases[key];
    }
    return {
      threads: this.threads,
      phases,
      memoryBytesPerWorker: Math.max(0, ...this.slots.map((slot) => slot.memoryBytes)),
      cpuMs: this.slots.every((slot) => slot.cpuMs !== undefined)
        ? this.slots.reduce((sum, slot) => sum + slot.cpuMs!, 0)
        : undefined,
      priorities: this.slots.map((slot) => slot.priority),
    };
  }

  private progressOf(job: ActiveJob): MineProgress {
    const now = this.counters();
    return {
      attempts: now.attempts - job.startCounters.attempts,
      tiles: now.tiles - job.startCounters.tiles,
      elapsedMs: performance.now() - job.started,
    };
  }

  /** Call the job's onProgress; if it throws, the job fails with that error instead of the process. */
  private report(job: ActiveJob, progress: MineProgress): void {
    try {
      job.onProgress?.(progress);
    } catch (error) {
      if (this.active === job) this.fail(toMiningError(error));
    }
  }

  /** Invalidate whatever the workers are doing; they notice between row tiles. */
  private stopWorkers(): number {
    this.generation += 1;
    Atomics.store(this.control, CONTROL_GENERATION, this.generation);
    return this.generation;
  }

  private finish(job: ActiveJob): void {
    if (this.active === job) this.active = undefined;
    this.stopWorkers();
    job.cleanup();
  }

  private fail(error: MiningError): void {
    const job = this.active;
    if (!job) return;
    this.finish(job);
    job.reject(error);
  }

  private notifyIdle(): void {
    if (this.slots.some((slot) => slot.busy !== undefined)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIdle();
    });
  }

  mine(job: MineJob, options: PoolMineOptions = {}): Promise<MineResult> {
    if (this.closed) {
      return Promise.reject(new MiningError(ErrorCodes.NOT_RUNNING, "the miner pool is closed"));
    }
    let prepared: PreparedJob;
    try {
      prepared = prepareJob(job);
      checkMineOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError("the signal was already aborted"));
    this.fail(abortError("superseded by a new job"));

    return new Promise<MineResult>((resolve, reject) => {
      const generation = this.stopWorkers();
      Atomics.store(this.winLimit, 0, NO_WIN);
      const onAbort = () => {
        if (this.active === active) this.fail(abortError("the signal fired"));
      };
      const active: ActiveJob = {
        generation,
        prepared,
        started: performance.now(),
        startCounters: this.counters(),
        finished: 0,
        best: undefined,
        resolve,
        reject,
        onProgress: options.onProgress,
        timer: undefined,
        cleanup: () => {
          if (active.timer) clearInterval(active.timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      this.active = active;
      signal?.addEventListener("abort", onAbort, { once: true });
      if (options.onProgress) {
        active.timer = setInterval(
          () => this.report(active, this.progressOf(active)),
          options.progressIntervalMs ?? 250,
        );
        active.timer.unref();
      }
      const seed = options.seed ?? globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
      this.slots.forEach((slot, index) => {
        slot.busy = generation;
        const message: JobMessage = {
          type: "job",
          generation,
          header: prepared.header,
          shape: prepared.shape,
          jobKey: prepared.jobKey,
          certVersion: prepared.certVersion,
          bound: prepared.bound,
          seed: seed >>> 0,
          first: index,
          stride: this.threads,
          maxAttempts: options.maxAttempts,
        };
        slot.worker.postMessage(message);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.fail(abortError("the miner pool closed"));
    this.closed = true;
    this.stopWorkers();
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    for (const slot of this.slots) slot.busy = undefined;
    this.notifyIdle();
  }
}

/**
 * A long-lived pool of mining workers (one WebAssembly engine each, reused across jobs). A new
 * `mine()` call aborts the previous job; workers notice within one row tile.
 */
export function createMinerPool(options: MinerPoolOptions = {}): MinerPool {
  return new WorkerPool(options);
}
