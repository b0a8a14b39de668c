import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { BLAKE3_CHUNK_LEN, blake3ChunkCv, blake3Keyed, blake3ParentCv } from "./blake3.js";

/** A multi-leaf Merkle proof over 1024-byte leaves (the BLAKE3 chunk tree). */
export interface MerkleProof {
  leafData: Uint8Array[];
  leafIndices: number[];
  totalLeaves: number;
  root: Uint8Array;
  siblings: Uint8Array[];
}

/** Zero-pad to the next multiple of 1024 bytes (unchanged when already aligned). */
export function pad1024(data: Uint8Array): Uint8Array {
  const length = Math.ceil(data.length / BLAKE3_CHUNK_LEN) * BLAKE3_CHUNK_LEN;
  if (length === data.length) return data;
  const out = new Uint8Array(length);
  out.set(data);
  return out;
}

/** The Merkle root of `data`: the keyed BLAKE3 hash of the padded buffer. */
export function merkleRootKeyed(key: Uint8Array, data: Uint8Array): Uint8Array {
  return blake3Keyed(key, pad1024(data));
}

/** Leaves covering rows `rows` of a row-major matrix with row length k, ascending, deduplicated. */
export function leavesForRows(rows: readonly number[], k: number): number[] {
  const leaves = new Set<number>();
  for (const row of rows) {
    const first = Math.floor((row * k) / BLAKE3_CHUNK_LEN);
    const last = Math.floor(((row + 1) * k - 1) / BLAKE3_CHUNK_LEN);
    for (let leaf = first; leaf <= last; leaf++) leaves.add(leaf);
  }
  return [...leaves].sort((a, b) => a - b);
}

function merkleError(message: string, details: Record<string, unknown> = {}): MiningError {
  return new MiningError(ErrorCodes.PROOF_INVALID, message, {
    hint: "the Merkle proof does not match the tree it claims to open",
    details,
  });
}

/**
 * Open `leafIndices` of the tree over `paddedData` (a multiple of 1024 bytes). Siblings are listed
 * level by level from the leaves up, and within a level by ascending node index.
 */
export function merkleMultiproof(
  key: Uint8Array,
  paddedData: Uint8Array,
  leafIndices: readonly number[],
): MerkleProof {
  if (paddedData.length === 0 || paddedData.length % BLAKE3_CHUNK_LEN !== 0) {
    throw merkleError("Merkle data must be a non-empty multiple of 1024 bytes (use pad1024)");
  }
  const totalLeaves = paddedData.length / BLAKE3_CHUNK_LEN;
  const indices = [...new Set(leafIndices)].sort((a, b) => a - b);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= totalLeaves) {
      throw merkleError(`leaf index ${i} is outside [0, ${totalLeaves})`, { index: i });
    }
  }
  const leaf = (i: number) => paddedData.subarray(i * BLAKE3_CHUNK_LEN, (i + 1) * BLAKE3_CHUNK_LEN);
  const leafData = indices.map((i) => leaf(i).slice());
  const siblings: Uint8Array[] = [];

  let level: Uint8Array[] = [];
  for (let i = 0; i < totalLeaves; i++) level.push(blake3ChunkCv(key, leaf(i), i));
  let opened = new Set(indices);
  // The root is the ROOT-flagged top node (the keyed hash itself for a one-leaf tree).
  let root = totalLeaves === 1 ? blake3Keyed(key, paddedData) : new Uint8Array(0);
  while (level.length > 1) {
    for (const i of [...opened].sort((a, b) => a - b)) {
      if (i % 2 === 1 && !opened.has(i - 1)) siblings.push(level[i - 1]!);
      if (i % 2 === 0 && !opened.has(i + 1) && i + 1 < level.length) siblings.push(level[i + 1]!);
    }
    if (level.length === 2) root = blake3ParentCv(key, level[0]!, level[1]!, true);
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : blake3ParentCv(key, level[i]!, right, false));
    }
    level = next;
    opened = new Set([...opened].map((i) => i >> 1));
  }
  return { leafData, leafIndices: indices, totalLeaves, root, siblings };
}

/**
 * Recompute the root from the opened leaves and the siblings, consuming siblings in exactly the
 * order `merkleMultiproof` emits them. Throws (E_PROOF_INVALID) on a malformed proof, including
 * missing or left-over siblings; the caller compares the result with `proof.root`.
 */
export function merkleRootFromProof(key: Uint8Array, proof: MerkleProof): Uint8Array {
  const { leafData, leafIndices, totalLeaves, siblings } = proof;
  if (!Number.isSafeInteger(totalLeaves) || totalLeaves < 1) {
    throw merkleError(`total_leaves ${totalLeaves} must be at least 1`);
  }
  if (leafData.length !== leafIndices.length || leafIndices.length === 0) {
    throw merkleError("a proof needs as many leaves as leaf indices, at least one", {
      leaves: leafData.length,
      indices: leafIndices.length,
    });
  }
  for (let j = 0; j < leafIndices.length; j++) {
    const i = leafIndices[j]!;
    if (!Number.isSafeInteger(i) || i < 0 || i >= totalLeaves) {
      throw merkleError(`leaf index ${i} is outside [0, ${totalLeaves})`, { index: i });
    }
    if (j > 0 && i <= leafIndices[j - 1]!)
      throw merkleError("leaf indices must be strictly increasing");
    if (leafData[j]!.length !== BLAKE3_CHUNK_LEN) {
      throw merkleError(`leaf ${i} is ${leafData[j]!.length} bytes, not 1024`, { index: i });
    }
  }
  if (totalLeaves === 1) {
    if (siblings.length > 0) throw merkleError(`${siblings.length} unused Merkle siblings`);
    return blake3Keyed(key, leafData[0]!);
  }

  let next = 0;
  const takeSibling = (): Uint8Array => {
    const sibling = siblings[next++];
    if (sibling === undefined) throw merkleError("the proof is missing Merkle siblings");
    if (sibling.length !== 32) throw merkleError("a Merkle sibling is not 32 bytes");
    return sibling;
  };
  let level = new Map<number, Uint8Array>();
  leafIndices.forEach((i, j) => {
    level.set(i, blake3ChunkCv(key, leafData[j]!, i));
  });
  let length = totalLeaves;
  while (length > 1) {
    const isRoot = length === 2;
    const parents = new Map<number, Uint8Array>();
    for (const i of [...level.keys()].sort((a, b) => a - b)) {
      if (parents.has(i >> 1)) continue;
      const node = level.get(i)!;
      if (i % 2 === 1) {
        const left = level.get(i - 1) ?? takeSibling();
        parents.set(i >> 1, blake3ParentCv(key, left, node, isRoot));
      } else if (i + 1 < length) {
        const right = level.get(i + 1) ?? takeSibling();
        parents.set(i >> 1, blake3ParentCv(key, node, right, isRoot));
      } else {
        parents.set(i >> 1, node);
      }
    }
    level = parents;
    length = Math.ceil(length / 2);
  }
  if (next !== siblings.length)
    throw merkleError(`${siblings.length - next} unused Merkle siblings`);
  return level.get(0)!;
}
