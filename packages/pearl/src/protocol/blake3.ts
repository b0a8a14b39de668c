/**
 * BLAKE3 (32-byte output), written for clarity: this is the reference the WebAssembly engine is
 * tested against. Only what Pearl needs: hash, keyed hash, chunk chaining values and parent nodes.
 */

const IV = Uint32Array.of(
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
);
const MSG_PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];

export const BLAKE3_BLOCK_LEN = 64;
export const BLAKE3_CHUNK_LEN = 1024;

export const CHUNK_START = 1;
export const CHUNK_END = 2;
export const PARENT = 4;
export const ROOT = 8;
export const KEYED_HASH = 16;

function rotr(x: number, n: number): number {
  return ((x >>> n) | (x << (32 - n))) >>> 0;
}

/** Message word order for each of the 7 rounds: the permutation applied round after round. */
const SCHEDULE: number[][] = (() => {
  const rounds: number[][] = [Array.from({ length: 16 }, (_, i) => i)];
  for (let r = 1; r < 7; r++) rounds.push(MSG_PERMUTATION.map((i) => rounds[r - 1]![i]!));
  return rounds;
})();

// Scratch state, reused: the reference is single-threaded and `compress` is not re-entrant-sensitive.
const state = new Uint32Array(16);

function g(s: Uint32Array, a: number, b: number, c: number, d: number, mx: number, my: number) {
  s[a] = (s[a]! + s[b]! + mx) >>> 0;
  s[d] = rotr(s[d]! ^ s[a]!, 16);
  s[c] = (s[c]! + s[d]!) >>> 0;
  s[b] = rotr(s[b]! ^ s[c]!, 12);
  s[a] = (s[a]! + s[b]! + my) >>> 0;
  s[d] = rotr(s[d]! ^ s[a]!, 8);
  s[c] = (s[c]! + s[d]!) >>> 0;
  s[b] = rotr(s[b]! ^ s[c]!, 7);
}

/** The compression function, truncated to the 8-word chaining value. */
export function compress(
  cv: Uint32Array,
  block: Uint32Array,
  counter: number,
  blockLen: number,
  flags: number,
): Uint32Array {
  const s = state;
  s.set(cv, 0);
  s.set(IV.subarray(0, 4), 8);
  s[12] = counter >>> 0;
  s[13] = Math.floor(counter / 0x1_0000_0000) >>> 0;
  s[14] = blockLen;
  s[15] = flags;
  for (const m of SCHEDULE) {
    g(s, 0, 4, 8, 12, block[m[0]!]!, block[m[1]!]!);
    g(s, 1, 5, 9, 13, block[m[2]!]!, block[m[3]!]!);
    g(s, 2, 6, 10, 14, block[m[4]!]!, block[m[5]!]!);
    g(s, 3, 7, 11, 15, block[m[6]!]!, block[m[7]!]!);
    g(s, 0, 5, 10, 15, block[m[8]!]!, block[m[9]!]!);
    g(s, 1, 6, 11, 12, block[m[10]!]!, block[m[11]!]!);
    g(s, 2, 7, 8, 13, block[m[12]!]!, block[m[13]!]!);
    g(s, 3, 4, 9, 14, block[m[14]!]!, block[m[15]!]!);
  }
  const out = new Uint32Array(8);
  for (let i = 0; i < 8; i++) out[i] = (s[i]! ^ s[i + 8]!) >>> 0;
  return out;
}

function wordsFromBytes(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  for (let i = 0; i < bytes.length; i++) words[i >> 2]! |= bytes[i]! << (8 * (i & 3));
  return words;
}

function bytesFromWords(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  for (let i = 0; i < out.length; i++) out[i] = (words[i >> 2]! >>> (8 * (i & 3))) & 0xff;
  return out;
}

function keyWords(key: Uint8Array): Uint32Array {
  if (key.length !== 32) throw new RangeError(`a BLAKE3 key is 32 bytes, got ${key.length}`);
  return wordsFromBytes(key);
}

/** Chaining value of one chunk (≤ 1024 bytes); `extraFlags` adds ROOT to the last block. */
function chunkCv(
  key: Uint32Array,
  chunk: Uint8Array,
  counter: number,
  baseFlags: number,
  extraFlags = 0,
): Uint32Array {
  if (chunk.length > BLAKE3_CHUNK_LEN) throw new RangeError("a chunk is at most 1024 bytes");
  const blocks = Math.max(1, Math.ceil(chunk.length / BLAKE3_BLOCK_LEN));
  let cv = key;
  for (let b = 0; b < blocks; b++) {
    const bytes = chunk.subarray(b * BLAKE3_BLOCK_LEN, (b + 1) * BLAKE3_BLOCK_LEN);
    const block = new Uint8Array(BLAKE3_BLOCK_LEN);
    block.set(bytes);
    let flags = baseFlags;
    if (b === 0) flags |= CHUNK_START;
    if (b === blocks - 1) flags |= CHUNK_END | extraFlags;
    cv = compress(cv, wordsFromBytes(block), counter, bytes.length, flags);
  }
  return cv;
}

function parentCv(
  key: Uint32Array,
  left: Uint32Array,
  right: Uint32Array,
  baseFlags: number,
): Uint32Array {
  const block = new Uint32Array(16);
  block.set(left, 0);
  block.set(right, 8);
  return compress(key, block, 0, BLAKE3_BLOCK_LEN, baseFlags | PARENT);
}

/**
 * The whole tree. Combining neighbours pairwise and promoting an odd last node gives the same tree
 * as BLAKE3's "largest power of two on the left" rule; Pearl's Merkle proofs rely on that.
 */
function hashTree(key: Uint32Array, data: Uint8Array, baseFlags: number): Uint8Array {
  const chunks = Math.max(1, Math.ceil(data.length / BLAKE3_CHUNK_LEN));
  if (chunks === 1) return bytesFromWords(chunkCv(key, data, 0, baseFlags, ROOT));
  let level: Uint32Array[] = [];
  for (let i = 0; i < chunks; i++) {
    const chunk = data.subarray(i * BLAKE3_CHUNK_LEN, (i + 1) * BLAKE3_CHUNK_LEN);
    level.push(chunkCv(key, chunk, i, baseFlags));
  }
  while (level.length > 2) {
    const next: Uint32Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : parentCv(key, level[i]!, right, baseFlags));
    }
    level = next;
  }
  return bytesFromWords(parentCv(key, level[0]!, level[1]!, baseFlags | ROOT));
}

/** Unkeyed BLAKE3, 32-byte output. */
export function blake3(data: Uint8Array): Uint8Array {
  return hashTree(IV, data, 0);
}

/** Keyed BLAKE3 (32-byte key), 32-byte output. */
export function blake3Keyed(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hashTree(keyWords(key), data, KEYED_HASH);
}

/** Keyed chaining value of chunk number `counter` (≤ 1024 bytes), without the ROOT flag. */
export function blake3ChunkCv(key: Uint8Array, chunk: Uint8Array, counter: number): Uint8Array {
  return bytesFromWords(chunkCv(keyWords(key), chunk, counter, KEYED_HASH));
}

/** Keyed parent node of two 32-byte chaining values; `root` adds the ROOT flag. */
export function blake3ParentCv(
  key: Uint8Array,
  left: Uint8Array,
  right: Uint8Array,
  root: boolean,
): Uint8Array {
  if (left.length !== 32 || right.length !== 32) {
    throw new RangeError("parent inputs are 32-byte chaining values");
  }
  const flags = KEYED_HASH | (root ? ROOT : 0);
  return bytesFromWords(
    parentCv(keyWords(key), wordsFromBytes(left), wordsFromBytes(right), flags),
  );
}
