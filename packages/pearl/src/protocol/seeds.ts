import { blake3, blake3Keyed } from "./blake3.js";
import { concatBytes, u32le } from "./bytes.js";
import { type CertVersion, checkCertVersion } from "./shape.js";

const encoder = new TextEncoder();

/** BLAKE3("pearl/cert-v3/noise-seed/A"), the V3 salt binding hash_a to m. */
export const SALT_A: Uint8Array = blake3(encoder.encode("pearl/cert-v3/noise-seed/A"));
/** BLAKE3("pearl/cert-v3/noise-seed/B"), the V3 salt binding hash_b to n. */
export const SALT_B: Uint8Array = blake3(encoder.encode("pearl/cert-v3/noise-seed/B"));

/** Published values of the salts (ALGORITHM §5.3); tests check the derivation above against them. */
export const SALT_A_HEX = "8249406ca0ed15169616f692fcf076f892dbdb2a7023b852f0d47719c390017b";
export const SALT_B_HEX = "11300632ec6301ca2be2af718b3f4d4f1ae9c63988e8cc044844301d71b89aa9";

function bindRoot(salt: Uint8Array, root: Uint8Array, dim: number): Uint8Array {
  return blake3Keyed(salt, concatBytes(root, u32le(dim), new Uint8Array(28)));
}

export interface NoiseSeeds {
  aSeed: Uint8Array;
  bSeed: Uint8Array;
}

/**
 * Noise seeds. Cert 1/2 (legacy): b = H(job_key ‖ hash_b), a = H(b ‖ hash_a). Cert 3 (salted):
 * the roots are first bound to m and n with keyed hashes under SALT_A / SALT_B.
 */
export function deriveNoiseSeeds(
  certVersion: CertVersion,
  jobKey: Uint8Array,
  hashA: Uint8Array,
  hashB: Uint8Array,
  m: number,
  n: number,
): NoiseSeeds {
  checkCertVersion(certVersion);
  const boundA = certVersion === 3 ? bindRoot(SALT_A, hashA, m) : hashA;
  const boundB = certVersion === 3 ? bindRoot(SALT_B, hashB, n) : hashB;
  const bSeed = blake3(concatBytes(jobKey, boundB));
  const aSeed = blake3(concatBytes(bSeed, boundA));
  return { aSeed, bSeed };
}
