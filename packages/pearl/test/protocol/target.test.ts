import { describe, expect, it } from "vitest";
import {
  expectedAttemptsPerBlock,
  MAINNET_SHAPE,
  nbitsToTarget,
  OPENJARVIS_SHAPE,
  targetToNbits,
  tileBound,
  tilesPerAttempt,
  winProbabilityPerTile,
} from "../../src/protocol/index.js";

const MAX = (1n << 256n) - 1n;

describe("nbitsToTarget (ALGORITHM §12.1, upstream proof_utils.rs)", () => {
  it.each([
    [0x1d00ffff, BigInt(`0x00000000ffff${"0".repeat(52)}`)],
    [0x1b0404cb, BigInt(`0x00000000000404cb${"0".repeat(48)}`)],
    [0x03123456, 0x123456n],
    [0x1d000000, 0n],
    [0x2077ffff, 0x77ffffn << 232n],
    [0x1d800000, 0n],
  ])("0x%s", (nbits, target) => {
    expect(nbitsToTarget(nbits)).toBe(target);
  });

  it("handles small exponents, a zero exponent, the sign bit and overflow", () => {
    expect(nbitsToTarget(0x01123456)).toBe(0x12n);
    expect(nbitsToTarget(0x02123456)).toBe(0x1234n);
    expect(nbitsToTarget(0x00123456)).toBe(0n);
    expect(nbitsToTarget(0x04923456)).toBe(0n);
    // Exponent 0x22 shifts the mantissa past bit 256: upstream truncates to 256 bits.
    expect(nbitsToTarget(0x22123456)).toBe((0x123456n << 248n) & MAX);
  });

  it("knows the network limits", () => {
    expect(nbitsToTarget(0x1b00ffff)).toBe(0xffffn << 192n);
    expect(nbitsToTarget(0x1e010000)).toBe(1n << 232n);
    expect(nbitsToTarget(0x1e01ffff)).toBe(0x1ffffn << 216n);
  });

  it("rejects a value that is not a u32", () => {
    expect(() => nbitsToTarget(-1)).toThrow(/u32/);
    expect(() => nbitsToTarget(2 ** 32)).toThrow(/u32/);
  });
});

describe("targetToNbits", () => {
  it.each([0x1d00ffff, 0x1b0404cb, 0x03123456, 0x2077ffff, 0x1e01ffff, 0x207fffff, 0x02008000])(
    "round-trips 0x%s",
    (nbits) => {
      expect(targetToNbits(nbitsToTarget(nbits))).toBe(nbits);
    },
  );

  it("moves a sign-bit mantissa into the next byte and encodes zero", () => {
    expect(targetToNbits(0x80n)).toBe(0x02008000);
    expect(targetToNbits(0n)).toBe(0);
    expect(targetToNbits(MAX)).toBe(0x2100ffff);
    expect(() => targetToNbits(MAX + 1n)).toThrow(/2\^256/);
  });
});

describe("tile bounds (§7.3)", () => {
  it("multiplies by h·w·D unpenalised", () => {
    expect(tileBound(1000n, OPENJARVIS_SHAPE)).toBe(1000n * 32n * 1024n);
    expect(tileBound(1000n, MAINNET_SHAPE)).toBe(1000n * 32n * 2048n);
    // D ignores the k mod r tail.
    expect(tileBound(1n, { ...MAINNET_SHAPE, k: 2048 + 64, rank: 128 })).toBe(32n * 2048n);
  });

  it("uses h·w·(D/r)·128 with the rank penalty, equal at r = 128 and tighter above", () => {
    expect(tileBound(1000n, MAINNET_SHAPE, { rankPenalty: true })).toBe(
      tileBound(1000n, MAINNET_SHAPE),
    );
    const r256 = { ...MAINNET_SHAPE, k: 4096, rank: 256 };
    expect(tileBound(1000n, r256, { rankPenalty: true })).toBe(1000n * 32n * 16n * 128n);
    expect(tileBound(1000n, r256)).toBe(1000n * 32n * 4096n);
    expect(() => tileBound(1n, OPENJARVIS_SHAPE, { rankPenalty: true })).toThrow(/128/);
  });

  it("saturates to 2^256 − 1 exactly when the product would overflow", () => {
    const factor = 32n * 1024n;
    const limit = MAX / factor;
    expect(tileBound(limit, OPENJARVIS_SHAPE)).toBe(limit * factor);
    expect(tileBound(limit + 1n, OPENJARVIS_SHAPE)).toBe(MAX);
    expect(tileBound(nbitsToTarget(0x207fffff), OPENJARVIS_SHAPE, {})).toBe(MAX);
  });

  it("gives the per-tile odds and expected attempts of §13", () => {
    const easy = tileBound(nbitsToTarget(0x1e01ffff), OPENJARVIS_SHAPE);
    expect(Math.log2(winProbabilityPerTile(easy))).toBeCloseTo(-8, 3);
    const mainnet = tileBound(nbitsToTarget(0x1b00ffff), MAINNET_SHAPE, { rankPenalty: true });
    expect(Math.log2(winProbabilityPerTile(mainnet))).toBeCloseTo(-32, 3);
    expect(tilesPerAttempt(OPENJARVIS_SHAPE)).toBe(1024);
    expect(expectedAttemptsPerBlock(mainnet, MAINNET_SHAPE) / 4.194e6).toBeCloseTo(1, 2);
    expect(expectedAttemptsPerBlock(easy, OPENJARVIS_SHAPE)).toBeGreaterThan(1);
    expect(expectedAttemptsPerBlock(easy, OPENJARVIS_SHAPE)).toBeLessThan(1.1);
    // Upstream test constant DEFAULT_NBITS = 0x1d2fffff: p ≈ 2^-10.4 at k 2048, 2^-11.4 at k 1024.
    const tests = nbitsToTarget(0x1d2fffff);
    expect(Math.log2(winProbabilityPerTile(tileBound(tests, MAINNET_SHAPE)))).toBeCloseTo(-10.4, 1);
    expect(Math.log2(winProbabilityPerTile(tileBound(tests, OPENJARVIS_SHAPE)))).toBeCloseTo(
      -11.4,
      1,
    );
    expect(winProbabilityPerTile(MAX)).toBe(1);
    expect(expectedAttemptsPerBlock(0n, OPENJARVIS_SHAPE)).toBeGreaterThan(1e70);
  });
});
