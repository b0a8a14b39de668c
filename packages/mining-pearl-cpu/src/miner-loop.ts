/**
 * The supervisor's heart: poll the gateway for the job once a second over one connection, keep
 * the workers on the current job, abort stale work when it changes, and hand every winning
 * proof to the gateway on a one-shot connection. Dependencies are interfaces so the loop can be
 * driven by a real gateway, the devnet, or a test double.
 */
import type { GatewayJob, MiningShape } from "@openjarvis/pearl";

export interface EngineJob {
  header: Uint8Array;
  certVersion: number;
  shape: MiningShape;
}

export interface EngineResult {
  proofBase64: string;
  attempts: number;
}

/** A pool of workers mining one job at a time. */
export interface MinerEngine {
  mine(
    job: EngineJob,
    options: { signal: AbortSignal; onProgress: (attempts: number) => void },
  ): Promise<EngineResult>;
  close(): Promise<void>;
}

export interface LoopEvents {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface MinerLoopOptions {
  shape: MiningShape;
  /** Polls `getMiningInfo` (one persistent connection). */
  poll: () => Promise<GatewayJob>;
  /** Sends one proof (a one-shot connection); resolves with the gateway's answer. */
  submit: (proofBase64: string, job: GatewayJob) => Promise<string>;
  /** Builds a fresh engine (again after a worker failure). */
  createEngine: () => Promise<MinerEngine>;
  events: LoopEvents;
  pollIntervalMs?: number;
  /** Consecutive failed polls after which the current job is retired (the upstream miner: 3). */
  retireAfterFailures?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Explains a paused gateway (e.g. from its log); null when unknown. */
  pauseReason?: () => string | null;
}

export interface LoopCounters {
  attempts: number;
  proofsFound: number;
  proofsSubmitted: number;
  proofsRejected: number;
  workerRestarts: number;
  lastProofAt: number | null;
  lastError: string | null;
  job: GatewayJob | null;
  jobReceivedAt: number | null;
  /** True once workers have had a job at least once. */
  everMined: boolean;
}

function jobKey(job: GatewayJob): string {
  return job.rawJson;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function code(error: unknown): string | undefined {
  const value = (error as { code?: unknown } | null)?.code;
  return typeof value === "string" ? value : undefined;
}

/** Cert versions the Int7 CPU engine can mine. */
const MINEABLE_CERT_VERSIONS = new Set([1, 2, 3]);

export class MinerLoop {
  readonly counters: LoopCounters = {
    attempts: 0,
    proofsFound: 0,
    proofsSubmitted: 0,
    proofsRejected: 0,
    workerRestarts: 0,
    lastProofAt: null,
    lastError: null,
    job: null,
    jobReceivedAt: null,
    everMined: false,
  };
  private engine: MinerEngine | null = null;
  private work: { key: string; abort: AbortController; done: Promise<void> } | null = null;
  private stopped = false;
  private failedPolls = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private pollInFlight = false;
  private polling: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Promise<void>>();
  private readonly pollIntervalMs: number;
  private readonly retireAfter: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(private readonly options: MinerLoopOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.retireAfter = options.retireAfterFailures ?? 3;
    this.backoff = options.backoff ?? { initialMs: 1_000, maxMs: 30_000 };
  }

  /** True while workers hold a job they can mine. */
  get mining(): boolean {
    return this.work !== null;
  }

  start(): void {
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      if (this.stopped || this.pollInFlight) return;
      this.pollInFlight = true;
      this.polling = this.pollOnce().finally(() => {
        this.pollInFlight = false;
        if (!this.stopped && !this.pollTimer) this.schedule(this.pollIntervalMs);
      });
    }, delayMs);
  }

  /** A submitted winner usually changes the job: look now instead of mining a solved header. */
  private pollSoon(): void {
    if (!this.stopped && !this.pollInFlight) this.schedule(50);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await this.polling.catch(() => undefined);
    await this.retire();
    // A proof already found is worth a short wait, but a stalled gateway must not hold us.
    await Promise.race([
      Promise.allSettled([...this.inflight]),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
    await this.engine?.close().catch(() => undefined);
    this.engine = null;
  }

  private async pollOnce(): Promise<void> {
    let job: GatewayJob;
    try {
      job = await this.options.poll();
    } catch (error) {
      this.failedPolls += 1;
      const paused = code(error) === "E_GATEWAY_PAUSED";
      const why = paused
        ? `the gateway has no work yet (mining paused)${this.reasonSuffix()}`
        : `polling the gateway failed: ${message(error)}${this.reasonSuffix()}`;
      if (this.counters.lastError !== why) this.options.events.warn(why);
      this.counters.lastError = why;
      // A paused gateway has no template at all (it was restarted); unreachable may be brief.
      if (paused || this.failedPolls >= this.retireAfter) await this.retire();
      return;
    }
    this.failedPolls = 0;
    if (this.stopped) return;
    const key = jobKey(job);
    if (this.work?.key === key) return;
    await this.retire();
    this.counters.job = job;
    this.counters.jobReceivedAt = Date.now();
    if (!MINEABLE_CERT_VERSIONS.has(job.certVersion)) {
      this.counters.lastError = `the job needs certificate version ${job.certVersion}, which the CPU (Int7) engine cannot mine`;
      this.options.events.error(this.counters.lastError);
      return;
    }
    this.options.events.info(
      `new job: cert_version ${job.certVersion}, target ${job.target.toString(16).length} hex digits`,
    );
    const abort = new AbortController();
    this.work = { key, abort, done: this.mineJob(job, abort.signal) };
  }

  private reasonSuffix(): string {
    const reason = this.options.pauseReason?.();
    return reason ? `: ${reason}` : "";
  }

  private async retire(): Promise<void> {
    const work = this.work;
    if (!work) return;
    this.work = null;
    work.abort.abort();
    await work.done;
  }

  private async mineJob(job: GatewayJob, signal: AbortSignal): Promise<void> {
    let delay = this.backoff.initialMs;
    while (!signal.aborted) {
      let base = this.counters.attempts;
      try {
        this.engine ??= await this.options.createEngine();
        if (signal.aborted) return;
        this.counters.everMined = true;
        const result = await this.engine.mine(
          {
            header: job.incompleteHeaderBytes,
            certVersion: job.certVersion,
            shape: this.options.shape,
          },
          {
            signal,
            onProgress: (attempts) => {
              this.counters.attempts = base + attempts;
            },
          },
        );
        this.counters.attempts = base + result.attempts;
        base = this.counters.attempts;
        delay = this.backoff.initialMs;
        this.counters.proofsFound += 1;
        this.counters.lastProofAt = Date.now();
        this.options.events.info(`found a winning proof after ${result.attempts} attempts`);
        this.track(this.deliver(result.proofBase64, job));
      } catch (error) {
        if (signal.aborted) return;
        this.counters.workerRestarts += 1;
        this.counters.lastError = `the worker pool failed: ${message(error)}`;
        this.options.events.error(`${this.counters.lastError}; restarting in ${delay} ms`);
        const engine = this.engine;
        this.engine = null;
        await engine?.close().catch(() => undefined);
        await sleep(delay, signal);
        delay = Math.min(delay * 2, this.backoff.maxMs);
      }
    }
  }

  private track(promise: Promise<void>): void {
    this.inflight.add(promise);
    void promise.finally(() => this.inflight.delete(promise));
  }

  private async deliver(proofBase64: string, job: GatewayJob): Promise<void> {
    try {
      const answer = await this.options.submit(proofBase64, job);
      this.counters.proofsSubmitted += 1;
      this.options.events.info(`proof handed to the gateway: ${answer}`);
      this.pollSoon();
    } catch (error) {
      this.counters.proofsRejected += 1;
      this.counters.lastError = `the gateway refused a proof: ${message(error)}`;
      this.options.events.error(this.counters.lastError);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
