import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { encodeMiningConfiguration, jobKey } from "./config.js";
import { assertHeaderLength } from "./header.js";
import { leavesForRows, merkleMultiproof, pad1024 } from "./merkle.js";
import { patternFromList, patternOffsetIsValid } from "./pattern.js";
import type { PlainProof } from "./proof.js";
import { type CertVersion, checkCertVersion, type MiningShape } from "./shape.js";

export interface BuildPlainProofInput {
  header: Uint8Array;
  shape: MiningShape;
  certVersion: CertVersion;
  /** Un-noised A, m×k row-major. */
  a: Int8Array;
  /** Un-noised Bᵀ, n×k row-major. */
  bt: Int8Array;
  rowOffset: number;
  colOffset: number;
}

function asBytes(matrix: Int8Array): Uint8Array {
  return new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
}

/** The PlainProof for the tile at (rowOffset, colOffset): leaves and roots of the raw matrices. */
export function buildPlainProof(input: BuildPlainProofInput): PlainProof {
  const { header, shape, certVersion, a, bt, rowOffset, colOffset } = input;
  checkCertVersion(certVersion);
  assertHeaderLength(header);
  const { m, n, k, rank } = shape;
  if (a.length !== m * k || bt.length !== n * k) {
    throw new MiningError(ErrorCodes.SHAPE_INVALID, "matrix sizes do not match the shape", {
      hint: "A is m×k and Bᵀ is n×k, both row-major",
      details: { a: a.length, bt: bt.length, m, n, k },
    });
  }
  const rowPattern = patternFromList(shape.rows);
  const colPattern = patternFromList(shape.cols);
  if (
    !patternOffsetIsValid(rowPattern, rowOffset) ||
    !patternOffsetIsValid(colPattern, colOffset)
  ) {
    throw new MiningError(ErrorCodes.SHAPE_INVALID, "tile offset is not a valid pattern origin", {
      hint: "use an offset from validOffsets()",
      details: { rowOffset, colOffset },
    });
  }
  const key = jobKey(
    header,
    encodeMiningConfiguration({ k, rank, rows: rowPattern, cols: colPattern }),
  );
  const rows = shape.rows.map((r) => rowOffset + r);
  const cols = shape.cols.map((c) => colOffset + c);
  return {
    m,
    n,
    k,
    noiseRank: rank,
    a: {
      proof: merkleMultiproof(key, pad1024(asBytes(a)), leavesForRows(rows, k)),
      rowIndices: rows,
    },
    bt: {
      proof: merkleMultiproof(key, pad1024(asBytes(bt)), leavesForRows(cols, k)),
      rowIndices: cols,
    },
  };
}
