import { describe, expect, it } from "vitest";
import { B_STREAM, fillMatrix } from "../../src/protocol/index.js";

/** The same normative generator written with BigInt arithmetic, as an independent check. */
function fillWithBigInt(length: number, seed: number, stream: number): number[] {
  const M = 0xffffffffn;
  const mul = (a: bigint, b: bigint) => (a * b) & M;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  let state = (BigInt(seed) ^ mul(BigInt(stream) + 1n, 0x9e3779b1n)) & M;
  const splitmix = () => {
    state = (state + 0x9e3779b9n) & M;
    let z = state;
    z = mul(z ^ (z >> 16n), 0x21f0aaadn);
    z = mul(z ^ (z >> 15n), 0x735a2d97n);
    return z ^ (z >> 15n);
  };
  const s: bigint[] = [splitmix(), splitmix(), splitmix(), splitmix()];
  if (!s.some((x) => x !== 0n)) s[0] = 1n;
  const out: number[] = [];
  while (out.length < length) {
    const [s0, s1, s2, s3] = s as [bigint, bigint, bigint, bigint];
    const result = mul(rotl(mul(s1, 5n), 7n), 9n);
    const t = (s1 << 9n) & M;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    s[0] = n0;
    s[1] = n1;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11n);
    for (let b = 0n; b < 4n && out.length < length; b++) {
      out.push(Number((result >> (8n * b)) & 127n) - 64);
    }
  }
  return out;
}

describe("fillMatrix (normative generator)", () => {
  it("reproduces the regression values", () => {
    const cases: [number, number, number[]][] = [
      [0, 0, [49, -32, 56, 15, -39, -16, -14, -13, 30, -26, -55, -21]],
      [12345, B_STREAM, [-13, -53, -22, 1, 29, -43, -39, -52, 37, -58, -64, 31]],
      [0xdeadbeef, 7, [-21, -16, 43, 12, 5, -55, -41, 13, -58, 54, 19, 12]],
    ];
    for (const [seed, stream, expected] of cases) {
      const out = new Int8Array(12);
      fillMatrix(out, seed, stream);
      expect(Array.from(out)).toEqual(expected);
    }
  });

  it("agrees with an independent BigInt implementation, including odd lengths", () => {
    for (const [seed, stream, length] of [
      [1, 0, 4096],
      [0xffffffff, 1, 1001],
      [42, B_STREAM, 333],
      [7, 123456, 5],
    ] as const) {
      const out = new Int8Array(length);
      fillMatrix(out, seed, stream);
      expect(Array.from(out)).toEqual(fillWithBigInt(length, seed, stream));
    }
  });

  it("draws every value of [-64, 63] about equally often", () => {
    const out = new Int8Array(128 * 1024);
    fillMatrix(out, 99, 3);
    const counts = new Array<number>(128).fill(0);
    for (const v of out) counts[v + 64]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it("gives different streams for different attempts and for B", () => {
    const a0 = new Int8Array(64);
    const a1 = new Int8Array(64);
    const b = new Int8Array(64);
    fillMatrix(a0, 5, 0);
    fillMatrix(a1, 5, 1);
    fillMatrix(b, 5, B_STREAM);
    expect(a0).not.toEqual(a1);
    expect(a0).not.toEqual(b);
  });
});
