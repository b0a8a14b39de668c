import { describe, expect, it } from "vitest";
import {
  type CertVersion,
  encodeIncompleteHeader,
  encodePlainProof,
  MAINNET_SHAPE,
  type MiningShape,
  mineReference,
  OPENJARVIS_SHAPE,
  plainProofToBase64,
  verifyPlainProof,
} from "../../src/protocol/index.js";

const EASY_NBITS = 0x207fffff;

function header(nbits = EASY_NBITS): Uint8Array {
  return encodeIncompleteHeader({
    version: 0x20000000,
    prevBlock: "11".repeat(32),
    merkleRoot: "22".repeat(32),
    timestamp: 1_767_225_600,
    nbits,
  });
}

describe("mineReference → verifyPlainProof round trips", () => {
  const cases: [string, MiningShape, CertVersion][] = [
    ["openjarvis", OPENJARVIS_SHAPE, 1],
    ["openjarvis", OPENJARVIS_SHAPE, 2],
    ["openjarvis", OPENJARVIS_SHAPE, 3],
    ["mainnet", MAINNET_SHAPE, 1],
    ["mainnet", MAINNET_SHAPE, 2],
    ["mainnet", MAINNET_SHAPE, 3],
  ];
  for (const [name, shape, certVersion] of cases) {
    it(`mines and verifies the ${name} shape at cert version ${certVersion}`, async () => {
      const h = header();
      const result = await mineReference({ header: h, certVersion, shape }, { seed: 7 });
      expect(result.attempts).toBeGreaterThanOrEqual(1);
      expect(verifyPlainProof(h, result.proof, { certVersion })).toEqual({ ok: true });
      expect(verifyPlainProof(h, plainProofToBase64(result.proof), { certVersion })).toEqual({
        ok: true,
      });
      const bytes = encodePlainProof(result.proof);
      expect(bytes.length).toBe(shape.k === 1024 ? 13_649 : 26_129);
    });
  }
});
