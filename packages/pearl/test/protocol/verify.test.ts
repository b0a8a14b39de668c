import { beforeAll, describe, expect, it } from "vitest";
import {
  B_STREAM,
  buildPlainProof,
  encodePlainProof,
  fillMatrix,
  MAINNET_SHAPE,
  type MiningShape,
  OPENJARVIS_SHAPE,
  type PlainProof,
  plainProofToBase64,
  verifyPlainProof,
} from "../../src/protocol/index.js";
import { cloneProof, minedProof, testHeader } from "./fixtures.js";

const SATURATED_NBITS = 0x207fffff; // every tile wins: isolates the checks before the bound
const HARD_NBITS = 0x1b00ffff;

function matrices(shape: MiningShape, seed = 3): { a: Int8Array; bt: Int8Array } {
  const a = new Int8Array(shape.m * shape.k);
  const bt = new Int8Array(shape.n * shape.k);
  fillMatrix(a, seed, 0);
  fillMatrix(bt, seed, B_STREAM);
  return { a, bt };
}

describe("verifyPlainProof (§11.1)", () => {
  const header = testHeader();
  let proof: PlainProof;

  beforeAll(async () => {
    proof = (await minedProof(OPENJARVIS_SHAPE, 3)).proof;
  });

  const verify = (p: PlainProof | string | Uint8Array, h = header, options = {}) =>
    verifyPlainProof(h, p, { certVersion: 3, ...options });

  it("accepts the mined proof as an object, base64 (both formats) and bytes", () => {
    expect(verify(proof)).toEqual({ ok: true });
    expect(verify(plainProofToBase64(proof))).toEqual({ ok: true });
    expect(verify(plainProofToBase64(proof, { legacy: true }))).toEqual({ ok: true });
    expect(verify(encodePlainProof(proof))).toEqual({ ok: true });
  });

  const flip = (bytes: Uint8Array | undefined, at: number, mask = 1) => {
    bytes![at] = bytes![at]! ^ mask;
  };
  const tampered: [string, (p: PlainProof) => void, RegExp][] = [
    ["an A leaf byte", (p) => flip(p.a.proof.leafData[0], 5), /^A: Merkle root recomputed/],
    ["a Bt leaf byte", (p) => flip(p.bt.proof.leafData[7], 1000), /^Bt: Merkle root recomputed/],
    ["an A sibling", (p) => flip(p.a.proof.siblings[3], 0, 0x80), /^A: Merkle root recomputed/],
    ["a Bt sibling", (p) => flip(p.bt.proof.siblings[10], 31), /^Bt: Merkle root recomputed/],
    ["the A root", (p) => flip(p.a.proof.root, 0), /^A: Merkle root recomputed/],
    ["the Bt root", (p) => flip(p.bt.proof.root, 31), /^Bt: Merkle root recomputed/],
    [
      "a leaf index",
      (p) => {
        p.a.proof.leafIndices[1] = p.a.proof.leafIndices[1]! + 1;
      },
      /^A: leaf indices do not match the opened rows/,
    ],
    [
      "one row index",
      (p) => {
        const moved = p.a.rowIndices[1]! + 1;
        p.a.rowIndices[1] = moved;
        p.a.proof.leafIndices[1] = moved;
      },
      /^A: opened indices do not form a periodic pattern/,
    ],
    [
      "a column index",
      (p) => {
        p.bt.rowIndices[7] = 127;
        p.bt.proof.leafIndices[7] = 127;
      },
      /^Bt: opened indices do not form a periodic pattern/,
    ],
    [
      "a row index past m",
      (p) => {
        p.a.rowIndices[3] = 256;
      },
      /^A: row index 256 is not below m = 256/,
    ],
    [
      "the row order",
      (p) => {
        p.a.rowIndices.reverse();
      },
      /^A: row indices are not strictly increasing/,
    ],
    [
      "a missing sibling",
      (p) => {
        p.a.proof.siblings.pop();
      },
      /^A: .*missing Merkle siblings/,
    ],
    [
      "an extra sibling",
      (p) => {
        p.bt.proof.siblings.push(new Uint8Array(32));
      },
      /^Bt: .*1 unused Merkle siblings/,
    ],
    [
      "A total_leaves",
      (p) => {
        p.a.proof.totalLeaves = 255;
      },
      /^A: total_leaves 255 should be 256/,
    ],
    [
      "Bt total_leaves",
      (p) => {
        p.bt.proof.totalLeaves = 129;
      },
      /^Bt: total_leaves 129 should be 128/,
    ],
    [
      "m",
      (p) => {
        p.m = 512;
      },
      /^A: total_leaves 256 should be 512/,
    ],
    [
      "k",
      (p) => {
        p.k = 2048;
      },
      /^A: total_leaves 256 should be 512/,
    ],
    [
      "noise_rank",
      (p) => {
        p.noiseRank = 64;
      },
      /^A: Merkle root recomputed/,
    ],
    [
      "noise_rank beyond u16",
      (p) => {
        p.noiseRank = 70000;
      },
      /^noise_rank 70000 is out of range/,
    ],
  ];
  for (const [field, mutate, reason] of tampered) {
    it(`rejects a tampered ${field}`, () => {
      const bad = cloneProof(proof);
      mutate(bad);
      const result = verify(bad);
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(reason);
    });
  }

  it("rejects a tampered header (timestamp or nbits) through the job key", () => {
    expect(verify(proof, testHeader(undefined, 1_767_225_601)).reason).toMatch(
      /^A: Merkle root recomputed .* job key/,
    );
    expect(verify(proof, testHeader(0x1e00ffff)).reason).toMatch(/^A: Merkle root recomputed/);
    expect(verify(proof, header.subarray(0, 75)).reason).toBe("header must be 76 bytes");
  });

  it("applies nbitsOverride to the bound", () => {
    const result = verify(proof, header, { nbitsOverride: HARD_NBITS });
    expect(result).toEqual({
      ok: false,
      reason: "jackpot hash is above the bound for nbits 0x1b00ffff",
    });
    expect(verify(proof, header, { nbitsOverride: SATURATED_NBITS })).toEqual({ ok: true });
  });

  it("checks the seed chain of the certificate version", () => {
    // Mined with salted seeds; legacy seeds give different noise and (at 1/256 odds) a losing hash.
    expect(verify(proof, header, { certVersion: 1 }).reason).toMatch(
      /^jackpot hash is above the bound/,
    );
  });

  it("refuses FP8/FP16 certificates and unknown versions", () => {
    expect(verify(proof, header, { certVersion: 4 }).reason).toMatch(
      /certificate version 4 \(FP8 proofs\)/,
    );
    expect(verify(proof, header, { certVersion: 5 }).reason).toMatch(/FP16/);
    expect(verify(proof, header, { certVersion: 0 }).reason).toMatch(/unknown certificate version/);
  });

  it("rejects malformed encodings with the decoder's reason", () => {
    expect(verify("@@@").reason).toMatch(/not valid base64/);
    expect(verify(Uint8Array.of(...encodePlainProof(proof), 9)).reason).toMatch(/trailing/);
  });

  it("applies the rank penalty when asked", async () => {
    expect(verify(proof, header, { rankPenalty: true }).reason).toBe(
      "rank 32 is below 128, which the rank penalty requires",
    );
    const mainnet = (await minedProof(MAINNET_SHAPE, 3)).proof;
    expect(verify(mainnet, header, { rankPenalty: true })).toEqual({ ok: true });
  });
});

describe("verifyPlainProof on constructed proofs (values and sanity rules)", () => {
  const header = testHeader(SATURATED_NBITS);
  const shape = OPENJARVIS_SHAPE;

  function build(
    a: Int8Array,
    bt: Int8Array,
    s: MiningShape = shape,
    rowOffset = 16,
    colOffset = 6,
  ) {
    return buildPlainProof({ header, shape: s, certVersion: 2, a, bt, rowOffset, colOffset });
  }

  it("accepts values at ±64 and rejects ±65 in opened rows", () => {
    const { a, bt } = matrices(shape);
    a[16 * shape.k + 3] = 64;
    bt[(6 + 41) * shape.k] = -64;
    expect(verifyPlainProof(header, build(a, bt), { certVersion: 2 })).toEqual({ ok: true });
    a[(16 + 72) * shape.k + 1023] = 65;
    expect(verifyPlainProof(header, build(a, bt), { certVersion: 2 }).reason).toBe(
      "A: value 65 at row 88, column 1023 is outside [-64, 64]",
    );
    const fresh = matrices(shape);
    fresh.bt[(6 + 9) * shape.k + 7] = -65;
    expect(verifyPlainProof(header, build(fresh.a, fresh.bt), { certVersion: 2 }).reason).toBe(
      "Bt: value -65 at row 15, column 7 is outside [-64, 64]",
    );
  });

  it("ignores out-of-range values outside the opened rows", () => {
    const { a, bt } = matrices(shape);
    a[17 * shape.k] = 127;
    expect(verifyPlainProof(header, build(a, bt), { certVersion: 2 })).toEqual({ ok: true });
  });

  const sanity: [string, MiningShape, RegExp][] = [
    ["a tile smaller than 32", { ...shape, cols: [0, 1, 8, 9] }, /h·w = 16 must be at least 32/],
    ["rank 16", { ...shape, rank: 16 }, /rank 16 must be a power of two in \[32, 1024\]/],
    ["k below 16·rank", { ...shape, rank: 128 }, /k 1024 must be at least 16·rank = 2048/],
    ["k above 4·rank²", { ...shape, k: 8192 }, /k 8192 must be at most 4·rank² = 4096/],
    ["an odd tile height", { ...shape, rows: [0] }, /tile height h = 1/],
  ];
  for (const [name, s, reason] of sanity) {
    it(`rejects ${name} (sanity rules)`, () => {
      const { a, bt } = matrices(s);
      const result = verifyPlainProof(header, build(a, bt, s), { certVersion: 2 });
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(/^sanity check failed: /);
      expect(result.reason).toMatch(reason);
    });
  }

  it("accepts a constructed winning proof for the mainnet shape", () => {
    const { a, bt } = matrices(MAINNET_SHAPE);
    const p = build(a, bt, MAINNET_SHAPE, 55, 22);
    expect(verifyPlainProof(header, p, { certVersion: 3, rankPenalty: true })).toEqual({
      ok: true,
    });
  });
});
