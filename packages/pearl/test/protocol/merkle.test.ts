import { describe, expect, it } from "vitest";
import {
  blake3Keyed,
  bytesToHex,
  leavesForRows,
  merkleMultiproof,
  merkleRootFromProof,
  merkleRootKeyed,
  pad1024,
} from "../../src/protocol/index.js";

const key = new TextEncoder().encode("0123456789abcdef0123456789abcdef");
const data = (length: number) => Uint8Array.from({ length }, (_, i) => i % 256);

describe("Merkle tree (ALGORITHM §9 and §12.1, upstream merkle.rs tests)", () => {
  for (const chunks of [1, 2, 3, 5, 7, 10]) {
    it(`root of ${chunks} chunks is the keyed hash, from the full tree and from every single-leaf proof`, () => {
      const padded = data(chunks * 1024);
      const root = merkleRootKeyed(key, padded);
      expect(bytesToHex(root)).toBe(bytesToHex(blake3Keyed(key, padded)));
      for (let leaf = 0; leaf < chunks; leaf++) {
        const proof = merkleMultiproof(key, padded, [leaf]);
        expect(bytesToHex(proof.root)).toBe(bytesToHex(root));
        expect(bytesToHex(merkleRootFromProof(key, proof))).toBe(bytesToHex(root));
      }
    });
  }

  for (const size of [1, 100, 1023, 1025, 2000, 3000, 7777]) {
    it(`root of ${size} bytes is the keyed hash of the padded data`, () => {
      const padded = pad1024(data(size));
      expect(padded.length % 1024).toBe(0);
      const all = Array.from({ length: padded.length / 1024 }, (_, i) => i);
      const proof = merkleMultiproof(key, padded, all);
      expect(proof.siblings).toHaveLength(0);
      expect(bytesToHex(merkleRootFromProof(key, proof))).toBe(
        bytesToHex(blake3Keyed(key, padded)),
      );
      expect(bytesToHex(merkleRootKeyed(key, data(size)))).toBe(
        bytesToHex(blake3Keyed(key, padded)),
      );
    });
  }

  it("has the upstream leaf counts", () => {
    for (const [size, leaves] of [
      [1024, 1],
      [2048, 2],
      [3072, 3],
      [1025, 2],
      [100, 1],
    ] as const) {
      expect(merkleMultiproof(key, pad1024(data(size)), [0]).totalLeaves).toBe(leaves);
    }
  });

  it("has the upstream sibling counts in a 4-leaf tree", () => {
    const padded = data(4096);
    expect(merkleMultiproof(key, padded, [0, 1]).siblings).toHaveLength(1);
    expect(merkleMultiproof(key, padded, [0, 2]).siblings).toHaveLength(2);
    expect(merkleMultiproof(key, padded, [0, 1, 2, 3]).siblings).toHaveLength(0);
    expect(merkleMultiproof(key, padded, [2, 0, 2]).leafIndices).toEqual([0, 2]);
  });

  it("verifies many multi-leaf proofs in odd-sized trees", () => {
    for (const leaves of [6, 13, 33]) {
      const padded = data(leaves * 1024);
      const root = bytesToHex(blake3Keyed(key, padded));
      for (let trial = 0; trial < 20; trial++) {
        const picks = Array.from(
          { length: 1 + (trial % 4) },
          (_, j) => (trial * 7 + j * 5) % leaves,
        );
        const proof = merkleMultiproof(key, padded, picks);
        expect(bytesToHex(merkleRootFromProof(key, proof))).toBe(root);
      }
    }
  });

  it("has the default-shape sibling counts (17 for A, 11 for Bt)", () => {
    const a = new Uint8Array(256 * 1024);
    const bt = new Uint8Array(128 * 1024);
    for (const t of [0, 5, 16, 55]) {
      const rows = [0, 8, 64, 72].map((r) => r + t);
      expect(merkleMultiproof(key, a, leavesForRows(rows, 1024)).siblings).toHaveLength(17);
    }
    const cols = [0, 1, 8, 9, 32, 33, 40, 41].map((c) => c + 6);
    expect(merkleMultiproof(key, bt, leavesForRows(cols, 1024)).siblings).toHaveLength(11);
  });

  it("maps rows to leaves", () => {
    expect(leavesForRows([3, 1], 1024)).toEqual([1, 3]);
    expect(leavesForRows([0, 8], 2048)).toEqual([0, 1, 16, 17]);
    expect(leavesForRows([1], 1088)).toEqual([1, 2]);
  });

  it("rejects missing, left-over and malformed siblings and leaves", () => {
    const padded = data(5 * 1024);
    const proof = merkleMultiproof(key, padded, [1, 3]);
    expect(() => merkleRootFromProof(key, { ...proof, siblings: proof.siblings.slice(1) })).toThrow(
      /missing/,
    );
    expect(() =>
      merkleRootFromProof(key, { ...proof, siblings: [...proof.siblings, new Uint8Array(32)] }),
    ).toThrow(/1 unused Merkle siblings/);
    expect(() => merkleRootFromProof(key, { ...proof, leafIndices: [3, 1] })).toThrow(/increasing/);
    expect(() => merkleRootFromProof(key, { ...proof, leafIndices: [1, 5] })).toThrow(/outside/);
    expect(() =>
      merkleRootFromProof(key, { ...proof, leafData: [proof.leafData[0]!, new Uint8Array(10)] }),
    ).toThrow(/not 1024/);
    expect(() => merkleRootFromProof(key, { ...proof, totalLeaves: 0 })).toThrow(/at least 1/);
    // A wrong total_leaves reshapes the tree: the root no longer matches.
    const reshaped = merkleRootFromProof(key, {
      ...proof,
      totalLeaves: 4,
      siblings: proof.siblings.slice(0, 2),
    });
    expect(bytesToHex(reshaped)).not.toBe(bytesToHex(proof.root));
    expect(() => merkleMultiproof(key, data(1000), [0])).toThrow(/multiple of 1024/);
    expect(() => merkleMultiproof(key, padded, [5])).toThrow(/outside/);
  });
});
