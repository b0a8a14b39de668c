import {
  type CertVersion,
  encodeIncompleteHeader,
  type MineResult,
  type MiningShape,
  mineReference,
} from "../../src/protocol/index.js";

/** Regtest/CPU default nbits: about one winning tile in 256 at k 1024 (≈ 1 attempt). */
export const EASY_NBITS = 0x1e01ffff;

export function testHeader(nbits = EASY_NBITS, timestamp = 1_767_225_600): Uint8Array {
  return encodeIncompleteHeader({
    version: 0x20000000,
    prevBlock: `00000000${"3a5f".repeat(14)}`,
    merkleRoot: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    timestamp,
    nbits,
  });
}

const cache = new Map<string, Promise<MineResult>>();

/** Mine once per (shape, cert version, seed) per test file: the scalar engine is slow. */
export function minedProof(
  shape: MiningShape,
  certVersion: CertVersion,
  seed = 1,
): Promise<MineResult> {
  const key = `${shape.k}/${shape.rank}/${certVersion}/${seed}`;
  let result = cache.get(key);
  if (!result) {
    result = mineReference({ header: testHeader(), certVersion, shape }, { seed });
    cache.set(key, result);
  }
  return result;
}

export function cloneProof<T>(value: T): T {
  return structuredClone(value);
}
