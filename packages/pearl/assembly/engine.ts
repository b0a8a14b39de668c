// Int7 proof-of-work hot path: matrix generator, 4-lane BLAKE3, low-rank noise, operand packing and
// the tile-transcript kernel. Compiled with AssemblyScript (`--enable simd --runtime stub`).
// Memory layout belongs to the host: every export takes pointers into linear memory, and nothing here
// allocates. Only the small scratch buffers below are static.

// ---------------------------------------------------------------------------------------------
// Matrix generator: xoshiro128** seeded by splitmix32, bit-identical to protocol/random.ts.

/** Fills `len` bytes (a multiple of 4) with values in [-64, 63] for (seed, stream). */
export function fillMatrix(out: usize, len: usize, seed: u32, stream: u32): void {
  let state: u32 = seed ^ ((stream + 1) * 0x9e3779b1);
  state += 0x9e3779b9;
  let s0 = splitmixOutput(state);
  state += 0x9e3779b9;
  let s1 = splitmixOutput(state);
  state += 0x9e3779b9;
  let s2 = splitmixOutput(state);
  state += 0x9e3779b9;
  let s3 = splitmixOutput(state);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const end = out + len;
  let p = out;
  if (len >= BLOCK_BYTES) {
    prepareJump();
    const lanes = LANE_STATES;
    while (end - p >= BLOCK_BYTES) {
      store<u32>(lanes, s0);
      store<u32>(lanes, s1, 4);
      store<u32>(lanes, s2, 8);
      store<u32>(lanes, s3, 12);
      applyJump(lanes, lanes + 16);
      applyJump(lanes + 16, lanes + 32);
      applyJump(lanes + 32, lanes + 48);
      fillBlock4(p);
      // Lane 3 stopped where the next block starts.
      s0 = load<u32>(lanes, 48);
      s1 = load<u32>(lanes, 52);
      s2 = load<u32>(lanes, 56);
      s3 = load<u32>(lanes, 60);
      p += BLOCK_BYTES;
    }
  }
  for (; p < end; p += 4) {
    const word = rotl<u32>(s1 * 5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    // Per byte: (b & 127) - 64 is the 7-bit value with its top bit flipped, sign-extended to 8 bits.
    const v = (word & 0x7f7f7f7f) ^ 0x40404040;
    store<u32>(p, v | ((v & 0x40404040) << 1));
  }
}

// xoshiro128** is one stream, but its state update is linear over GF(2), so the state LANE_STEPS
// steps ahead is a fixed 128×128 bit matrix times the state. A 64 KiB block is then generated as
// four quarters at once, one per SIMD lane, each lane starting LANE_STEPS steps after the previous.
const LANE_STEPS: usize = 4096;
const BLOCK_BYTES: usize = 16 * LANE_STEPS;
const JUMP: usize = memory.data(2048, 16); // column i: the state LANE_STEPS steps after bit i alone
const JUMP_TMP: usize = memory.data(2048, 16);
const LANE_STATES: usize = memory.data(64, 16); // (s0, s1, s2, s3) of lanes 0..3
let jumpReady = false;

/** One xoshiro128** state update of the 4 words at p, in place. */
function xoshiroStep(p: usize): void {
  let s0 = load<u32>(p);
  let s1 = load<u32>(p, 4);
  let s2 = load<u32>(p, 8);
  let s3 = load<u32>(p, 12);
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  store<u32>(p, s0);
  store<u32>(p, s1, 4);
  store<u32>(p, s2, 8);
  store<u32>(p, s3, 12);
}

/** q = matrix × the state at p (GF(2)): the XOR of the columns of the state's set bits. */
function multiply(matrix: usize, p: usize, q: usize): void {
  let r = i32x4.splat(0);
  for (let i: usize = 0; i < 128; i++) {
    const bit = (load<u32>(p + ((i >> 5) << 2)) >> (<u32>i & 31)) & 1;
    r = v128.xor(r, v128.and(v128.load(matrix + (i << 4)), i32x4.splat(-bit)));
  }
  v128.store(q, r);
}

function applyJump(p: usize, q: usize): void {
  multiply(JUMP, p, q);
}

/** JUMP = (one step)^LANE_STEPS, by squaring the one-step matrix (LANE_STEPS is a power of two). */
function prepareJump(): void {
  if (jumpReady) return;
  for (let i: usize = 0; i < 128; i++) {
    const col = JUMP + (i << 4);
    v128.store(col, i32x4.splat(0));
    store<u32>(col + ((i >> 5) << 2), (<u32>1) << (<u32>i & 31));
    xoshiroStep(col);
  }
  for (let steps: usize = 1; steps < LANE_STEPS; steps <<= 1) {
    for (let i: usize = 0; i < 128; i++) multiply(JUMP, JUMP + (i << 4), JUMP_TMP + (i << 4));
    memory.copy(JUMP, JUMP_TMP, 2048);
  }
  jumpReady = true;
}

/**
 * One 64 KiB block from the four lane states in LANE_STATES: lane j writes bytes [j, j + 1) ×
 * BLOCK_BYTES / 4. Four steps per iteration, transposed so each lane stores one vector. Leaves
 * the final lane states in LANE_STATES.
 */
function fillBlock4(out: usize): void {
  const quarter = BLOCK_BYTES >> 2;
  transpose4(
    v128.load(LANE_STATES),
    v128.load(LANE_STATES, 16),
    v128.load(LANE_STATES, 32),
    v128.load(LANE_STATES, 48),
    TRANSPOSED,
  );
  let s0 = v128.load(TRANSPOSED);
  let s1 = v128.load(TRANSPOSED, 16);
  let s2 = v128.load(TRANSPOSED, 32);
  let s3 = v128.load(TRANSPOSED, 48);
  const end = out + quarter;
  for (let p = out; p < end; p += 16) {
    const w0 = outputWord(s1);
    let t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const w1 = outputWord(s1);
    t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const w2 = outputWord(s1);
    t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const w3 = outputWord(s1);
    t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const t0 = i32x4.shuffle(w0, w1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(w0, w1, 2, 6, 3, 7);
    const t2 = i32x4.shuffle(w2, w3, 0, 4, 1, 5);
    const t3 = i32x4.shuffle(w2, w3, 2, 6, 3, 7);
    v128.store(p, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
    v128.store(p + quarter, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
    v128.store(p + 2 * quarter, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
    v128.store(p + 3 * quarter, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
  }
  transpose4(s0, s1, s2, s3, LANE_STATES);
}

/** The four bytes of a xoshiro128** output word (per lane), mapped as in fillMatrix's scalar loop. */
function outputWord(s1: v128): v128 {
  const x = i32x4.mul(s1, i32x4.splat(5));
  const word = i32x4.mul(v128.or(i32x4.shl(x, 7), i32x4.shr_u(x, 25)), i32x4.splat(9));
  const v = v128.xor(v128.and(word, i32x4.splat(0x7f7f7f7f)), i32x4.splat(0x40404040));
  return v128.or(v, i32x4.shl(v128.and(v, i32x4.splat(0x40404040)), 1));
}

function splitmixOutput(state: u32): u32 {
  let z = state;
  z = (z ^ (z >> 16)) * 0x21f0aaad;
  z = (z ^ (z >> 15)) * 0x735a2d97;
  return z ^ (z >> 15);
}

// ---------------------------------------------------------------------------------------------
// BLAKE3, four independent compressions at once (lane j of every state vector = message j).

const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const PARENT: u32 = 4;
const ROOT: u32 = 8;
const KEYED_HASH: u32 = 16;

const IV0: u32 = 0x6a09e667;
const IV1: u32 = 0xbb67ae85;
const IV2: u32 = 0x3c6ef372;
const IV3: u32 = 0xa54ff53a;

const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const CV4: usize = memory.data(128, 16); // 8 vectors: word i of the chaining value, per lane
const MSG4: usize = memory.data(256, 16); // 16 vectors: message word i, per lane
const MSG4B: usize = memory.data(256, 16); // ping-pong buffer for the message permutation
const CTR4: usize = memory.data(16, 16); // chunk counter (low word) per lane
const BLOCK: usize = memory.data(64, 16); // a zero-padded partial block
const PAIR: usize = memory.data(64, 16); // two 32-byte values hashed as one block
const PRF4: usize = memory.data(256, 16); // four noise PRF messages
const OUT4: usize = memory.data(128, 16); // four 32-byte outputs of prf4
const TRANSPOSED: usize = memory.data(128, 16); // storeOutputs4's staging area
const BOUND_ROOT: usize = memory.data(32, 16); // a root bound to its dimension (salted seeds)
const SINK: usize = memory.data(32, 16); // output of unused lanes

/** First free byte after the static data, for the host's layout. */
export function heapBase(): usize {
  return __heap_base;
}

function rotr16(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}
// A swizzle by a constant: V8 rebuilds a shuffle's pshufb mask from immediates at every use (4
// instructions), but keeps a constant swizzle mask in a register or spill slot: 5–7 % off BLAKE3.
function rotr8(x: v128): v128 {
  return i8x16.swizzle(x, i8x16(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
}
function rotr12(x: v128): v128 {
  return v128.or(i32x4.shr_u(x, 12), i32x4.shl(x, 20));
}
function rotr7(x: v128): v128 {
  return v128.or(i32x4.shr_u(x, 7), i32x4.shl(x, 25));
}
function add3(a: v128, b: v128, c: v128): v128 {
  return i32x4.add(i32x4.add(a, b), c);
}

/** Compresses the four lanes of CV4 with MSG4 and CTR4; leaves the 32-byte outputs in CV4. */
function compress4(blockLen: u32, flags: u32): void {
  let s0 = v128.load(CV4);
  let s1 = v128.load(CV4, 16);
  let s2 = v128.load(CV4, 32);
  let s3 = v128.load(CV4, 48);
  let s4 = v128.load(CV4, 64);
  let s5 = v128.load(CV4, 80);
  let s6 = v128.load(CV4, 96);
  let s7 = v128.load(CV4, 112);
  let s8 = i32x4.splat(IV0);
  let s9 = i32x4.splat(IV1);
  let s10 = i32x4.splat(IV2);
  let s11 = i32x4.splat(IV3);
  let s12 = v128.load(CTR4);
  let s13 = i32x4.splat(0);
  let s14 = i32x4.splat(blockLen);
  let s15 = i32x4.splat(flags);
  let m = MSG4;
  let next = MSG4B;
  for (let round = 0; round < 7; round++) {
    // Columns.
    s0 = add3(s0, s4, v128.load(m, 0));
    s12 = rotr16(v128.xor(s12, s0));
    s8 = i32x4.add(s8, s12);
    s4 = rotr12(v128.xor(s4, s8));
    s0 = add3(s0, s4, v128.load(m, 16));
    s12 = rotr8(v128.xor(s12, s0));
    s8 = i32x4.add(s8, s12);
    s4 = rotr7(v128.xor(s4, s8));

    s1 = add3(s1, s5, v128.load(m, 32));
    s13 = rotr16(v128.xor(s13, s1));
    s9 = i32x4.add(s9, s13);
    s5 = rotr12(v128.xor(s5, s9));
    s1 = add3(s1, s5, v128.load(m, 48));
    s13 = rotr8(v128.xor(s13, s1));
    s9 = i32x4.add(s9, s13);
    s5 = rotr7(v128.xor(s5, s9));

    s2 = add3(s2, s6, v128.load(m, 64));
    s14 = rotr16(v128.xor(s14, s2));
    s10 = i32x4.add(s10, s14);
    s6 = rotr12(v128.xor(s6, s10));
    s2 = add3(s2, s6, v128.load(m, 80));
    s14 = rotr8(v128.xor(s14, s2));
    s10 = i32x4.add(s10, s14);
    s6 = rotr7(v128.xor(s6, s10));

    s3 = add3(s3, s7, v128.load(m, 96));
    s15 = rotr16(v128.xor(s15, s3));
    s11 = i32x4.add(s11, s15);
    s7 = rotr12(v128.xor(s7, s11));
    s3 = add3(s3, s7, v128.load(m, 112));
    s15 = rotr8(v128.xor(s15, s3));
    s11 = i32x4.add(s11, s15);
    s7 = rotr7(v128.xor(s7, s11));

    // Diagonals.
    s0 = add3(s0, s5, v128.load(m, 128));
    s15 = rotr16(v128.xor(s15, s0));
    s10 = i32x4.add(s10, s15);
    s5 = rotr12(v128.xor(s5, s10));
    s0 = add3(s0, s5, v128.load(m, 144));
    s15 = rotr8(v128.xor(s15, s0));
    s10 = i32x4.add(s10, s15);
    s5 = rotr7(v128.xor(s5, s10));

    s1 = add3(s1, s6, v128.load(m, 160));
    s12 = rotr16(v128.xor(s12, s1));
    s11 = i32x4.add(s11, s12);
    s6 = rotr12(v128.xor(s6, s11));
    s1 = add3(s1, s6, v128.load(m, 176));
    s12 = rotr8(v128.xor(s12, s1));
    s11 = i32x4.add(s11, s12);
    s6 = rotr7(v128.xor(s6, s11));

    s2 = add3(s2, s7, v128.load(m, 192));
    s13 = rotr16(v128.xor(s13, s2));
    s8 = i32x4.add(s8, s13);
    s7 = rotr12(v128.xor(s7, s8));
    s2 = add3(s2, s7, v128.load(m, 208));
    s13 = rotr8(v128.xor(s13, s2));
    s8 = i32x4.add(s8, s13);
    s7 = rotr7(v128.xor(s7, s8));

    s3 = add3(s3, s4, v128.load(m, 224));
    s14 = rotr16(v128.xor(s14, s3));
    s9 = i32x4.add(s9, s14);
    s4 = rotr12(v128.xor(s4, s9));
    s3 = add3(s3, s4, v128.load(m, 240));
    s14 = rotr8(v128.xor(s14, s3));
    s9 = i32x4.add(s9, s14);
    s4 = rotr7(v128.xor(s4, s9));

    if (round < 6) {
      // BLAKE3's message permutation: next[i] = m[PERM[i]].
      v128.store(next, v128.load(m, 32), 0);
      v128.store(next, v128.load(m, 96), 16);
      v128.store(next, v128.load(m, 48), 32);
      v128.store(next, v128.load(m, 160), 48);
      v128.store(next, v128.load(m, 112), 64);
      v128.store(next, v128.load(m, 0), 80);
      v128.store(next, v128.load(m, 64), 96);
      v128.store(next, v128.load(m, 208), 112);
      v128.store(next, v128.load(m, 16), 128);
      v128.store(next, v128.load(m, 176), 144);
      v128.store(next, v128.load(m, 192), 160);
      v128.store(next, v128.load(m, 80), 176);
      v128.store(next, v128.load(m, 144), 192);
      v128.store(next, v128.load(m, 224), 208);
      v128.store(next, v128.load(m, 240), 224);
      v128.store(next, v128.load(m, 128), 240);
      const t = m;
      m = next;
      next = t;
    }
  }
  v128.store(CV4, v128.xor(s0, s8), 0);
  v128.store(CV4, v128.xor(s1, s9), 16);
  v128.store(CV4, v128.xor(s2, s10), 32);
  v128.store(CV4, v128.xor(s3, s11), 48);
  v128.store(CV4, v128.xor(s4, s12), 64);
  v128.store(CV4, v128.xor(s5, s13), 80);
  v128.store(CV4, v128.xor(s6, s14), 96);
  v128.store(CV4, v128.xor(s7, s15), 112);
}

/** Transposes four 16-byte rows (one per lane) into four word vectors at dst. */
function transpose4(a: v128, b: v128, c: v128, d: v128, dst: usize): void {
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5), 0);
  v128.store(dst, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 16);
  v128.store(dst, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 32);
  v128.store(dst, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 48);
}

function loadMessages4(p0: usize, p1: usize, p2: usize, p3: usize): void {
  for (let q: usize = 0; q < 64; q += 16) {
    transpose4(
      v128.load(p0 + q),
      v128.load(p1 + q),
      v128.load(p2 + q),
      v128.load(p3 + q),
      MSG4 + (q << 2),
    );
  }
}

/** Writes the 32-byte output of lane j to qj. */
function storeOutputs4(q0: usize, q1: usize, q2: usize, q3: usize): void {
  const t = TRANSPOSED;
  transpose4(v128.load(CV4), v128.load(CV4, 16), v128.load(CV4, 32), v128.load(CV4, 48), t);
  transpose4(
    v128.load(CV4, 64),
    v128.load(CV4, 80),
    v128.load(CV4, 96),
    v128.load(CV4, 112),
    t + 64,
  );
  v128.store(q0, v128.load(t, 0));
  v128.store(q0, v128.load(t, 64), 16);
  v128.store(q1, v128.load(t, 16));
  v128.store(q1, v128.load(t, 80), 16);
  v128.store(q2, v128.load(t, 32));
  v128.store(q2, v128.load(t, 96), 16);
  v128.store(q3, v128.load(t, 48));
  v128.store(q3, v128.load(t, 112), 16);
}

function setKey4(key: usize): void {
  for (let i: usize = 0; i < 8; i++) v128.store(CV4 + (i << 4), v128.load32_splat(key + (i << 2)));
}

function setCounters4(c0: u32): void {
  v128.store(CTR4, i32x4.add(i32x4.splat(c0), i32x4(0, 1, 2, 3)));
}

/**
 * Four one-block hashes (blocks of 64 bytes at p0..p3) keyed with the 32 bytes at key; the digests
 * go to q0..q3. `flags` carries KEYED_HASH for keyed mode (the key is then BLAKE3's IV otherwise).
 */
function oneBlock4(
  key: usize,
  flags: u32,
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  q0: usize,
  q1: usize,
  q2: usize,
  q3: usize,
): void {
  setKey4(key);
  v128.store(CTR4, i32x4.splat(0));
  loadMessages4(p0, p1, p2, p3);
  compress4(64, flags | CHUNK_START | CHUNK_END | ROOT);
  storeOutputs4(q0, q1, q2, q3);
}

/** Keyed one-block hashes of `count` consecutive 64-byte messages; digests go to out (32 each). */
export function keyedBlocks(key: usize, messages: usize, count: i32, out: usize): void {
  for (let i = 0; i < count; i += 4) {
    const p = messages + ((<usize>i) << 6);
    const q = out + ((<usize>i) << 5);
    oneBlock4(
      key,
      KEYED_HASH,
      p,
      i + 1 < count ? p + 64 : p,
      i + 2 < count ? p + 128 : p,
      i + 3 < count ? p + 192 : p,
      q,
      i + 1 < count ? q + 32 : SINK,
      i + 2 < count ? q + 64 : SINK,
      i + 3 < count ? q + 96 : SINK,
    );
  }
}

/** Single one-block hash of the 64 bytes at msg (lane 0 only). */
function oneBlock(key: usize, flags: u32, msg: usize, out: usize): void {
  oneBlock4(key, flags, msg, msg, msg, msg, out, SINK, SINK, SINK);
}

/**
 * BLAKE3 of `len` bytes at data, keyed with the 32 bytes at key when `keyed`, else the plain hash.
 * Full chunks are hashed four at a time; the parent tree is reduced level by level in `cvs`
 * (room for one 32-byte value per chunk). The 32-byte digest goes to out.
 */
export function hash(
  keyed: bool,
  keyBytes: usize,
  data: usize,
  len: usize,
  cvs: usize,
  out: usize,
): void {
  const keyFlag: u32 = keyed ? KEYED_HASH : 0;
  const key = keyed ? keyBytes : IV;
  const chunks: usize = len === 0 ? 1 : (len + 1023) >> 10;
  const fullBatched = chunks - 1; // the last chunk may be partial, and may be the root
  for (let c: usize = 0; c < fullBatched; c += 4) {
    const n = fullBatched - c;
    setKey4(key);
    setCounters4(<u32>c);
    const p0 = data + (c << 10);
    const p1 = n > 1 ? p0 + 1024 : p0;
    const p2 = n > 2 ? p0 + 2048 : p0;
    const p3 = n > 3 ? p0 + 3072 : p0;
    for (let b: usize = 0; b < 1024; b += 64) {
      loadMessages4(p0 + b, p1 + b, p2 + b, p3 + b);
      let flags = keyFlag;
      if (b === 0) flags |= CHUNK_START;
      if (b === 960) flags |= CHUNK_END;
      compress4(64, flags);
    }
    const q0 = cvs + (c << 5);
    storeOutputs4(q0, n > 1 ? q0 + 32 : SINK, n > 2 ? q0 + 64 : SINK, n > 3 ? q0 + 96 : SINK);
  }

  // The last chunk, block by block in lane 0.
  const lastStart = fullBatched << 10;
  const lastLen = len - lastStart;
  const blocks: usize = lastLen === 0 ? 1 : (lastLen + 63) >> 6;
  setKey4(key);
  v128.store(CTR4, i32x4.splat(<u32>fullBatched));
  for (let b: usize = 0; b < blocks; b++) {
    const offset = b << 6;
    const blockLen = min<usize>(lastLen - offset, 64);
    let src = data + lastStart + offset;
    if (blockLen < 64) {
      memory.fill(BLOCK, 0, 64);
      memory.copy(BLOCK, src, blockLen);
      src = BLOCK;
    }
    loadMessages4(src, src, src, src);
    let flags = keyFlag;
    if (b === 0) flags |= CHUNK_START;
    if (b === blocks - 1) {
      flags |= CHUNK_END;
      if (chunks === 1) flags |= ROOT;
    }
    compress4(<u32>blockLen, flags);
  }
  storeOutputs4(chunks === 1 ? out : cvs + (fullBatched << 5), SINK, SINK, SINK);
  if (chunks === 1) return;

  // Pair adjacent nodes level by level; an odd last node moves up unchanged.
  let width = chunks;
  while (width > 2) {
    const pairs = width >> 1;
    for (let i: usize = 0; i < pairs; i += 4) {
      const n = pairs - i;
      const p0 = cvs + (i << 6);
      setKey4(key);
      v128.store(CTR4, i32x4.splat(0));
      loadMessages4(p0, n > 1 ? p0 + 64 : p0, n > 2 ? p0 + 128 : p0, n > 3 ? p0 + 192 : p0);
      compress4(64, keyFlag | PARENT);
      const q0 = cvs + (i << 5);
      storeOutputs4(q0, n > 1 ? q0 + 32 : SINK, n > 2 ? q0 + 64 : SINK, n > 3 ? q0 + 96 : SINK);
    }
    if (width & 1) memory.copy(cvs + (pairs << 5), cvs + ((width - 1) << 5), 32);
    width = pairs + (width & 1);
  }
  setKey4(key);
  v128.store(CTR4, i32x4.splat(0));
  loadMessages4(cvs, cvs, cvs, cvs);
  compress4(64, keyFlag | PARENT | ROOT);
  storeOutputs4(out, SINK, SINK, SINK);
}

// ---------------------------------------------------------------------------------------------
// Seed chains (ALGORITHM.md §5.2/§5.3).

/** out = H(left32 ‖ right32), or HK(key, left32 ‖ right32) when key != 0. */
function hashPair(key: usize, left: usize, right: usize, out: usize): void {
  memory.copy(PAIR, left, 32);
  memory.copy(PAIR + 32, right, 32);
  if (key === 0) oneBlock(IV, 0, PAIR, out);
  else oneBlock(key, KEYED_HASH, PAIR, out);
}

const DIM_BLOCK: usize = memory.data(32, 16);

/**
 * The noise seed of one side. Legacy (salt = 0): H(parent ‖ root). Salted: H(parent ‖ HK(salt,
 * root ‖ u32le(dim) ‖ 28 zero bytes)). `parent` is the job key for B and B's seed for A.
 */
export function deriveSeed(parent: usize, root: usize, salt: usize, dim: u32, out: usize): void {
  if (salt === 0) {
    hashPair(0, parent, root, out);
    return;
  }
  memory.fill(DIM_BLOCK, 0, 32);
  store<u32>(DIM_BLOCK, dim);
  hashPair(salt, root, DIM_BLOCK, BOUND_ROOT);
  hashPair(0, parent, BOUND_ROOT, out);
}

// ---------------------------------------------------------------------------------------------
// Low-rank noise factors (ALGORITHM.md §6). PRF(i, label, key, slot) = HK(key, slots ‖ label) with
// slot `slot` = i + 1.

function prf4(key: usize, label: usize, slot: u32, first: u32): void {
  for (let j: u32 = 0; j < 4; j++) {
    const msg = PRF4 + ((<usize>j) << 6);
    memory.fill(msg, 0, 32);
    store<u32>(msg + ((<usize>slot) << 2), first + j + 1);
    memory.copy(msg + 32, label, 32);
  }
  oneBlock4(
    key,
    KEYED_HASH,
    PRF4,
    PRF4 + 64,
    PRF4 + 128,
    PRF4 + 192,
    OUT4,
    OUT4 + 32,
    OUT4 + 64,
    OUT4 + 96,
  );
}

/** The uniform factor: rows × r bytes in [-32, 31], row-major. */
export function uniformFactor(key: usize, label: usize, rows: u32, r: u32, out: usize): void {
  const hashes = (rows * r) >> 5;
  const mask = i8x16.splat(63);
  const zero = i8x16.splat(32);
  for (let q: u32 = 0; q < hashes; q += 4) {
    prf4(key, label, 0, q);
    const n = min<u32>(hashes - q, 4);
    for (let j: u32 = 0; j < n; j++) {
      const src = OUT4 + ((<usize>j) << 5);
      const dst = out + ((<usize>(q + j)) << 5);
      v128.store(dst, i8x16.sub(v128.and(v128.load(src), mask), zero));
      v128.store(dst, i8x16.sub(v128.and(v128.load(src, 16), mask), zero), 16);
    }
  }
}

/**
 * The signed-permutation factor: for each l < k, plus[l] = f_l and minus[l] = s_l (u32 each), the
 * rows of the +1 and -1 entries in column l.
 */
export function permutationFactor(
  key: usize,
  label: usize,
  k: u32,
  r: u32,
  plus: usize,
  minus: usize,
): void {
  const hashes = k >> 3;
  for (let q: u32 = 0; q < hashes; q += 4) {
    prf4(key, label, 1, q);
    const n = min<u32>(hashes - q, 4);
    for (let j: u32 = 0; j < n; j++) {
      for (let w: u32 = 0; w < 8; w++) {
        const u = load<u32>(OUT4 + ((<usize>j) << 5) + ((<usize>w) << 2));
        const f = u & (r - 1);
        const s = f ^ (1 + <u32>((<u64>(r - 1) * <u64>u) >> 32));
        const l = (((q + j) << 3) + w) << 2;
        store<u32>(plus + l, f);
        store<u32>(minus + l, s);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Packing. A noisy operand row i is M[i][l] + E[i][plus[l]] - E[i][minus[l]], widened to int16 and
// interleaved per group of `lanes` rows (4 for A, 8 for Bᵀ): for each l-pair, the pair (l, l+1) of
// every row of the group, 4 bytes per row. Group g lists its rows at index[g·lanes + j] (-1 = zero row).

export function packNoisy(
  matrix: usize,
  k: u32,
  noise: usize,
  r: u32,
  plus: usize,
  minus: usize,
  index: usize,
  groups: u32,
  lanes: u32,
  out: usize,
): void {
  const stride = (<usize>lanes) << 2;
  const groupBytes = <usize>(k >> 1) * stride;
  for (let g: u32 = 0; g < groups; g++) {
    const groupOut = out + <usize>g * groupBytes;
    for (let j: u32 = 0; j < lanes; j++) {
      const row = load<i32>(index + ((<usize>(g * lanes + j)) << 2));
      let dst = groupOut + ((<usize>j) << 2);
      if (row < 0) {
        for (let p: u32 = 0; p < k; p += 2) {
          store<u32>(dst, 0);
          dst += stride;
        }
        continue;
      }
      const src = matrix + <usize>row * k;
      const e = noise + <usize>row * r;
      for (let l: u32 = 0; l < k; l += 2) {
        const o = (<usize>l) << 2;
        const v0 =
          <i32>load<i8>(src + l) +
          <i32>load<i8>(e + load<u32>(plus + o)) -
          <i32>load<i8>(e + load<u32>(minus + o));
        const v1 =
          <i32>load<i8>(src + l + 1) +
          <i32>load<i8>(e + load<u32>(plus + o + 4)) -
          <i32>load<i8>(e + load<u32>(minus + o + 4));
        store<u32>(dst, (<u32>v0 & 0xffff) | ((<u32>v1) << 16));
        dst += stride;
      }
    }
  }
}

/**
 * The uniform factor of the rows listed in `index` (4 per group, -1 = padding), transposed: out[f ·
 * positions + pos] = noise[index[pos]][f]. With it, the noise of one column for the 4 rows of a group
 * is a single u32 load.
 */
export function transposeNoise(
  noise: usize,
  r: u32,
  index: usize,
  positions: u32,
  out: usize,
): void {
  for (let pos: u32 = 0; pos < positions; pos++) {
    const row = load<i32>(index + ((<usize>pos) << 2));
    let dst = out + pos;
    const src = noise + <usize>row * r;
    for (let f: u32 = 0; f < r; f++) {
      store<i8>(dst, row < 0 ? 0 : load<i8>(src + f));
      dst += positions;
    }
  }
}

const ROWS16: usize = memory.data(64, 16); // row pointers of a 16-row block
const NOISE16: usize = memory.data(128, 16); // per group: its rows' noise at 4 + 4 columns

/**
 * The A side of packNoisy with SIMD, 16 rows (4 groups) at a time. Per 8 columns: the noise of all
 * 16 rows at a column is one vector subtraction of two rows of the transposed factor, transposed
 * by 32-bit lanes into per-group order; each group's 4 rows are widened (`load8x8_s`) and
 * transposed by 32-bit lanes into the (l, l+1) pair layout. `positions` is a multiple of 16.
 */
export function packRows16(
  matrix: usize,
  k: u32,
  noiseT: usize,
  positions: u32,
  plus: usize,
  minus: usize,
  index: usize,
  zeroRow: usize,
  out: usize,
): void {
  const groupBytes = (<usize>(k >> 1)) << 4;
  const stride = <usize>positions;
  for (let b: u32 = 0; b < positions; b += 16) {
    for (let j: u32 = 0; j < 16; j++) {
      const row = load<i32>(index + ((<usize>(b + j)) << 2));
      store<usize>(ROWS16 + ((<usize>j) << 2), row < 0 ? zeroRow : matrix + <usize>row * k);
    }
    const nt = noiseT + b;
    const blockOut = out + <usize>(b >> 2) * groupBytes;
    for (let l: u32 = 0; l < k; l += 8) {
      const o = (<usize>l) << 2;
      transpose4(
        columnNoise(nt, stride, plus, minus, o),
        columnNoise(nt, stride, plus, minus, o + 4),
        columnNoise(nt, stride, plus, minus, o + 8),
        columnNoise(nt, stride, plus, minus, o + 12),
        NOISE16,
      );
      transpose4(
        columnNoise(nt, stride, plus, minus, o + 16),
        columnNoise(nt, stride, plus, minus, o + 20),
        columnNoise(nt, stride, plus, minus, o + 24),
        columnNoise(nt, stride, plus, minus, o + 28),
        NOISE16 + 64,
      );
      const lOut = blockOut + ((<usize>l) << 3);
      for (let q: usize = 0; q < 4; q++) {
        const rows = ROWS16 + (q << 4);
        const w0 = v128.load8x8_s(load<usize>(rows) + l);
        const w1 = v128.load8x8_s(load<usize>(rows, 4) + l);
        const w2 = v128.load8x8_s(load<usize>(rows, 8) + l);
        const w3 = v128.load8x8_s(load<usize>(rows, 12) + l);
        const t0 = i32x4.shuffle(w0, w1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(w0, w1, 2, 6, 3, 7);
        const t2 = i32x4.shuffle(w2, w3, 0, 4, 1, 5);
        const t3 = i32x4.shuffle(w2, w3, 2, 6, 3, 7);
        const lo = pairOrder(v128.load(NOISE16 + (q << 4)));
        const hi = pairOrder(v128.load(NOISE16 + 64 + (q << 4)));
        const dst = lOut + q * groupBytes;
        v128.store(dst, i16x8.add(i32x4.shuffle(t0, t2, 0, 1, 4, 5), i16x8.extend_low_i8x16_s(lo)));
        v128.store(
          dst,
          i16x8.add(i32x4.shuffle(t0, t2, 2, 3, 6, 7), i16x8.extend_high_i8x16_s(lo)),
          16,
        );
        v128.store(
          dst,
          i16x8.add(i32x4.shuffle(t1, t3, 0, 1, 4, 5), i16x8.extend_low_i8x16_s(hi)),
          32,
        );
        v128.store(
          dst,
          i16x8.add(i32x4.shuffle(t1, t3, 2, 3, 6, 7), i16x8.extend_high_i8x16_s(hi)),
          48,
        );
      }
    }
  }
}

/** Noise of the 16 rows of a block at the column whose factor indices sit at plus/minus + o. */
function columnNoise(nt: usize, stride: usize, plus: usize, minus: usize, o: usize): v128 {
  return i8x16.sub(
    v128.load(nt + <usize>load<u32>(plus + o) * stride),
    v128.load(nt + <usize>load<u32>(minus + o) * stride),
  );
}

/** Bytes 4c + j (row j, column l + c) reordered to (row, l), (row, l + 1) pairs, then l + 2, l + 3. */
function pairOrder(d: v128): v128 {
  return i8x16.shuffle(d, d, 0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15);
}

// ---------------------------------------------------------------------------------------------
// Tile transcript (ALGORITHM.md §7.2) as an outer product: a v128 holds 4 columns of one tile row,
// so a 4×8 block needs 8 accumulators and no horizontal sums. Larger tiles are covered by several
// 4×8 blocks (zero rows/columns pad the rest) whose per-chunk XOR folds are combined in `folds`.

/**
 * Computes the jackpot words J (16 u32) of every tile in row tile `rowTile` into jackpots (64 bytes
 * per column tile), hashes them keyed with seedA into hashes, and returns the first column tile
 * whose hash (little-endian) is ≤ the 32-byte bound, or -1.
 */
export function scanRowTile(
  packedA: usize,
  packedB: usize,
  k: u32,
  r: u32,
  rowTile: u32,
  rowGroups: u32,
  colTiles: u32,
  colGroups: u32,
  folds: usize,
  jackpots: usize,
  seedA: usize,
  bound: usize,
  hashes: usize,
): i32 {
  const chunks = k / r;
  const halfK = <usize>(k >> 1);
  const chunkBytesB = (<usize>r) << 4;
  for (let tc: u32 = 0; tc < colTiles; tc++) {
    for (let gr: u32 = 0; gr < rowGroups; gr++) {
      const aBase = packedA + ((<usize>(rowTile * rowGroups + gr) * halfK) << 4);
      for (let gc: u32 = 0; gc < colGroups; gc++) {
        const first = gr === 0 && gc === 0;
        let pa = aBase;
        let pb = packedB + ((<usize>(tc * colGroups + gc) * halfK) << 5);
        let a0 = i32x4.splat(0);
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        let a4 = a0;
        let a5 = a0;
        let a6 = a0;
        let a7 = a0;
        for (let c: u32 = 0; c < chunks; c++) {
          const pe = pb + chunkBytesB;
          do {
            const b0 = v128.load(pb);
            const b1 = v128.load(pb, 16);
            let x = v128.load32_splat(pa);
            a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, b0));
            a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, b1));
            x = v128.load32_splat(pa, 4);
            a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x, b0));
            a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x, b1));
            x = v128.load32_splat(pa, 8);
            a4 = i32x4.add(a4, i32x4.dot_i16x8_s(x, b0));
            a5 = i32x4.add(a5, i32x4.dot_i16x8_s(x, b1));
            x = v128.load32_splat(pa, 12);
            a6 = i32x4.add(a6, i32x4.dot_i16x8_s(x, b0));
            a7 = i32x4.add(a7, i32x4.dot_i16x8_s(x, b1));
            pa += 16;
            pb += 32;
          } while (pb !== pe);
          // The lanes are XOR-reduced later, four chunks at a time.
          const xv = v128.xor(
            v128.xor(v128.xor(a0, a1), v128.xor(a2, a3)),
            v128.xor(v128.xor(a4, a5), v128.xor(a6, a7)),
          );
          const fa = folds + ((<usize>c) << 4);
          v128.store(fa, first ? xv : v128.xor(v128.load(fa), xv));
        }
      }
    }
    // J: chunks 0..15 set its words (rotl(0) = 0) and later chunks fold into them.
    const jt = jackpots + ((<usize>tc) << 6);
    if (chunks < 16) memory.fill(jt, 0, 64); // checkShape forbids it, but stay exact
    let c: u32 = 0;
    for (; c + 4 <= chunks; c += 4) {
      const f = folds + ((<usize>c) << 4);
      const u = reduceLanes4(v128.load(f), v128.load(f, 16), v128.load(f, 32), v128.load(f, 48));
      const ja = jt + ((<usize>(c & 15)) << 2);
      if (c < 16) v128.store(ja, u);
      else {
        const j = v128.load(ja);
        v128.store(ja, v128.xor(v128.or(i32x4.shl(j, 13), i32x4.shr_u(j, 19)), u));
      }
    }
    for (; c < chunks; c++) {
      let xv = v128.load(folds + ((<usize>c) << 4));
      xv = v128.xor(xv, i32x4.shuffle(xv, xv, 2, 3, 0, 1));
      xv = v128.xor(xv, i32x4.shuffle(xv, xv, 1, 0, 3, 2));
      const ja = jt + ((<usize>(c & 15)) << 2);
      store<u32>(ja, rotl<u32>(load<u32>(ja), 13) ^ i32x4.extract_lane(xv, 0));
    }
  }
  keyedBlocks(seedA, jackpots, colTiles, hashes);
  for (let tc: u32 = 0; tc < colTiles; tc++) {
    if (atMost(hashes + ((<usize>tc) << 5), bound)) return <i32>tc;
  }
  return -1;
}

/** Lane j of the result is the XOR of the four lanes of argument j. */
function reduceLanes4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const t0 = v128.xor(i32x4.shuffle(x0, x1, 0, 4, 1, 5), i32x4.shuffle(x0, x1, 2, 6, 3, 7));
  const t1 = v128.xor(i32x4.shuffle(x2, x3, 0, 4, 1, 5), i32x4.shuffle(x2, x3, 2, 6, 3, 7));
  return v128.xor(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

/** Little-endian 256-bit a ≤ b. */
function atMost(a: usize, b: usize): bool {
  for (let i: i32 = 7; i >= 0; i--) {
    const x = load<u32>(a + ((<usize>i) << 2));
    const y = load<u32>(b + ((<usize>i) << 2));
    if (x !== y) return x < y;
  }
  return true;
}
