import { describe, expect, it } from "vitest";
import {
  blake3,
  fillMatrix,
  noisePermutation,
  noiseUniformRow,
  noisyRowA,
  noisyRowBt,
  tileJackpotState,
} from "../../src/protocol/index.js";

/**
 * Cross-checks of §6 and §7.2 written the long way round: explicit factor matrices multiplied out,
 * and the transcript recomputed from scratch at every chunk instead of accumulated.
 */
describe("noise as explicit low-rank products", () => {
  const k = 1024;
  const rank = 32;
  const aSeed = blake3(Uint8Array.of(1));
  const bSeed = blake3(Uint8Array.of(2));

  it("A' = A + E_AL · E_AR with E_AR the signed permutation (r×k)", () => {
    const { f, s } = noisePermutation("A", aSeed, k, rank);
    const eAR = Array.from({ length: rank }, () => new Int32Array(k));
    for (let l = 0; l < k; l++) {
      eAR[f[l]!]![l] = 1;
      eAR[s[l]!]![l] = -1;
    }
    for (const row of [0, 5, 255]) {
      const eAL = noiseUniformRow("A", aSeed, row, rank);
      const a = new Int8Array(k);
      fillMatrix(a, row, 0);
      const expected = new Int16Array(k);
      let largest = 0;
      for (let l = 0; l < k; l++) {
        let noise = 0;
        for (let c = 0; c < rank; c++) noise += eAL[c]! * eAR[c]![l]!;
        largest = Math.max(largest, Math.abs(noise));
        expected[l] = a[l]! + noise;
      }
      expect(largest).toBeLessThanOrEqual(63);
      expect(noisyRowA(a, row, aSeed, { k, rank })).toEqual(expected);
    }
  });

  it("B'ᵀ = Bᵀ + (E_BL · E_BR)ᵀ with E_BL the signed permutation (k×r)", () => {
    const { f, s } = noisePermutation("B", bSeed, k, rank);
    const eBL = Array.from({ length: k }, (_, l) => {
      const row = new Int32Array(rank);
      row[f[l]!] = 1;
      row[s[l]!] = -1;
      return row;
    });
    for (const col of [0, 9, 127]) {
      const eBRColumn = noiseUniformRow("B", bSeed, col, rank); // column `col` of E_BR
      const bt = new Int8Array(k);
      fillMatrix(bt, col, 1);
      const expected = new Int16Array(k);
      for (let l = 0; l < k; l++) {
        let noise = 0;
        for (let c = 0; c < rank; c++) noise += eBL[l]![c]! * eBRColumn[c]!;
        expected[l] = bt[l]! + noise;
      }
      expect(noisyRowBt(bt, col, bSeed, { k, rank })).toEqual(expected);
    }
  });
});

describe("jackpot transcript recomputed from scratch", () => {
  it("matches the cumulative version, including wrap-around of the 16 words and the k mod r tail", () => {
    const k = 2048 + 64; // 16 full chunks of 128 plus an ignored tail
    const rank = 128;
    const h = 4;
    const w = 8;
    const rows = Array.from({ length: h }, (_, i) => {
      const raw = new Int8Array(k);
      fillMatrix(raw, 10 + i, 0);
      return Int16Array.from(raw, (v) => v * 2 - (v >> 1));
    });
    const cols = Array.from({ length: w }, (_, j) => {
      const raw = new Int8Array(k);
      fillMatrix(raw, 50 + j, 0);
      return Int16Array.from(raw, (v) => v * 2);
    });
    const expected = new Uint32Array(16);
    for (let c = 0; c < Math.floor(k / rank); c++) {
      let x = 0;
      for (let u = 0; u < h; u++) {
        for (let v = 0; v < w; v++) {
          let dot = 0;
          for (let l = 0; l < (c + 1) * rank; l++) dot += rows[u]![l]! * cols[v]![l]!;
          x ^= dot | 0;
        }
      }
      const t = c % 16;
      const word = expected[t]!;
      expected[t] = ((word << 13) | (word >>> 19)) ^ x;
    }
    expect(tileJackpotState(rows, cols, k, rank)).toEqual(expected);
    // Tail values beyond D must not matter.
    rows[0]![k - 1] = 127;
    expect(tileJackpotState(rows, cols, k, rank)).toEqual(expected);
  });
});
