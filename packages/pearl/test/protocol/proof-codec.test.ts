import { isMiningError } from "@openjarvis/mining-core";
import { base64 } from "@scure/base";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodePlainProof,
  encodePlainProof,
  MAINNET_SHAPE,
  OPENJARVIS_SHAPE,
  type PlainProof,
  plainProofFromBase64,
  plainProofToBase64,
} from "../../src/protocol/index.js";
import { minedProof } from "./fixtures.js";

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(isMiningError(error)).toBe(true);
    return error as { code: string; message: string };
  }
  throw new Error("expected a MiningError");
}

describe("PlainProof bincode codec (§10)", () => {
  let proof: PlainProof;
  let current: Uint8Array;
  let legacy: Uint8Array;

  beforeAll(async () => {
    proof = (await minedProof(OPENJARVIS_SHAPE, 1)).proof;
    current = encodePlainProof(proof);
    legacy = encodePlainProof(proof, { legacy: true });
  });

  it("has the documented sizes at the OpenJarvis shape", () => {
    expect(proof.a.proof.leafData).toHaveLength(4);
    expect(proof.a.proof.siblings).toHaveLength(17);
    expect(proof.bt.proof.leafData).toHaveLength(8);
    expect(proof.bt.proof.siblings).toHaveLength(11);
    expect(legacy.length).toBe(13_648);
    expect(current.length).toBe(13_649);
    expect(plainProofToBase64(proof)).toHaveLength(18_200);
    expect(current.at(-1)).toBe(0);
    expect(current.subarray(0, -1)).toEqual(legacy);
  });

  it("has the documented sizes at the mainnet shape", async () => {
    const mainnet = (await minedProof(MAINNET_SHAPE, 3)).proof;
    expect(encodePlainProof(mainnet, { legacy: true }).length).toBe(26_128);
    expect(encodePlainProof(mainnet).length).toBe(26_129);
    expect(plainProofToBase64(mainnet)).toHaveLength(34_840);
  });

  it("lays out the header fields as u64 LE, leaves with a u64 length prefix", () => {
    const view = new DataView(current.buffer, current.byteOffset);
    expect([0, 8, 16, 24].map((at) => view.getBigUint64(at, true))).toEqual([
      256n,
      128n,
      1024n,
      32n,
    ]);
    expect(view.getBigUint64(32, true)).toBe(4n);
    expect(view.getBigUint64(40, true)).toBe(1024n);
    expect(current.subarray(48, 48 + 1024)).toEqual(proof.a.proof.leafData[0]);
  });

  it("round-trips both formats, in bytes and base64", () => {
    expect(decodePlainProof(current)).toEqual(proof);
    expect(decodePlainProof(legacy)).toEqual(proof);
    expect(plainProofFromBase64(plainProofToBase64(proof))).toEqual(proof);
    expect(plainProofFromBase64(base64.encode(legacy))).toEqual(proof);
  });

  it("rejects trailing garbage, MoE proofs and truncation", () => {
    const withGarbage = Uint8Array.of(...current, 0);
    expect(errorOf(() => decodePlainProof(withGarbage)).message).toMatch(/2 trailing bytes/);
    expect(errorOf(() => decodePlainProof(Uint8Array.of(...legacy, 7))).message).toMatch(
      /trailing byte 0x7/,
    );
    expect(errorOf(() => decodePlainProof(Uint8Array.of(...legacy, 1))).message).toMatch(/MoE/);
    expect(errorOf(() => decodePlainProof(legacy.subarray(0, 36))).message).toMatch(
      /truncated at a.leaf_data count/,
    );
    expect(errorOf(() => decodePlainProof(legacy.subarray(0, legacy.length - 4))).message).toMatch(
      /bt.row_indices count 8 does not fit/,
    );
    expect(errorOf(() => decodePlainProof(current.subarray(0, 5000))).message).toMatch(
      /does not fit/,
    );
    expect(errorOf(() => decodePlainProof(new Uint8Array(0))).code).toBe("E_PROOF_INVALID");
  });

  it("rejects a leaf that is not 1024 bytes, impossible counts and oversized fields", () => {
    const badLeaf = current.slice();
    new DataView(badLeaf.buffer).setBigUint64(40, 1023n, true);
    expect(errorOf(() => decodePlainProof(badLeaf)).message).toMatch(/leaf 0 is 1023 bytes/);
    const hugeCount = current.slice();
    new DataView(hugeCount.buffer).setBigUint64(32, 1n << 40n, true);
    expect(errorOf(() => decodePlainProof(hugeCount)).message).toMatch(/does not fit/);
    const hugeM = current.slice();
    new DataView(hugeM.buffer).setBigUint64(0, 1n << 33n, true);
    expect(errorOf(() => decodePlainProof(hugeM)).message).toMatch(/m 8589934592 exceeds/);
    const hugeRank = current.slice();
    new DataView(hugeRank.buffer).setBigUint64(24, 70000n, true);
    expect(errorOf(() => decodePlainProof(hugeRank)).message).toMatch(
      /noise_rank 70000 exceeds 65535/,
    );
  });

  it("rejects text that is not base64", () => {
    expect(errorOf(() => plainProofFromBase64("not base64!")).message).toMatch(/not valid base64/);
  });
});
