import { blake3Keyed } from "./blake3.js";
import { leBytesToBigint } from "./bytes.js";

/** JACKPOT_SIZE: the transcript has 16 u32 words. */
export const JACKPOT_WORDS = 16;
/** LROT_PER_TILE. */
export const JACKPOT_ROTATION = 13;

/**
 * The jackpot transcript of one tile (§7.2): cumulative i32 accumulators over rank-sized chunks of
 * the common dimension; after each chunk c, J[c mod 16] = rotl(J, 13) XOR (XOR of all accumulators).
 * The k mod rank tail is ignored.
 */
export function tileJackpotState(
  aNoisyRows: Int16Array[],
  btNoisyRows: Int16Array[],
  k: number,
  rank: number,
): Uint32Array {
  const h = aNoisyRows.length;
  const w = btNoisyRows.length;
  const acc = new Int32Array(h * w);
  const state = new Uint32Array(JACKPOT_WORDS);
  const chunks = Math.floor(k / rank);
  for (let c = 0; c < chunks; c++) {
    const start = c * rank;
    for (let u = 0; u < h; u++) {
      const a = aNoisyRows[u]!;
      for (let v = 0; v < w; v++) {
        const b = btNoisyRows[v]!;
        let sum = 0;
        for (let l = start; l < start + rank; l++) sum += a[l]! * b[l]!;
        acc[u * w + v] = (acc[u * w + v]! + sum) | 0;
      }
    }
    let x = 0;
    for (const value of acc) x ^= value;
    const t = c % JACKPOT_WORDS;
    const word = state[t]!;
    state[t] = (((word << JACKPOT_ROTATION) | (word >>> (32 - JACKPOT_ROTATION))) ^ x) >>> 0;
  }
  return state;
}

/** jackpot_hash = BLAKE3_keyed(a_noise_seed, J[0] ‖ … ‖ J[15] as u32 LE). */
export function jackpotHash(aSeed: Uint8Array, state16: Uint32Array): Uint8Array {
  const msg = new Uint8Array(4 * JACKPOT_WORDS);
  const view = new DataView(msg.buffer);
  for (let i = 0; i < JACKPOT_WORDS; i++) view.setUint32(4 * i, state16[i]!, true);
  return blake3Keyed(aSeed, msg);
}

/** The win test: the hash read as a little-endian 256-bit integer is ≤ bound (inclusive). */
export function hashLeqBound(hash: Uint8Array, bound: bigint): boolean {
  return leBytesToBigint(hash) <= bound;
}
