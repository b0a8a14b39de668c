import { describe, expect, it } from "vitest";
import {
  bytesToHex,
  deriveNoiseSeeds,
  encodeIncompleteHeader,
  encodeMiningConfiguration,
  hexToBytes,
  jobKey,
  MAINNET_SHAPE,
  noisePermutation,
  noisePrf,
  noiseUniformRow,
  OPENJARVIS_SHAPE,
  SALT_A,
  SALT_B,
} from "../../src/protocol/index.js";
import { SALT_A_HEX, SALT_B_HEX } from "../../src/protocol/seeds.js";

const fill = (byte: number, length = 32) => new Uint8Array(length).fill(byte);

describe("seed chains (ALGORITHM §12.1, upstream seed.rs / test_commitment_hash.py)", () => {
  const key = fill(0x11);
  const hashA = fill(0xaa);
  const hashB = fill(0xbb);

  it("derives the published salts", () => {
    expect(bytesToHex(SALT_A)).toBe(
      "8249406ca0ed15169616f692fcf076f892dbdb2a7023b852f0d47719c390017b",
    );
    expect(SALT_A_HEX).toBe(bytesToHex(SALT_A));
    expect(SALT_B_HEX).toBe(bytesToHex(SALT_B));
    expect(bytesToHex(SALT_B)).toBe(
      "11300632ec6301ca2be2af718b3f4d4f1ae9c63988e8cc044844301d71b89aa9",
    );
  });

  it.each([1, 2] as const)("legacy chain for cert version %i", (certVersion) => {
    const { aSeed, bSeed } = deriveNoiseSeeds(certVersion, key, hashA, hashB, 192, 320);
    expect(bytesToHex(bSeed)).toBe(
      "add6f7ea5feebf89c8a77e2ebfa0d82442e7dbb0046dbd48971861d12fcb0177",
    );
    expect(bytesToHex(aSeed)).toBe(
      "483b07b6f73105030b9482255f37723f3fed69ae916724ee8291848b8c28794b",
    );
  });

  it("salted chain for cert version 3", () => {
    const { aSeed, bSeed } = deriveNoiseSeeds(3, key, hashA, hashB, 192, 320);
    expect(bytesToHex(bSeed)).toBe(
      "60ed9b73c5a9599b200b6cd563e7f0d5d9a67d2402d85fd4ef966c580080d0e5",
    );
    expect(bytesToHex(aSeed)).toBe(
      "301784168005ec833ab0aa60006f7fe7faaa95307d8c1fc6819b2ffdd717eccf",
    );
  });

  it("salted seeds depend on m and n, legacy seeds do not", () => {
    const salted = deriveNoiseSeeds(3, key, hashA, hashB, 256, 320);
    expect(bytesToHex(salted.aSeed)).not.toBe(
      "301784168005ec833ab0aa60006f7fe7faaa95307d8c1fc6819b2ffdd717eccf",
    );
    const legacy = deriveNoiseSeeds(1, key, hashA, hashB, 256, 128);
    expect(bytesToHex(legacy.aSeed)).toBe(
      "483b07b6f73105030b9482255f37723f3fed69ae916724ee8291848b8c28794b",
    );
  });

  it("refuses cert versions 4 and 5", () => {
    expect(() => deriveNoiseSeeds(4 as never, key, hashA, hashB, 1, 1)).toThrow(/FP8/);
  });
});

describe("job keys (ALGORITHM §12.2 regression values)", () => {
  const header = encodeIncompleteHeader({
    version: 0,
    prevBlock: fill(0x01),
    merkleRoot: fill(0x02),
    timestamp: 0x66666666,
    nbits: 0x1d2fffff,
  });

  it("encodes the 76-byte header", () => {
    expect(bytesToHex(header)).toBe(`00000000${"01".repeat(32)}${"02".repeat(32)}66666666ffff2f1d`);
  });

  it("encodes the 52-byte configurations", () => {
    expect(bytesToHex(encodeMiningConfiguration(OPENJARVIS_SHAPE))).toBe(
      `00040000200000000701030100000001030101 01${"00".repeat(32)}`.replace(" ", ""),
    );
    expect(bytesToHex(encodeMiningConfiguration(MAINNET_SHAPE))).toBe(
      `000800008000000007010301000000010301 0101${"00".repeat(32)}`.replace(" ", ""),
    );
  });

  it("hashes header ‖ config to the job key", () => {
    expect(bytesToHex(jobKey(header, encodeMiningConfiguration(OPENJARVIS_SHAPE)))).toBe(
      "13abbf94e544fa05d31cbc8f5a7521bec8f93c279f6a6a9aa036b551d48ef0cc",
    );
    expect(bytesToHex(jobKey(header, encodeMiningConfiguration(MAINNET_SHAPE)))).toBe(
      "d43c7452984954bd93acdc19b90722e5ed3d7ebe6c3450380cc2beab9923997b",
    );
  });
});

describe("noise (ALGORITHM §12.2 regression values, key 32×0x11, label A)", () => {
  const key = fill(0x11);

  it("computes the PRF for slots 0 and 1", () => {
    expect(bytesToHex(noisePrf("A", key, 0, 0))).toBe(
      "d055fe85a9d828984fbefa85dfeb4b27be5eb63918e8511bd3dc641d8f865c0b",
    );
    expect(bytesToHex(noisePrf("A", key, 0, 1))).toBe(
      "f69795e3a586b4e8f101ab1c41491fe6a8dc3ac105afe339f1599ca8cc8b341f",
    );
  });

  it("computes E_AL row 0 at rank 32", () => {
    expect(Array.from(noiseUniformRow("A", key, 0, 32))).toEqual([
      -16, -11, 30, -27, 9, -8, 8, -8, -17, 30, 26, -27, -1, 11, -21, 7, 30, -2, 22, 25, -8, 8, -15,
      -5, -13, -4, 4, -3, -17, -26, -4, -21,
    ]);
  });

  it("computes the signed permutation at rank 32", () => {
    const { f, s } = noisePermutation("A", key, 16, 32);
    expect(Array.from(f)).toEqual([22, 5, 17, 1, 8, 5, 17, 12, 29, 4, 8, 13, 11, 31, 12, 17]);
    expect(Array.from(s)).toEqual([10, 24, 21, 29, 16, 13, 4, 8, 5, 25, 9, 0, 3, 21, 21, 11]);
  });

  it("never maps s onto f, at any rank", () => {
    for (const rank of [32, 64, 128, 256, 1024]) {
      const { f, s } = noisePermutation("B", key, 512, rank);
      for (let l = 0; l < 512; l++) {
        expect(f[l]).not.toBe(s[l]);
        expect(s[l]).toBeLessThan(rank);
      }
    }
  });

  it("uses later PRF indices for later rows", () => {
    // Row 1 at rank 32 is exactly the PRF block at index 1.
    const row1 = noiseUniformRow("A", key, 1, 32);
    const bytes = noisePrf("A", key, 1, 0);
    expect(Array.from(row1)).toEqual(Array.from(bytes, (b) => (b & 63) - 32));
    expect(hexToBytes("00ff")).toEqual(Uint8Array.of(0, 255));
  });
});
