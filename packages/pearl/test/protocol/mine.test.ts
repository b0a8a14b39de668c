import { isMiningError } from "@openjarvis/mining-core";
import { describe, expect, it } from "vitest";
import {
  B_STREAM,
  buildPlainProof,
  type CertVersion,
  encodePlainProof,
  fillMatrix,
  MAINNET_SHAPE,
  type MiningShape,
  mineReference,
  OPENJARVIS_SHAPE,
  patternFromList,
  validOffsets,
  verifyPlainProof,
} from "../../src/protocol/index.js";
import { minedProof, testHeader } from "./fixtures.js";

const HARD_NBITS = 0x1b00ffff;

async function rejectionOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(isMiningError(error)).toBe(true);
    return error as { code: string; message: string };
  }
  throw new Error("expected a rejection");
}

describe("mineReference → verifyPlainProof round trips", () => {
  const cases: [string, MiningShape, CertVersion][] = [
    ["OpenJarvis", OPENJARVIS_SHAPE, 1],
    ["OpenJarvis", OPENJARVIS_SHAPE, 2],
    ["OpenJarvis", OPENJARVIS_SHAPE, 3],
    ["mainnet", MAINNET_SHAPE, 1],
    ["mainnet", MAINNET_SHAPE, 2],
    ["mainnet", MAINNET_SHAPE, 3],
  ];
  for (const [name, shape, certVersion] of cases) {
    it(`mines and verifies the ${name} shape at cert version ${certVersion}`, async () => {
      const header = testHeader();
      const result = await minedProof(shape, certVersion);
      expect(result.attempts).toBeGreaterThanOrEqual(1);
      expect(result.elapsedMs).toBeGreaterThan(0);
      expect(verifyPlainProof(header, result.proof, { certVersion })).toEqual({ ok: true });
      expect(result.proof.noiseRank).toBe(shape.rank);
      expect(result.proof.a.rowIndices).toHaveLength(4);
      expect(result.proof.bt.rowIndices).toHaveLength(8);
    });
  }
});

describe("deterministic mode (the contract the WebAssembly engine reproduces)", () => {
  const shape = OPENJARVIS_SHAPE;
  const header = testHeader();

  it("gives the identical proof for the identical seed, and another for another seed", async () => {
    const first = await minedProof(shape, 3, 11);
    const again = await mineReference({ header, certVersion: 3, shape }, { seed: 11 });
    expect(encodePlainProof(again.proof)).toEqual(encodePlainProof(first.proof));
    expect(again.attempts).toBe(first.attempts);
    const other = await mineReference({ header, certVersion: 3, shape }, { seed: 12 });
    expect(encodePlainProof(other.proof)).not.toEqual(encodePlainProof(first.proof));
  });

  it("draws Bᵀ from B_STREAM and the winning attempt's A from its stream, and the first winning tile wins", async () => {
    const seed = 11;
    const { proof, attempts } = await minedProof(shape, 3, seed);
    const a = new Int8Array(shape.m * shape.k);
    const bt = new Int8Array(shape.n * shape.k);
    fillMatrix(a, seed, attempts - 1);
    fillMatrix(bt, seed, B_STREAM);
    const rowOffset = proof.a.rowIndices[0]!;
    const colOffset = proof.bt.rowIndices[0]!;
    const rebuilt = buildPlainProof({ header, shape, certVersion: 3, a, bt, rowOffset, colOffset });
    expect(encodePlainProof(rebuilt)).toEqual(encodePlainProof(proof));

    // Tiles scanned before the winner (row-offset-major, then column offset) must all lose.
    const rows = validOffsets(patternFromList(shape.rows), shape.m);
    const cols = validOffsets(patternFromList(shape.cols), shape.n);
    const order = rows.flatMap((r) => cols.map((c) => [r, c] as const));
    const winner = order.findIndex(([r, c]) => r === rowOffset && c === colOffset);
    expect(winner).toBeGreaterThanOrEqual(0);
    for (const [r, c] of order.slice(Math.max(0, winner - 4), winner)) {
      const earlier = buildPlainProof({
        header,
        shape,
        certVersion: 3,
        a,
        bt,
        rowOffset: r,
        colOffset: c,
      });
      expect(verifyPlainProof(header, earlier, { certVersion: 3 }).reason).toMatch(
        /above the bound/,
      );
    }
  });

  it("reports progress per attempt and gives up after maxAttempts with E_TIMEOUT", async () => {
    const progress: number[] = [];
    const error = await rejectionOf(
      mineReference(
        { header, certVersion: 3, shape, nbitsOverride: HARD_NBITS },
        { seed: 1, maxAttempts: 2, onProgress: (p) => progress.push(p.attempts * 10000 + p.tiles) },
      ),
    );
    expect(error.code).toBe("E_TIMEOUT");
    expect(error.message).toBe("no winning tile in 2 attempts");
    expect(progress).toEqual([10000 + 1024, 20000 + 2048]);
  });
});

describe("mineReference refuses bad jobs and stops on abort", () => {
  const header = testHeader();

  it("rejects with E_ABORTED when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(
      mineReference(
        { header, certVersion: 3, shape: OPENJARVIS_SHAPE },
        { signal: controller.signal },
      ),
    );
    expect(error.code).toBe("E_ABORTED");
  });

  it("rejects with E_ABORTED when aborted by a timer mid-job", async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 20);
    try {
      const error = await rejectionOf(
        mineReference(
          { header, certVersion: 3, shape: OPENJARVIS_SHAPE, nbitsOverride: HARD_NBITS },
          { signal: controller.signal, seed: 5 },
        ),
      );
      expect(error.code).toBe("E_ABORTED");
    } finally {
      clearTimeout(timer);
    }
  });

  it("refuses invalid shapes, FP8 jobs and bad headers before any work", async () => {
    let progressed = false;
    const onProgress = () => {
      progressed = true;
    };
    const badShape = await rejectionOf(
      mineReference(
        { header, certVersion: 3, shape: { ...MAINNET_SHAPE, k: 1000 } },
        { onProgress },
      ),
    );
    expect(badShape.code).toBe("E_SHAPE_INVALID");
    const fp8 = await rejectionOf(
      mineReference(
        { header, certVersion: 4 as CertVersion, shape: MAINNET_SHAPE },
        { onProgress },
      ),
    );
    expect(fp8.message).toMatch(/FP8/);
    const shortHeader = await rejectionOf(
      mineReference(
        { header: header.subarray(1), certVersion: 3, shape: MAINNET_SHAPE },
        { onProgress },
      ),
    );
    expect(shortHeader.message).toMatch(/76 bytes/);
    expect(progressed).toBe(false);
  });
});
