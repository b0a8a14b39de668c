import type { GatewayJob } from "@openjarvis/pearl";
import { describe, expect, it, vi } from "vitest";
import { type EngineJob, type MinerEngine, MinerLoop } from "../src/miner-loop.js";

const shape = { m: 256, n: 128, k: 1024, rank: 32, rows: [0, 8, 64, 72], cols: [0, 1, 8, 9] };

function job(tag: number, certVersion = 3): GatewayJob {
  const header = new Uint8Array(76).fill(tag);
  return {
    incompleteHeaderBytes: header,
    target: 1000n + BigInt(tag),
    certVersion,
    ancestorHeaders: [],
    raw: {},
    rawJson: `{"tag":${tag},"cert_version":${certVersion}}`,
  };
}

function paused(): Error {
  return Object.assign(new Error("the gateway is paused"), { code: "E_GATEWAY_PAUSED" });
}

/** An engine that mines until aborted, or wins when `win` is called. */
class FakeEngine implements MinerEngine {
  started: EngineJob[] = [];
  aborted = 0;
  closed = 0;
  private pending: { resolve: (attempts: number) => void; reject: (e: Error) => void } | null =
    null;

  mine(job: EngineJob, options: { signal: AbortSignal; onProgress: (n: number) => void }) {
    this.started.push(job);
    options.onProgress(5);
    return new Promise<{ proofBase64: string; attempts: number }>((resolve, reject) => {
      this.pending = {
        resolve: (attempts) => resolve({ proofBase64: `proof-${job.header[0]}`, attempts }),
        reject,
      };
      options.signal.addEventListener("abort", () => {
        this.aborted += 1;
        reject(new Error("aborted"));
      });
    });
  }

  win(attempts: number): void {
    this.pending?.resolve(attempts);
  }

  crash(): void {
    this.pending?.reject(new Error("worker exited with code 1"));
  }

  async close(): Promise<void> {
    this.closed += 1;
  }
}

const quiet = { info() {}, warn() {}, error() {} };

function setup(pollResults: (() => GatewayJob)[]) {
  const engines: FakeEngine[] = [];
  const submitted: { proof: string; job: GatewayJob }[] = [];
  let call = 0;
  const submit = vi.fn(async (proof: string, j: GatewayJob) => {
    submitted.push({ proof, job: j });
    return "submitted";
  });
  const loop = new MinerLoop({
    shape,
    poll: async () => {
      const next = pollResults[Math.min(call, pollResults.length - 1)] as () => GatewayJob;
      call += 1;
      return next();
    },
    submit,
    createEngine: async () => {
      const engine = new FakeEngine();
      engines.push(engine);
      return engine;
    },
    events: quiet,
    pollIntervalMs: 20,
    backoff: { initialMs: 10, maxMs: 40 },
  });
  return { loop, engines, submitted, submit, calls: () => call };
}

describe("MinerLoop", () => {
  it("mines the polled job, submits a winner with the job it was mined for, and keeps mining", async () => {
    const j1 = job(1);
    const { loop, engines, submitted } = setup([() => j1]);
    loop.start();
    await vi.waitFor(() => expect(engines[0]?.started.length).toBe(1));
    expect(loop.mining).toBe(true);
    expect(loop.counters.everMined).toBe(true);
    expect(engines[0]?.started[0]?.header).toEqual(j1.incompleteHeaderBytes);
    expect(engines[0]?.started[0]?.shape).toEqual(shape);
    engines[0]?.win(40);
    await vi.waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0]).toEqual({ proof: "proof-1", job: j1 });
    await vi.waitFor(() => expect(engines[0]?.started.length).toBe(2));
    expect(loop.counters.proofsFound).toBe(1);
    expect(loop.counters.proofsSubmitted).toBe(1);
    expect(loop.counters.attempts).toBe(45);
    await loop.stop();
    expect(engines[0]?.closed).toBe(1);
  });

  it("aborts stale work when the job changes", async () => {
    let current = job(1);
    const { loop, engines } = setup([() => current]);
    loop.start();
    await vi.waitFor(() => expect(engines[0]?.started.length).toBe(1));
    current = job(2);
    await vi.waitFor(() => expect(engines[0]?.started.length).toBe(2));
    expect(engines[0]?.aborted).toBe(1);
    expect(engines[0]?.started[1]?.header[0]).toBe(2);
    await loop.stop();
  });

  it("retires the job while the gateway is paused and resumes when work returns", async () => {
    let mode: "job" | "paused" = "job";
    const j1 = job(1);
    const { loop, engines } = setup([
      () => {
        if (mode === "paused") throw paused();
        return j1;
      },
    ]);
    loop.start();
    await vi.waitFor(() => expect(loop.mining).toBe(true));
    mode = "paused";
    await vi.waitFor(() => expect(loop.mining).toBe(false));
    expect(loop.counters.lastError).toMatch(/paused/);
    mode = "job";
    await vi.waitFor(() => expect(loop.mining).toBe(true));
    expect(engines[0]?.started.length).toBe(2);
    await loop.stop();
  });

  it("keeps mining through brief poll failures, retires after three in a row", async () => {
    let failing = false;
    let failures = 0;
    const j1 = job(1);
    const { loop } = setup([
      () => {
        if (failing) {
          failures += 1;
          throw new Error("connection refused");
        }
        return j1;
      },
    ]);
    loop.start();
    await vi.waitFor(() => expect(loop.mining).toBe(true));
    failing = true;
    await vi.waitFor(() => expect(failures).toBeGreaterThanOrEqual(2));
    if (failures === 2) expect(loop.mining).toBe(true);
    await vi.waitFor(() => expect(loop.mining).toBe(false));
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(loop.counters.lastError).toMatch(/connection refused/);
    await loop.stop();
  });

  it("replaces a crashed worker pool with back-off and counts the restart", async () => {
    const { loop, engines } = setup([() => job(1)]);
    loop.start();
    await vi.waitFor(() => expect(engines[0]?.started.length).toBe(1));
    engines[0]?.crash();
    await vi.waitFor(() => expect(engines[1]?.started.length).toBe(1));
    expect(engines[0]?.closed).toBe(1);
    expect(loop.counters.workerRestarts).toBe(1);
    expect(loop.counters.lastError).toMatch(/worker exited/);
    await loop.stop();
  });

  it("counts a refused proof as rejected", async () => {
    const { loop, engines, submit } = setup([() => job(1)]);
    submit.mockRejectedValueOnce(new Error("queue full"));
    loop.start();
    await vi.waitFor(() => expect(engines[0]?.started.length).toBe(1));
    engines[0]?.win(1);
    await vi.waitFor(() => expect(loop.counters.proofsRejected).toBe(1));
    expect(loop.counters.proofsSubmitted).toBe(0);
    expect(loop.counters.lastError).toMatch(/queue full/);
    await loop.stop();
  });

  it("refuses jobs the Int7 engine cannot mine", async () => {
    const { loop, engines } = setup([() => job(1, 4)]);
    loop.start();
    await vi.waitFor(() => expect(loop.counters.lastError).toMatch(/certificate version 4/));
    expect(engines).toHaveLength(0);
    expect(loop.mining).toBe(false);
    await loop.stop();
  });
});
