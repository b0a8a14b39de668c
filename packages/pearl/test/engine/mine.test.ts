import { getPriority } from "node:os";
import { isMiningError } from "@openjarvis/mining-core";
import { afterAll, describe, expect, it } from "vitest";
import { mine } from "../../src/engine/mine.js";
import { createMinerPool, WorkerPool } from "../../src/engine/pool.js";
import { encodeIncompleteHeader } from "../../src/protocol/header.js";
import { mineReference } from "../../src/protocol/mine.js";
import { encodePlainProof } from "../../src/protocol/proof.js";
import { MAINNET_SHAPE, type MiningShape, OPENJARVIS_SHAPE } from "../../src/protocol/shape.js";
import { verifyPlainProof } from "../../src/protocol/verify.js";

const header = encodeIncompleteHeader({
  version: 0,
  prevBlock: new Uint8Array(32).fill(1),
  merkleRoot: new Uint8Array(32).fill(2),
  timestamp: 0x66666666,
  nbits: 0x1d2fffff,
});
/** About one winning tile in 256 at k1024: a win within the first attempt or two. */
const EASY = 0x1e01ffff;
const shapeOf = (s: Readonly<MiningShape>): MiningShape => ({
  ...s,
  rows: [...s.rows],
  cols: [...s.cols],
});
const OPENJARVIS = shapeOf(OPENJARVIS_SHAPE);
const MAINNET = shapeOf(MAINNET_SHAPE);

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isMiningError(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("mine()", () => {
  // One single-thread pool for the round trips: workers and their engines are reused across jobs,
  // as in a long-running miner (mine() itself is exercised below).
  const roundTrips = createMinerPool({ threads: 1 });
  afterAll(() => roundTrips.close());

  for (const certVersion of [1, 2, 3] as const) {
    for (const [name, shape] of [
      ["OpenJarvis", OPENJARVIS],
      ["mainnet", MAINNET],
    ] as const) {
      it(`round-trips through verifyPlainProof (cert ${certVersion}, ${name})`, async () => {
        const result = await roundTrips.mine(
          { header, certVersion, shape, nbitsOverride: EASY },
          { seed: certVersion * 100 },
        );
        expect(result.attempts).toBeGreaterThanOrEqual(1);
        expect(
          verifyPlainProof(header, result.proof, { certVersion, nbitsOverride: EASY }),
        ).toEqual({
          ok: true,
        });
        // A proof for one certificate version does not verify under another seed chain.
        const other = certVersion === 3 ? 1 : 3;
        expect(
          verifyPlainProof(header, result.proof, { certVersion: other, nbitsOverride: EASY }).ok,
        ).toBe(false);
        if (shape === OPENJARVIS) {
          expect(encodePlainProof(result.proof).length).toBe(13_649);
          expect(encodePlainProof(result.proof, { legacy: true }).length).toBe(13_648);
        }
      });
    }
  }

  it("gives exactly mineReference's proof for the same seed (one thread)", async () => {
    // 0x1d0fffff at k1024: about one winning tile in 2^13, so seed 8 first wins at attempt 5.
    for (const [shape, seed, nbits, minAttempts] of [
      [OPENJARVIS, 8, 0x1d0fffff, 2],
      [MAINNET, 11, EASY, 1],
    ] as const) {
      const job = { header, certVersion: 3 as const, shape, nbitsOverride: nbits };
      const fast = await mine(job, { threads: 1, seed });
      const slow = await mineReference(job, { seed });
      expect(fast.attempts).toBe(slow.attempts);
      expect(fast.attempts).toBeGreaterThanOrEqual(minAttempts);
      expect(encodePlainProof(fast.proof)).toEqual(encodePlainProof(slow.proof));
    }
  });

  it("refuses invalid shapes, certificate versions and options before any work", async () => {
    const bad: [unknown, string][] = [
      [{ header, certVersion: 4, shape: MAINNET }, "E_CERT_VERSION_UNSUPPORTED"],
      [{ header, certVersion: 0, shape: MAINNET }, "E_CERT_VERSION_UNSUPPORTED"],
      [{ header, certVersion: 3, shape: { ...MAINNET, k: 1000 } }, "E_SHAPE_INVALID"],
      [{ header, certVersion: 3, shape: { ...MAINNET, rank: 48 } }, "E_SHAPE_INVALID"],
      [{ header, certVersion: 3, shape: { ...MAINNET, rows: [0, 1, 3] } }, "E_SHAPE_INVALID"],
      [{ header, certVersion: 3, shape: { ...MAINNET, m: 200 } }, "E_SHAPE_INVALID"],
      [{ header: header.subarray(0, 75), certVersion: 3, shape: MAINNET }, "E_"],
      [{ header, certVersion: 3, shape: MAINNET, nbitsOverride: 0 }, "E_USAGE"],
    ];
    for (const [job, code] of bad) {
      const error = await rejection(mine(job as never, { threads: 1 }));
      expect(
        error.code.startsWith(code),
        `${JSON.stringify(job, (_, v) => (v instanceof Uint8Array ? v.length : v))}: ${error.code}`,
      ).toBe(true);
    }
    expect(
      (await rejection(mine({ header, certVersion: 3, shape: MAINNET }, { threads: 0 }))).code,
    ).toBe("E_USAGE");
  });
});

describe("createMinerPool()", () => {
  const mainPriority = getPriority(0);
  const pool = createMinerPool({ threads: 2, lowPriority: true });
  afterAll(() => pool.close());

  it("finds the same proof with two threads as the reference does with one", async () => {
    // The lowest winning attempt wins, whichever worker finds it first.
    const job = { header, certVersion: 3 as const, shape: OPENJARVIS, nbitsOverride: 0x1d0fffff };
    const twoThreads = await pool.mine(job, { seed: 8 });
    const reference = await mineReference(job, { seed: 8 });
    expect(twoThreads.attempts).toBe(reference.attempts);
    expect(encodePlainProof(twoThreads.proof)).toEqual(encodePlainProof(reference.proof));
  });

  it("mines with two threads, reuses workers across jobs and counts work", async () => {
    const job = { header, certVersion: 3 as const, shape: OPENJARVIS, nbitsOverride: EASY };
    const first = await pool.mine(job, { seed: 1 });
    expect(verifyPlainProof(header, first.proof, { certVersion: 3, nbitsOverride: EASY }).ok).toBe(
      true,
    );
    const second = await pool.mine({ ...job, shape: MAINNET }, { seed: 2 });
    expect(verifyPlainProof(header, second.proof, { certVersion: 3, nbitsOverride: EASY }).ok).toBe(
      true,
    );
    const counters = pool.counters();
    expect(counters.attempts).toBeGreaterThanOrEqual(first.attempts + second.attempts);
    expect(counters.tiles).toBeGreaterThan(0);
    await pool.whenIdle();
    const stats = pool.stats();
    expect(stats.memoryBytesPerWorker).toBeGreaterThan(2 * 1024 * 1024);
    expect(stats.memoryBytesPerWorker).toBeLessThan(8 * 1024 * 1024);
    // Low priority applies to each worker thread only (Linux nice is per thread).
    const low = Math.max(mainPriority, 10);
    expect(stats.priorities).toEqual([low, low]);
    expect(getPriority(0)).toBe(mainPriority);
  });

  it("aborts promptly: the signal, a newer job, and maxAttempts", async () => {
    const hard = { header, certVersion: 3 as const, shape: OPENJARVIS, nbitsOverride: 0x1b00ffff };
    const controller = new AbortController();
    const progress: number[] = [];
    const running = pool.mine(hard, {
      signal: controller.signal,
      progressIntervalMs: 20,
      onProgress: (p) => progress.push(p.attempts),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const abortedAt = performance.now();
    controller.abort();
    expect((await rejection(running)).code).toBe("E_ABORTED");
    await pool.whenIdle();
    const stopMs = performance.now() - abortedAt;
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBeGreaterThan(0);

    const stale = pool.mine(hard, {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    const replacedAt = performance.now();
    const fresh = pool.mine(hard, { maxAttempts: 3 });
    expect((await rejection(stale)).code).toBe("E_ABORTED");
    expect((await rejection(fresh)).code).toBe("E_TIMEOUT");
    const replaceMs = performance.now() - replacedAt;
    // A throwing onProgress fails its job, not the process.
    const throwing = pool.mine(hard, {
      progressIntervalMs: 10,
      onProgress: () => {
        throw new Error("progress sink broke");
      },
    });
    expect((await rejection(throwing)).message).toBe("progress sink broke");

    // Closing the pool rejects the running job too.
    const closing = rejection(pool.mine(hard, {}));
    await pool.close();
    expect((await closing).code).toBe("E_ABORTED");
    expect((await rejection(pool.mine(hard, {}))).code).toBe("E_NOT_RUNNING");
    console.info(
      `abort → workers idle: ${stopMs.toFixed(1)} ms; new job → stale rejected + 3 attempts: ${replaceMs.toFixed(1)} ms`,
    );
  });

  it("rejects with E_INTERNAL when a worker thread dies, and replaces the worker", async () => {
    const crashing = new WorkerPool(
      { threads: 2 },
      new URL("./fixtures/crashing-worker.mjs", import.meta.url),
    );
    try {
      const job = { header, certVersion: 3 as const, shape: OPENJARVIS, nbitsOverride: EASY };
      const error = await rejection(crashing.mine(job));
      expect(error.code).toBe("E_INTERNAL");
      expect(error.message).toMatch(/exited with code 3/);
      // The replacement workers take the next job (and die again the same way).
      expect((await rejection(crashing.mine(job))).code).toBe("E_INTERNAL");
    } finally {
      await crashing.close();
    }
  });
});
