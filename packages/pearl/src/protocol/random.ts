/**
 * The deterministic matrix generator. NORMATIVE: the WebAssembly engine reimplements it bit for bit,
 * so `mine(job, { seed })` gives the same proof in both engines. splitmix32 seeds xoshiro128**.
 */

/** The stream number of Bᵀ; attempt i draws A from stream i. */
export const B_STREAM = 0xffffffff;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fill `out` with entries in [-64, 63] drawn from (seed, stream). */
export function fillMatrix(out: Int8Array, seed: number, stream: number): void {
  let state = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
    return (z ^ (z >>> 15)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  for (let i = 0; i < out.length; i += 4) {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    for (let b = 0; b < 4 && i + b < out.length; b++) {
      out[i + b] = ((result >>> (8 * b)) & 127) - 64;
    }
  }
}
