import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { blake3Keyed } from "./blake3.js";
import type { MiningShape } from "./shape.js";

export type NoiseLabel = "A" | "B";

function labelBytes(label: NoiseLabel): Uint8Array {
  const out = new Uint8Array(32);
  out.set(new TextEncoder().encode(`${label}_tensor`));
  return out;
}
const LABELS: Record<NoiseLabel, Uint8Array> = { A: labelBytes("A"), B: labelBytes("B") };

/** Uniform noise lies in [−32, 31]: (byte & 63) − 32. */
const UNIFORM_MASK = 63;
const UNIFORM_ZERO = 32;

/**
 * PRF(index, label, key, slot) = BLAKE3_keyed(key, msg): msg holds eight i32 LE slots, all zero but
 * `slot` = index + 1, followed by the 32-byte label. The seed is the key.
 */
export function noisePrf(
  label: NoiseLabel,
  key: Uint8Array,
  index: number,
  slot: 0 | 1,
): Uint8Array {
  const msg = new Uint8Array(64);
  new DataView(msg.buffer).setInt32(4 * slot, index + 1, true);
  msg.set(LABELS[label], 32);
  return blake3Keyed(key, msg);
}

function checkRank(rank: number): void {
  if (!Number.isInteger(rank) || rank < 32 || rank % 32 !== 0 || (rank & (rank - 1)) !== 0) {
    throw new MiningError(
      ErrorCodes.SHAPE_INVALID,
      `noise rank ${rank} must be a power of two ≥ 32`,
      {
        hint: "use rank 128 (mainnet) or 32 (legacy OpenJarvis shape)",
        details: { rank },
      },
    );
  }
}

/** Row `row` of the uniform factor (E_AL for "A", E_BRᵀ for "B"), r entries in [−32, 31]. */
export function noiseUniformRow(
  label: NoiseLabel,
  seed: Uint8Array,
  row: number,
  rank: number,
): Int8Array {
  checkRank(rank);
  const out = new Int8Array(rank);
  const firstHash = (row * rank) / 32;
  for (let h = 0; h < rank / 32; h++) {
    const bytes = noisePrf(label, seed, firstHash + h, 0);
    for (let j = 0; j < 32; j++) out[32 * h + j] = (bytes[j]! & UNIFORM_MASK) - UNIFORM_ZERO;
  }
  return out;
}

export interface NoisePermutation {
  /** f_l: the factor row holding +1 in column l. */
  f: Uint16Array;
  /** s_l ≠ f_l: the factor row holding −1 in column l. */
  s: Uint16Array;
}

/** The signed-permutation factor: E_AR (columns) for "A", E_BL (rows) for "B". */
export function noisePermutation(
  label: NoiseLabel,
  seed: Uint8Array,
  k: number,
  rank: number,
): NoisePermutation {
  checkRank(rank);
  const f = new Uint16Array(k);
  const s = new Uint16Array(k);
  let bytes: Uint8Array = new Uint8Array(0);
  for (let l = 0; l < k; l++) {
    if (l % 8 === 0) bytes = noisePrf(label, seed, l / 8, 1);
    const at = 4 * (l % 8);
    const u =
      (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
    f[l] = u & (rank - 1);
    // 1 + mulhi(r − 1, u) is in [1, r − 1], so s differs from f; (r−1)·u < 2^53 is exact.
    s[l] = f[l]! ^ (1 + Math.floor(((rank - 1) * u) / 0x1_0000_0000));
  }
  return { f, s };
}

function noisyRow(
  label: NoiseLabel,
  values: Int8Array,
  row: number,
  seed: Uint8Array,
  shape: Pick<MiningShape, "k" | "rank">,
  perm: NoisePermutation | undefined,
): Int16Array {
  const { k, rank } = shape;
  if (values.length !== k) {
    throw new MiningError(
      ErrorCodes.SHAPE_INVALID,
      `a matrix row has k = ${k} entries, got ${values.length}`,
      {
        hint: "pass one row of A (or of Bᵀ)",
        details: { k, length: values.length },
      },
    );
  }
  const { f, s } = perm ?? noisePermutation(label, seed, k, rank);
  const left = noiseUniformRow(label, seed, row, rank);
  const out = new Int16Array(k);
  for (let l = 0; l < k; l++) out[l] = values[l]! + left[f[l]!]! - left[s[l]!]!;
  return out;
}

/** Row i of A' = A + E_AL·E_AR, values in [−127, 127]. Pass `perm` to reuse E_AR across rows. */
export function noisyRowA(
  aRow: Int8Array,
  row: number,
  aSeed: Uint8Array,
  shape: Pick<MiningShape, "k" | "rank">,
  perm?: NoisePermutation,
): Int16Array {
  return noisyRow("A", aRow, row, aSeed, shape, perm);
}

/** Row j of B'ᵀ = Bᵀ + (E_BL·E_BR)ᵀ, values in [−127, 127]. Pass `perm` to reuse E_BL. */
export function noisyRowBt(
  btRow: Int8Array,
  col: number,
  bSeed: Uint8Array,
  shape: Pick<MiningShape, "k" | "rank">,
  perm?: NoisePermutation,
): Int16Array {
  return noisyRow("B", btRow, col, bSeed, shape, perm);
}
