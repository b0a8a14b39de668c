import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { type PeriodicPattern, patternFromList, patternPeriod, patternSize } from "./pattern.js";

/** The `shape` of a mining job: A is m×k, B is k×n, noise rank r, tile row/column patterns. */
export interface MiningShape {
  m: number;
  n: number;
  k: number;
  rank: number;
  rows: number[];
  cols: number[];
}

/** Defaults mainnet accepts today (rank ≥ 128 since block 96,251). */
export const MAINNET_SHAPE: Readonly<MiningShape> = Object.freeze({
  m: 256,
  n: 128,
  k: 2048,
  rank: 128,
  rows: [0, 8, 64, 72],
  cols: [0, 1, 8, 9, 32, 33, 40, 41],
});

/** What the OpenJarvis Python loop uses (rank 32: not valid on mainnet any more). */
export const OPENJARVIS_SHAPE: Readonly<MiningShape> = Object.freeze({
  m: 256,
  n: 128,
  k: 1024,
  rank: 32,
  rows: [0, 8, 64, 72],
  cols: [0, 1, 8, 9, 32, 33, 40, 41],
});

export type CertVersion = 1 | 2 | 3;

/** Refuse anything but the Int7 certificate versions 1, 2 and 3. */
export function checkCertVersion(v: unknown): asserts v is CertVersion {
  if (v === 1 || v === 2 || v === 3) return;
  if (v === 4 || v === 5) {
    throw new MiningError(
      ErrorCodes.CERT_VERSION_UNSUPPORTED,
      `certificate version ${v} (${v === 4 ? "FP8" : "FP16"} proofs) is not supported`,
      {
        hint: "this engine mines Int7 proofs (cert versions 1–3); the job asks for a GPU FP8/FP16 miner",
        details: { certVersion: v },
      },
    );
  }
  throw new MiningError(
    ErrorCodes.CERT_VERSION_UNSUPPORTED,
    `unknown certificate version ${String(v)}`,
    {
      hint: "supported certificate versions are 1, 2 and 3 (3 = salted seeds, mainnet since 99,000)",
      details: { certVersion: v },
    },
  );
}

const MAX_MATRIX_DIM = 1 << 24;
const MAX_TILE_BYTES = 4 * 1024 * 1024;

function isPowerOfTwo(x: number): boolean {
  return Number.isInteger(x) && x > 0 && (x & (x - 1)) === 0;
}

/** Public parameters as the verifier sees them (shape plus the tile origin). */
export interface PublicParams {
  m: number;
  n: number;
  k: number;
  rank: number;
  rowPattern: PeriodicPattern;
  colPattern: PeriodicPattern;
  rowSpan: number;
  colSpan: number;
  rowOffset: number;
  colOffset: number;
}

/**
 * The first violated rule of upstream `public_params_sanity_check`, or undefined. The rule named in
 * the message is stable enough to assert in tests.
 */
export function publicParamsViolation(p: PublicParams): string | undefined {
  const { m, n, k, rank } = p;
  const h = patternSize(p.rowPattern);
  const w = patternSize(p.colPattern);
  for (const [name, value] of [
    ["m", m],
    ["n", n],
    ["k", k],
    ["rank", rank],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0)
      return `${name} ${value} must be a positive integer`;
  }
  if (!isPowerOfTwo(rank) || rank < 32 || rank > 1024 || rank % 16 !== 0) {
    return `rank ${rank} must be a power of two in [32, 1024]`;
  }
  if (k < 1024 || k > 65536) return `k ${k} must be in [1024, 65536]`;
  if (k % 64 !== 0) return `k ${k} must be a multiple of 64`;
  if (k < 16 * rank) return `k ${k} must be at least 16·rank = ${16 * rank}`;
  if (k > 4 * rank * rank) return `k ${k} must be at most 4·rank² = ${4 * rank * rank}`;
  if (h % 2 !== 0) return `tile height h = ${h} (rows pattern size) must be even`;
  if (w % 2 !== 0) return `tile width w = ${w} (cols pattern size) must be even`;
  if (h * w < 32) return `tile size h·w = ${h * w} must be at least 32`;
  if (h * w > 256) return `tile size h·w = ${h * w} must be at most 256`;
  if (m > MAX_MATRIX_DIM) return `m ${m} must be at most 2^24`;
  if (n > MAX_MATRIX_DIM) return `n ${n} must be at most 2^24`;
  const dotLength = k - (k % rank);
  if ((h + w) * dotLength > MAX_TILE_BYTES) return `(h+w)·D = ${(h + w) * dotLength} exceeds 4 MiB`;
  if (p.rowOffset + p.rowSpan >= m) {
    return `row offset ${p.rowOffset} + max(rows) ${p.rowSpan} must be below m = ${m}`;
  }
  if (p.colOffset + p.colSpan >= n) {
    return `col offset ${p.colOffset} + max(cols) ${p.colSpan} must be below n = ${n}`;
  }
  return undefined;
}

function shapeError(rule: string, shape: unknown): MiningError {
  return new MiningError(ErrorCodes.SHAPE_INVALID, `invalid mining shape: ${rule}`, {
    hint: "mainnet today: m 256, n 128, k 2048, rank 128, rows [0,8,64,72], cols [0,1,8,9,32,33,40,41]",
    details: { shape },
  });
}

/**
 * Refuse a shape before any work: every public-parameter rule, the period divisibility `mine()`
 * needs, and rank ≥ 128 when the rank penalty applies.
 */
export function checkShape(
  shape: MiningShape,
  options: { certVersion: CertVersion | number; rankPenalty?: boolean },
): void {
  checkCertVersion(options.certVersion);
  if (typeof shape !== "object" || shape === null)
    throw shapeError("shape is not an object", shape);
  let rowPattern: PeriodicPattern;
  let colPattern: PeriodicPattern;
  try {
    rowPattern = patternFromList(shape.rows);
  } catch (error) {
    throw shapeError(`rows: ${(error as Error).message}`, shape);
  }
  try {
    colPattern = patternFromList(shape.cols);
  } catch (error) {
    throw shapeError(`cols: ${(error as Error).message}`, shape);
  }
  const violation = publicParamsViolation({
    m: shape.m,
    n: shape.n,
    k: shape.k,
    rank: shape.rank,
    rowPattern,
    colPattern,
    rowSpan: shape.rows[shape.rows.length - 1]!,
    colSpan: shape.cols[shape.cols.length - 1]!,
    rowOffset: 0,
    colOffset: 0,
  });
  if (violation) throw shapeError(violation, shape);
  const rowPeriod = patternPeriod(rowPattern);
  const colPeriod = patternPeriod(colPattern);
  if (shape.m % rowPeriod !== 0) {
    throw shapeError(`m ${shape.m} must be a multiple of the rows period ${rowPeriod}`, shape);
  }
  if (shape.n % colPeriod !== 0) {
    throw shapeError(`n ${shape.n} must be a multiple of the cols period ${colPeriod}`, shape);
  }
  if (options.rankPenalty && shape.rank < 128) {
    throw shapeError(`rank ${shape.rank} must be at least 128 under the rank penalty`, shape);
  }
}
