import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { patternFromList, patternSize, validOffsets } from "./pattern.js";
import type { MiningShape } from "./shape.js";

const MAX_U256 = (1n << 256n) - 1n;

/** Rank the penalised bound is normalised to (`PENALTY_BASE_RANK`). */
export const PENALTY_BASE_RANK = 128;

/** Bitcoin compact target (`nbits_to_difficulty`): sign bit, zero mantissa or zero exponent → 0. */
export function nbitsToTarget(nbits: number): bigint {
  if (!Number.isInteger(nbits) || nbits < 0 || nbits > 0xffffffff) {
    throw new MiningError(ErrorCodes.PROOF_INVALID, `nbits ${nbits} is not a u32`, {
      hint: "nbits is the 32-bit compact target from the header",
      details: { nbits },
    });
  }
  const exponent = nbits >>> 24;
  const mantissa = nbits & 0xffffff;
  if (mantissa === 0 || exponent === 0 || (mantissa & 0x800000) !== 0) return 0n;
  if (exponent <= 3) return BigInt(mantissa >>> (8 * (3 - exponent)));
  return (BigInt(mantissa) << BigInt(8 * (exponent - 3))) & MAX_U256;
}

/** The compact encoding of a target (rounded down to 3 significant bytes). */
export function targetToNbits(target: bigint): number {
  if (target < 0n || target > MAX_U256) {
    throw new MiningError(ErrorCodes.PROOF_INVALID, "target must be in [0, 2^256)", {
      hint: "a target is an unsigned 256-bit integer",
      details: { target: target.toString() },
    });
  }
  if (target === 0n) return 0;
  let size = target.toString(16).length;
  size = Math.ceil(size / 2);
  let compact =
    size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  if (compact & 0x800000) {
    compact >>>= 8;
    size += 1;
  }
  return ((size << 24) | compact) >>> 0;
}

/** h·w·D where D = k − (k mod rank): the number of multiply-adds behind one tile. */
export function tileWork(shape: Pick<MiningShape, "k" | "rank" | "rows" | "cols">): bigint {
  const h = patternSize(patternFromList(shape.rows));
  const w = patternSize(patternFromList(shape.cols));
  const dotLength = shape.k - (shape.k % shape.rank);
  return BigInt(h * w * dotLength);
}

/**
 * The per-tile win bound (inclusive): target × h·w·D, or with `rankPenalty` target × h·w·(D/r)·128.
 * Saturates to 2^256 − 1 when the product would not fit, exactly like upstream.
 */
export function tileBound(
  target: bigint,
  shape: Pick<MiningShape, "k" | "rank" | "rows" | "cols">,
  options: { rankPenalty?: boolean } = {},
): bigint {
  let factor = tileWork(shape);
  if (options.rankPenalty) {
    if (shape.rank < PENALTY_BASE_RANK) {
      throw new MiningError(
        ErrorCodes.SHAPE_INVALID,
        `rank ${shape.rank} is below ${PENALTY_BASE_RANK}, which the rank penalty requires`,
        { hint: "use rank ≥ 128 (mainnet since block 96,251)", details: { rank: shape.rank } },
      );
    }
    const h = patternSize(patternFromList(shape.rows));
    const w = patternSize(patternFromList(shape.cols));
    const chunks = Math.floor(shape.k / shape.rank);
    factor = BigInt(h * w * chunks * PENALTY_BASE_RANK);
  }
  if (factor === 0n) return 0n;
  if (target > MAX_U256 / factor) return MAX_U256;
  return target * factor;
}

/** Probability that one tile wins: (bound + 1) / 2^256. */
export function winProbabilityPerTile(bound: bigint): number {
  if (bound >= MAX_U256) return 1;
  // Scale before converting so tiny probabilities keep their precision.
  const scaled =
    Number((bound + 1n) >> 128n) + Number((bound + 1n) & ((1n << 128n) - 1n)) / 2 ** 128;
  return scaled / 2 ** 128;
}

/** Number of tiles per attempt (the valid tile origins of both patterns). */
export function tilesPerAttempt(shape: MiningShape): number {
  const rowOffsets = validOffsets(patternFromList(shape.rows), shape.m);
  const colOffsets = validOffsets(patternFromList(shape.cols), shape.n);
  return rowOffsets.length * colOffsets.length;
}

/** Expected attempts until some tile wins: 1 / (1 − (1 − p)^tiles) ≈ 1 / (tiles · p). */
export function expectedAttemptsPerBlock(bound: bigint, shape: MiningShape): number {
  const p = winProbabilityPerTile(bound);
  const tiles = tilesPerAttempt(shape);
  if (p <= 0 || tiles === 0) return Number.POSITIVE_INFINITY;
  // expm1/log1p keep precision when p is tiny (mainnet p is around 2^-33).
  return 1 / -Math.expm1(tiles * Math.log1p(-p));
}
