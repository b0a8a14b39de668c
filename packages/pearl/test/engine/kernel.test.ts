import { describe, expect, it } from "vitest";
import { EngineCore } from "../../src/engine/core.js";
import { noisePermutation, noiseUniformRow } from "../../src/protocol/noise.js";
import { B_STREAM, fillMatrix } from "../../src/protocol/random.js";
import { MAINNET_SHAPE, type MiningShape, OPENJARVIS_SHAPE } from "../../src/protocol/shape.js";
import { jackpotHash } from "../../src/protocol/transcript.js";
import { hex, randomBytes, Scratch } from "./helpers.js";

/** An independent scalar transcript (ALGORITHM.md §7.2) over noisy int16 rows. */
function scalarTranscript(
  rows: Int16Array[],
  cols: Int16Array[],
  k: number,
  rank: number,
): Uint32Array {
  const acc = new Int32Array(rows.length * cols.length);
  const j = new Uint32Array(16);
  for (let c = 0; c < Math.floor(k / rank); c++) {
    let x = 0;
    rows.forEach((a, u) => {
      cols.forEach((b, v) => {
        let sum = acc[u * cols.length + v]!;
        for (let l = c * rank; l < (c + 1) * rank; l++) sum = (sum + a[l]! * b[l]!) | 0;
        acc[u * cols.length + v] = sum;
        x ^= sum;
      });
    });
    const t = c % 16;
    j[t] = (((j[t]! << 13) | (j[t]! >>> 19)) ^ x) >>> 0;
  }
  return j;
}

/** Noisy rows rebuilt in JavaScript from the engine's raw matrix and its noise factors in memory. */
function noisyRows(core: EngineCore, side: "A" | "B"): Int16Array[] {
  const { k, rank } = core.shape;
  const count = side === "A" ? core.shape.m : core.shape.n;
  const p = core.ptr;
  const raw = new Int8Array(core.read(side === "A" ? p.a : p.bt, count * k).buffer);
  const noise = new Int8Array(core.read(side === "A" ? p.noiseA : p.noiseB, count * rank).buffer);
  const plus = new Uint32Array(core.read(side === "A" ? p.plusA : p.plusB, 4 * k).buffer);
  const minus = new Uint32Array(core.read(side === "A" ? p.minusA : p.minusB, 4 * k).buffer);
  return Array.from({ length: count }, (_, i) =>
    Int16Array.from(
      { length: k },
      (_, l) => raw[i * k + l]! + noise[i * rank + plus[l]!]! - noise[i * rank + minus[l]!]!,
    ),
  );
}

/** 7 row tiles of 2 row groups each: packing pads to 16 groups, tiles pad to 8 rows × 16 columns. */
const ODD_SHAPE: MiningShape = {
  m: 42,
  n: 24,
  k: 1024,
  rank: 32,
  rows: [0, 1, 2, 3, 4, 5],
  cols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};

/** 17 chunks of 64 (k is not a multiple of 4·rank): the kernel's per-chunk J tail. */
const TAIL_SHAPE: MiningShape = {
  m: 16,
  n: 16,
  k: 1088,
  rank: 64,
  rows: [0, 1, 2, 3],
  cols: [0, 1, 2, 3, 4, 5, 6, 7],
};

describe("WebAssembly generator", () => {
  it("is bit-identical to the normative fillMatrix", () => {
    const s = new Scratch();
    for (const [seed, stream, length] of [
      [0, 0, 64],
      [1, B_STREAM, 4096],
      [0xdeadbeef, 7, 64 * 1024],
      [0xffffffff, 123456, 1024],
      // Several 4-lane 64 KiB blocks (each lane jumps 4096 steps ahead), then a scalar tail.
      [5, 3, 3 * 64 * 1024 + 1028],
      [0x12345678, 0, 64 * 1024 - 4],
    ] as const) {
      const expected = new Int8Array(length);
      fillMatrix(expected, seed, stream);
      const at = s.alloc(length);
      s.wasm.fillMatrix(at, length, seed, stream);
      expect(new Int8Array(s.read(at, length).buffer)).toEqual(expected);
    }
  });
});

describe("tile-transcript kernel", () => {
  for (const [name, shape] of [
    ["OpenJarvis k1024/r32", OPENJARVIS_SHAPE],
    ["mainnet k2048/r128", MAINNET_SHAPE],
    ["6×12 tiles (padded blocks)", ODD_SHAPE],
    ["k1088/r64 (17 chunks)", TAIL_SHAPE],
  ] as const) {
    it(`matches a scalar transcript and the reference noise (${name})`, () => {
      const core = new EngineCore({ ...shape, rows: [...shape.rows], cols: [...shape.cols] });
      core.setJob({ jobKey: randomBytes(32, shape.k), certVersion: 3, bound: 0n, seed: 12345 });
      expect(core.attempt(3).kind).toBe("miss");
      const { k, rank } = shape;

      // The noise factors equal the protocol reference's.
      const seedA = core.read(core.ptr.seedA, 32);
      const perm = noisePermutation("A", seedA, k, rank);
      expect(new Uint32Array(core.read(core.ptr.plusA, 4 * k).buffer)).toEqual(
        Uint32Array.from(perm.f),
      );
      expect(new Uint32Array(core.read(core.ptr.minusA, 4 * k).buffer)).toEqual(
        Uint32Array.from(perm.s),
      );
      const noiseA = new Int8Array(core.read(core.ptr.noiseA, shape.m * rank).buffer);
      expect(noiseA.subarray(5 * rank, 6 * rank)).toEqual(noiseUniformRow("A", seedA, 5, rank));
      const seedB = core.read(core.ptr.seedB, 32);
      const noiseB = new Int8Array(core.read(core.ptr.noiseB, shape.n * rank).buffer);
      expect(noiseB.subarray(3 * rank, 4 * rank)).toEqual(noiseUniformRow("B", seedB, 3, rank));

      const a = noisyRows(core, "A");
      const bt = noisyRows(core, "B");
      expect(a.flatMap((row) => [...row]).some((v) => v > 64 || v < -64)).toBe(true);
      const rowTiles = core.rowOffsets.length;
      for (const rowTile of [0, Math.floor(rowTiles / 2), rowTiles - 1]) {
        expect(core.scanRowTile(rowTile)).toBe(-1);
        const rows = shape.rows.map((r) => a[core.rowOffsets[rowTile]! + r]!);
        core.colOffsets.forEach((colOffset, colTile) => {
          const cols = shape.cols.map((c) => bt[colOffset + c]!);
          const expected = scalarTranscript(rows, cols, k, rank);
          const got = new Uint32Array(core.read(core.ptr.jackpots + 64 * colTile, 64).buffer);
          expect(got, `tile ${rowTile}/${colTile}`).toEqual(expected);
          if (colTile < 3) {
            expect(hex(core.read(core.ptr.hashes + 32 * colTile, 32))).toBe(
              hex(jackpotHash(seedA, expected)),
            );
          }
        });
      }
    });
  }
});
