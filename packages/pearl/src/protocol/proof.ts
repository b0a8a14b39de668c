import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { base64 } from "@scure/base";
import { BLAKE3_CHUNK_LEN } from "./blake3.js";
import type { MerkleProof } from "./merkle.js";

export type { MerkleProof } from "./merkle.js";

/** One matrix's opening: the Merkle proof plus the opened rows (A) or columns (rows of Bᵀ). */
export interface MatrixMerkleProof {
  proof: MerkleProof;
  rowIndices: number[];
}

/** Pearl's dense `PlainProof` (cert versions 1–3). Leaves come from the un-noised matrices. */
export interface PlainProof {
  m: number;
  n: number;
  k: number;
  noiseRank: number;
  a: MatrixMerkleProof;
  bt: MatrixMerkleProof;
}

function decodeError(message: string, details: Record<string, unknown> = {}): MiningError {
  return new MiningError(ErrorCodes.PROOF_INVALID, `malformed plain proof: ${message}`, {
    hint: "the proof must be bincode 1.x (fixint, little-endian) of a dense PlainProof, optionally base64",
    details,
  });
}

class Writer {
  private chunks: Uint8Array[] = [];
  u64(value: number): void {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
    this.chunks.push(bytes);
  }
  bytes(value: Uint8Array): void {
    this.chunks.push(value);
  }
  finish(): Uint8Array {
    const total = this.chunks.reduce((sum, c) => sum + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

class Reader {
  offset = 0;
  private view: DataView;
  constructor(private data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  get remaining(): number {
    return this.data.length - this.offset;
  }
  u64(field: string, max = Number.MAX_SAFE_INTEGER): number {
    if (this.remaining < 8) throw decodeError(`truncated at ${field}`, { offset: this.offset });
    const value = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    if (value > BigInt(max)) throw decodeError(`${field} ${value} exceeds ${max}`, { field });
    return Number(value);
  }
  bytes(length: number, field: string): Uint8Array {
    if (this.remaining < length)
      throw decodeError(`truncated at ${field}`, { offset: this.offset });
    const out = this.data.slice(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  /** A Vec length, bounded by what the remaining bytes could hold. */
  count(field: string, itemBytes: number): number {
    const count = this.u64(`${field} count`);
    if (count * itemBytes > this.remaining) {
      throw decodeError(`${field} count ${count} does not fit the remaining bytes`, { field });
    }
    return count;
  }
}

const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

function writeMatrix(w: Writer, matrix: MatrixMerkleProof): void {
  const { proof, rowIndices } = matrix;
  w.u64(proof.leafData.length);
  for (const leaf of proof.leafData) {
    if (leaf.length !== BLAKE3_CHUNK_LEN) throw decodeError("a leaf must be 1024 bytes");
    w.u64(leaf.length);
    w.bytes(leaf);
  }
  w.u64(proof.leafIndices.length);
  for (const i of proof.leafIndices) w.u64(i);
  w.u64(proof.totalLeaves);
  if (proof.root.length !== 32) throw decodeError("root must be 32 bytes");
  w.bytes(proof.root);
  w.u64(proof.siblings.length);
  for (const s of proof.siblings) {
    if (s.length !== 32) throw decodeError("a sibling must be 32 bytes");
    w.bytes(s);
  }
  w.u64(rowIndices.length);
  for (const r of rowIndices) w.u64(r);
}

function readMatrix(r: Reader, name: string): MatrixMerkleProof {
  const leafCount = r.count(`${name}.leaf_data`, 8 + BLAKE3_CHUNK_LEN);
  const leafData: Uint8Array[] = [];
  for (let i = 0; i < leafCount; i++) {
    const length = r.u64(`${name}.leaf_data[${i}] length`);
    if (length !== BLAKE3_CHUNK_LEN) {
      throw decodeError(`${name} leaf ${i} is ${length} bytes, not 1024`, { matrix: name });
    }
    leafData.push(r.bytes(length, `${name}.leaf_data[${i}]`));
  }
  const indexCount = r.count(`${name}.leaf_indices`, 8);
  const leafIndices: number[] = [];
  for (let i = 0; i < indexCount; i++) leafIndices.push(r.u64(`${name}.leaf_indices[${i}]`));
  const totalLeaves = r.u64(`${name}.total_leaves`);
  const root = r.bytes(32, `${name}.root`);
  const siblingCount = r.count(`${name}.siblings`, 32);
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < siblingCount; i++) siblings.push(r.bytes(32, `${name}.siblings[${i}]`));
  const rowCount = r.count(`${name}.row_indices`, 8);
  const rowIndices: number[] = [];
  for (let i = 0; i < rowCount; i++) rowIndices.push(r.u64(`${name}.row_indices[${i}]`));
  return { proof: { leafData, leafIndices, totalLeaves, root, siblings }, rowIndices };
}

/**
 * bincode 1.x of a dense PlainProof. The current format ends with 0x00 (`moe: None`); `legacy`
 * omits it, as the pre-0.2.0 package did. Both are accepted by today's gateway.
 */
export function encodePlainProof(
  proof: PlainProof,
  options: { legacy?: boolean } = {},
): Uint8Array {
  const w = new Writer();
  w.u64(proof.m);
  w.u64(proof.n);
  w.u64(proof.k);
  w.u64(proof.noiseRank);
  writeMatrix(w, proof.a);
  writeMatrix(w, proof.bt);
  if (!options.legacy) w.bytes(Uint8Array.of(0));
  return w.finish();
}

/** Parse either format (current first, then legacy); trailing bytes and MoE proofs are rejected. */
export function decodePlainProof(bytes: Uint8Array): PlainProof {
  if (!(bytes instanceof Uint8Array)) throw decodeError("expected bytes");
  const r = new Reader(bytes);
  const m = r.u64("m", U32_MAX);
  const n = r.u64("n", U32_MAX);
  const k = r.u64("k", U32_MAX);
  const noiseRank = r.u64("noise_rank", U16_MAX);
  const a = readMatrix(r, "a");
  const bt = readMatrix(r, "bt");
  if (r.remaining === 1) {
    const tag = bytes[r.offset]!;
    if (tag === 1)
      throw decodeError("MoE proofs are not supported (dense only since block 91,630)");
    if (tag !== 0) throw decodeError(`unexpected trailing byte 0x${tag.toString(16)}`);
  } else if (r.remaining > 1) {
    throw decodeError(`${r.remaining} trailing bytes`, { trailing: r.remaining });
  }
  return { m, n, k, noiseRank, a, bt };
}

/** Standard padded base64 of the current bincode blob (what `submitPlainProof` carries). */
export function plainProofToBase64(proof: PlainProof, options: { legacy?: boolean } = {}): string {
  return base64.encode(encodePlainProof(proof, options));
}

export function plainProofFromBase64(text: string): PlainProof {
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(text.trim());
  } catch (error) {
    throw new MiningError(ErrorCodes.PROOF_INVALID, "malformed plain proof: not valid base64", {
      hint: "expected standard base64 with = padding",
      cause: error,
    });
  }
  return decodePlainProof(bytes);
}
