import { isMiningError } from "@openjarvis/mining-core";
import { describe, expect, it } from "vitest";
import {
  bytesToHex,
  patternFromBytes,
  patternFromList,
  patternOffsetIsValid,
  patternPeriod,
  patternSize,
  patternToBytes,
  patternToList,
  validOffsets,
} from "../../src/protocol/index.js";

describe("PeriodicPattern (ALGORITHM §3.1 and §12.1)", () => {
  it.each([
    [[0, 1, 2, 3]],
    [[0, 8, 64, 72]],
    [[0, 1, 8, 9, 32, 33, 40, 41, 64, 65, 72, 73, 96, 97, 104, 105]],
    [[0, 8]],
    [[0, 2, 4, 6]],
    [[0, 1, 4, 5, 8, 9, 12, 13]],
    [[0, 1, 8, 9, 32, 33, 40, 41]],
    [[0]],
  ])("round-trips %j through from_list/to_list and to_bytes/from_bytes", (list) => {
    const pattern = patternFromList(list);
    expect(patternToList(pattern)).toEqual(list);
    const bytes = patternToBytes(pattern);
    expect(bytes.length).toBe(6);
    expect(patternToList(patternFromBytes(bytes))).toEqual(list);
    expect(patternToBytes(patternFromBytes(bytes))).toEqual(bytes);
  });

  it("has the upstream periods and sizes", () => {
    expect(patternPeriod(patternFromList([0, 1, 2, 3]))).toBe(4);
    expect(patternPeriod(patternFromList([0, 1, 8, 9]))).toBe(16);
    expect(patternSize(patternFromList([0, 1, 2, 3]))).toBe(4);
    expect(patternSize(patternFromList([0, 8, 64, 72]))).toBe(4);
    expect(
      patternSize(patternFromList([0, 1, 8, 9, 32, 33, 40, 41, 64, 65, 72, 73, 96, 97, 104, 105])),
    ).toBe(16);
  });

  it("has the OpenJarvis pattern shapes and bytes", () => {
    const rows = patternFromList([0, 8, 64, 72]);
    expect(rows.pairs).toEqual([
      [8, 2],
      [64, 2],
      [128, 1],
    ]);
    expect(bytesToHex(patternToBytes(rows))).toBe("070103010000");
    expect(patternPeriod(rows)).toBe(128);
    const cols = patternFromList([0, 1, 8, 9, 32, 33, 40, 41]);
    expect(cols.pairs).toEqual([
      [1, 2],
      [8, 2],
      [32, 2],
    ]);
    expect(bytesToHex(patternToBytes(cols))).toBe("000103010101");
    expect(patternPeriod(cols)).toBe(64);
  });

  it.each([
    [[0, 1, 3], /not periodic/],
    [[1, 2, 3, 4], /start at 0/],
    [[], /empty/],
    [[0, 2, 1], /strictly increasing/],
    [[0, 0], /strictly increasing/],
    [[0, 1.5], /integer/],
    [[0, 3, 5, 8], /canonical byte form/],
  ])("rejects %j", (list, message) => {
    let caught: unknown;
    try {
      patternFromList(list);
    } catch (error) {
      caught = error;
    }
    expect(isMiningError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as { code: string }).code).toBe("E_SHAPE_INVALID");
  });

  it("rejects non-canonical bytes", () => {
    expect(() => patternFromBytes(Uint8Array.of(0, 1, 0, 0, 1, 1))).toThrow(/length-1/);
    expect(() => patternFromBytes(Uint8Array.of(0, 1, 0, 1, 0, 0))).toThrow(/continues/);
    expect(() => patternFromBytes(Uint8Array.of(3, 0, 0, 0, 0, 0))).toThrow(/has a factor/);
    expect(() => patternFromBytes(Uint8Array.of(255, 255, 255, 255, 0, 0))).toThrow(/2\^24/);
    expect(() => patternFromBytes(new Uint8Array(5))).toThrow(/6 bytes/);
  });

  it("knows the valid tile origins of the OpenJarvis patterns", () => {
    const rows = patternFromList([0, 8, 64, 72]);
    const cols = patternFromList([0, 1, 8, 9, 32, 33, 40, 41]);
    for (let t = 0; t < 512; t++) {
      expect(patternOffsetIsValid(rows, t)).toBe(t % 16 < 8 && t % 128 < 64);
      expect(patternOffsetIsValid(cols, t)).toBe(t % 2 === 0 && t % 16 < 8 && t % 64 < 32);
    }
    expect(patternOffsetIsValid(rows, -1)).toBe(false);
    expect(validOffsets(rows, 256)).toHaveLength(64);
    expect(validOffsets(cols, 128)).toHaveLength(16);
    expect(validOffsets(rows, 256).slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 16, 17]);
  });

  it("partitions [0, dim) with the valid origins", () => {
    for (const list of [
      [0, 8, 64, 72],
      [0, 1, 8, 9, 32, 33, 40, 41],
      [0, 2, 4, 6],
    ]) {
      const pattern = patternFromList(list);
      const dim = 2 * patternPeriod(pattern);
      const seen = new Array<number>(dim).fill(0);
      for (const t of validOffsets(pattern, dim)) for (const x of list) seen[t + x]! += 1;
      expect(seen.every((count) => count === 1)).toBe(true);
    }
  });
});
