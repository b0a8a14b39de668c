import { isMiningError } from "@openjarvis/mining-core";
import { BLAKE3_CHUNK_LEN } from "./blake3.js";
import { bytesEqual } from "./bytes.js";
import { encodeMiningConfiguration, jobKey } from "./config.js";
import { headerNbits, INCOMPLETE_HEADER_LENGTH } from "./header.js";
import { leavesForRows, type MerkleProof, merkleRootFromProof } from "./merkle.js";
import { noisePermutation, noisyRowA, noisyRowBt } from "./noise.js";
import { type PeriodicPattern, patternFromList, patternOffsetIsValid } from "./pattern.js";
import {
  decodePlainProof,
  type MatrixMerkleProof,
  type PlainProof,
  plainProofFromBase64,
} from "./proof.js";
import { deriveNoiseSeeds } from "./seeds.js";
import { checkCertVersion, publicParamsViolation } from "./shape.js";
import { nbitsToTarget, tileBound } from "./target.js";
import { hashLeqBound, jackpotHash, tileJackpotState } from "./transcript.js";

export interface VerifyOptions {
  certVersion: number;
  /** Check against this nbits instead of the header's (a pool share target). */
  nbitsOverride?: number;
  /** Also require rank ≥ 128 and the rank-penalised bound (consensus since block 96,251). */
  rankPenalty?: boolean;
}

export interface VerifyResult {
  ok: boolean;
  reason?: string;
}

/** Thrown inside the verifier and turned into `{ ok: false, reason }`. */
class Rejection extends Error {}

function reject(reason: string): never {
  throw new Rejection(reason);
}

const U32_MAX = 0xffffffff;

function checkRowIndices(name: string, rows: number[], limit: number, dim: string): void {
  if (!Array.isArray(rows) || rows.length === 0) reject(`${name}: no opened rows`);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!Number.isSafeInteger(r) || r < 0)
      reject(`${name}: row index ${String(r)} is not an integer`);
    if (r >= limit) reject(`${name}: row index ${r} is not below ${dim} = ${limit}`);
    if (i > 0 && r <= rows[i - 1]!) reject(`${name}: row indices are not strictly increasing`);
  }
}

/** Step 2: the pattern and origin implied by an opened index list. */
function patternOf(name: string, rows: number[]): { pattern: PeriodicPattern; offset: number } {
  const offset = rows[0]!;
  let pattern: PeriodicPattern;
  try {
    pattern = patternFromList(rows.map((r) => r - offset));
  } catch (error) {
    reject(`${name}: opened indices do not form a periodic pattern (${(error as Error).message})`);
  }
  if (!patternOffsetIsValid(pattern, offset)) {
    reject(`${name}: offset ${offset} is not a valid origin for its pattern`);
  }
  return { pattern, offset };
}

function checkMerkleShape(name: string, matrix: MatrixMerkleProof, rows: number, k: number): void {
  const proof: MerkleProof = matrix.proof;
  const expectedLeaves = Math.ceil((rows * k) / BLAKE3_CHUNK_LEN);
  if (proof.totalLeaves !== expectedLeaves) {
    reject(`${name}: total_leaves ${proof.totalLeaves} should be ${expectedLeaves}`);
  }
  const expected = leavesForRows(matrix.rowIndices, k);
  const actual = proof.leafIndices;
  if (actual.length !== expected.length || actual.some((x, i) => x !== expected[i])) {
    reject(`${name}: leaf indices do not match the opened rows`);
  }
}

/** Read opened row `row` (k bytes) out of the proof's leaves, as int8. */
function openedRow(proof: MerkleProof, row: number, k: number): Int8Array {
  const out = new Int8Array(k);
  for (let l = 0; l < k; l++) {
    const flat = row * k + l;
    const leaf = proof.leafData[proof.leafIndices.indexOf(Math.floor(flat / BLAKE3_CHUNK_LEN))]!;
    out[l] = (leaf[flat % BLAKE3_CHUNK_LEN]! << 24) >> 24;
  }
  return out;
}

function checkValues(name: string, row: number, values: Int8Array): void {
  for (let l = 0; l < values.length; l++) {
    const v = values[l]!;
    if (v < -64 || v > 64)
      reject(`${name}: value ${v} at row ${row}, column ${l} is outside [-64, 64]`);
  }
}

/**
 * Pearl's `verify_plain_proof` for dense Int7 proofs, every check of the upstream verifier in its
 * order. Never throws: a bad proof gives `{ ok: false, reason }`.
 */
export function verifyPlainProof(
  header: Uint8Array,
  proof: PlainProof | string | Uint8Array,
  options: VerifyOptions,
): VerifyResult {
  try {
    verifyOrThrow(header, proof, options);
    return { ok: true };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.message };
    if (isMiningError(error)) return { ok: false, reason: error.message };
    return { ok: false, reason: `verifier error: ${(error as Error)?.message ?? String(error)}` };
  }
}

function verifyOrThrow(
  header: Uint8Array,
  input: PlainProof | string | Uint8Array,
  options: VerifyOptions,
): void {
  checkCertVersion(options.certVersion);
  const certVersion = options.certVersion;
  if (!(header instanceof Uint8Array) || header.length !== INCOMPLETE_HEADER_LENGTH) {
    reject(`header must be ${INCOMPLETE_HEADER_LENGTH} bytes`);
  }
  const proof =
    typeof input === "string"
      ? plainProofFromBase64(input)
      : input instanceof Uint8Array
        ? decodePlainProof(input)
        : input;

  // 1. Parse-level limits.
  const { m, n, k, noiseRank: rank } = proof;
  for (const [name, value, max] of [
    ["m", m, U32_MAX],
    ["n", n, U32_MAX],
    ["k", k, U32_MAX],
    ["noise_rank", rank, 0xffff],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > max)
      reject(`${name} ${value} is out of range`);
  }
  // Cheap guard ahead of step 4 so a hostile k cannot make the leaf bookkeeping below huge.
  if (k > 65536) reject(`sanity check failed: k ${k} must be in [1024, 65536]`);
  checkRowIndices("A", proof.a.rowIndices, m, "m");
  checkRowIndices("Bt", proof.bt.rowIndices, n, "n");
  checkMerkleShape("A", proof.a, m, k);
  checkMerkleShape("Bt", proof.bt, n, k);

  // 2. Patterns rebuilt from the opened indices.
  const rowsOf = patternOf("A", proof.a.rowIndices);
  const colsOf = patternOf("Bt", proof.bt.rowIndices);

  // 3. Merkle roots under the job key of the rebuilt configuration.
  const config = encodeMiningConfiguration({
    k,
    rank,
    rows: rowsOf.pattern,
    cols: colsOf.pattern,
  });
  const key = jobKey(header, config);
  for (const [name, matrix] of [
    ["A", proof.a],
    ["Bt", proof.bt],
  ] as const) {
    let root: Uint8Array;
    try {
      root = merkleRootFromProof(key, matrix.proof);
    } catch (error) {
      reject(`${name}: ${(error as Error).message}`);
    }
    if (!bytesEqual(root, matrix.proof.root)) {
      reject(
        `${name}: Merkle root recomputed from the leaves and siblings under this header's job key does not match the proof's root`,
      );
    }
  }

  // 4. Public-parameter sanity rules.
  const violation = publicParamsViolation({
    m,
    n,
    k,
    rank,
    rowPattern: rowsOf.pattern,
    colPattern: colsOf.pattern,
    rowSpan: proof.a.rowIndices[proof.a.rowIndices.length - 1]! - rowsOf.offset,
    colSpan: proof.bt.rowIndices[proof.bt.rowIndices.length - 1]! - colsOf.offset,
    rowOffset: rowsOf.offset,
    colOffset: colsOf.offset,
  });
  if (violation) reject(`sanity check failed: ${violation}`);

  // 5. Opened values in [-64, 64].
  const aRows = proof.a.rowIndices.map((row) => openedRow(proof.a.proof, row, k));
  const btRows = proof.bt.rowIndices.map((row) => openedRow(proof.bt.proof, row, k));
  aRows.forEach((values, i) => {
    checkValues("A", proof.a.rowIndices[i]!, values);
  });
  btRows.forEach((values, i) => {
    checkValues("Bt", proof.bt.rowIndices[i]!, values);
  });

  // 6. Noise for the opened rows only, then the jackpot.
  const seeds = deriveNoiseSeeds(certVersion, key, proof.a.proof.root, proof.bt.proof.root, m, n);
  const shape = { k, rank };
  const permA = noisePermutation("A", seeds.aSeed, k, rank);
  const permB = noisePermutation("B", seeds.bSeed, k, rank);
  const aNoisy = aRows.map((values, i) =>
    noisyRowA(values, proof.a.rowIndices[i]!, seeds.aSeed, shape, permA),
  );
  const btNoisy = btRows.map((values, i) =>
    noisyRowBt(values, proof.bt.rowIndices[i]!, seeds.bSeed, shape, permB),
  );
  const hash = jackpotHash(seeds.aSeed, tileJackpotState(aNoisy, btNoisy, k, rank));

  // 7. The win test.
  const nbits = options.nbitsOverride ?? headerNbits(header);
  const target = nbitsToTarget(nbits);
  const tileShape = {
    k,
    rank,
    rows: proof.a.rowIndices.map((r) => r - rowsOf.offset),
    cols: proof.bt.rowIndices.map((c) => c - colsOf.offset),
  };
  if (!hashLeqBound(hash, tileBound(target, tileShape))) {
    reject(`jackpot hash is above the bound for nbits 0x${nbits.toString(16).padStart(8, "0")}`);
  }
  if (options.rankPenalty) {
    if (rank < 128) reject(`rank ${rank} is below 128, which the rank penalty requires`);
    if (!hashLeqBound(hash, tileBound(target, tileShape, { rankPenalty: true }))) {
      reject(
        `jackpot hash is above the rank-penalised bound for nbits 0x${nbits.toString(16).padStart(8, "0")}`,
      );
    }
  }
}
