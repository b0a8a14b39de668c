import { isMiningError } from "@openjarvis/mining-core";
import { describe, expect, it } from "vitest";
import {
  bytesToHex,
  checkCertVersion,
  checkShape,
  decodeIncompleteHeader,
  encodeIncompleteHeader,
  headerNbits,
  MAINNET_SHAPE,
  type MiningShape,
  OPENJARVIS_SHAPE,
} from "../../src/protocol/index.js";

function errorOf(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (error) {
    expect(isMiningError(error)).toBe(true);
    return error as { code: string; message: string; hint?: string };
  }
  throw new Error("expected a MiningError");
}

describe("incomplete header (§2)", () => {
  const prev = `00000000000000000001${"ab".repeat(22)}`;
  const merkle = `${"cd".repeat(31)}ef`;
  const fields = {
    version: 0x20000000,
    prevBlock: prev,
    merkleRoot: merkle,
    timestamp: 1_767_225_600,
    nbits: 0x1d00ffff,
  };

  it("reverses the display-order hashes on the wire and round-trips", () => {
    const bytes = encodeIncompleteHeader(fields);
    expect(bytes.length).toBe(76);
    expect(bytesToHex(bytes.subarray(0, 4))).toBe("00000020");
    expect(bytes[4]).toBe(0xab);
    expect(bytes[35]).toBe(0x00);
    expect(bytes[36]).toBe(0xef);
    expect(bytesToHex(bytes.subarray(72))).toBe("ffff001d");
    expect(decodeIncompleteHeader(bytes)).toEqual(fields);
    expect(headerNbits(bytes)).toBe(0x1d00ffff);
  });

  it("accepts byte hashes in display order too", () => {
    const fromBytes = encodeIncompleteHeader({
      ...fields,
      prevBlock: Uint8Array.from(prev.match(/../g)!, (x) => Number.parseInt(x, 16)),
    });
    expect(fromBytes).toEqual(encodeIncompleteHeader(fields));
  });

  it("rejects bad fields and lengths", () => {
    expect(errorOf(() => encodeIncompleteHeader({ ...fields, prevBlock: "ab" })).message).toMatch(
      /prevBlock must be 32 bytes/,
    );
    expect(errorOf(() => encodeIncompleteHeader({ ...fields, nbits: -1 })).message).toMatch(
      /nbits/,
    );
    expect(errorOf(() => decodeIncompleteHeader(new Uint8Array(75))).message).toMatch(/76 bytes/);
    expect(errorOf(() => headerNbits(new Uint8Array(108))).code).toBe("E_PROOF_INVALID");
  });
});

describe("checkShape", () => {
  it("accepts both default shapes for every Int7 cert version", () => {
    for (const certVersion of [1, 2, 3]) {
      expect(() => checkShape(MAINNET_SHAPE, { certVersion, rankPenalty: true })).not.toThrow();
      expect(() => checkShape(OPENJARVIS_SHAPE, { certVersion })).not.toThrow();
    }
  });

  const bad: [string, Partial<MiningShape>, RegExp][] = [
    ["rank not a power of two", { rank: 96, k: 2048 }, /rank 96 must be a power of two/],
    ["rank below 32", { rank: 16, k: 1024 }, /rank 16 must be a power of two in \[32, 1024\]/],
    ["rank above 1024", { rank: 2048, k: 65536 }, /rank 2048/],
    ["k below 1024", { k: 512 }, /k 512 must be in \[1024, 65536\]/],
    ["k above 65536", { k: 65600 }, /k 65600 must be in/],
    ["k not a multiple of 64", { k: 2080 }, /multiple of 64/],
    ["k below 16·rank", { k: 1024, rank: 128 }, /at least 16·rank = 2048/],
    ["k above 4·rank²", { k: 8192, rank: 32 }, /at most 4·rank² = 4096/],
    ["odd tile height", { rows: [0, 8, 64] }, /rows: pattern list is not periodic|h = 3/],
    [
      "odd tile width",
      { rows: [0, 8, 64, 72, 128, 136, 192, 200], cols: [0, 1, 2] },
      /w = 3 .* must be even/,
    ],
    ["tile too small", { cols: [0, 1, 8, 9] }, /h·w = 16 must be at least 32/],
    [
      "tile too large",
      {
        rows: [
          0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
          25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46,
          47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
        ],
      },
      /h·w = 512 must be at most 256/,
    ],
    ["m too large", { m: 2 ** 24 + 128 }, /m 16777344 must be at most 2\^24/],
    ["rows past m", { m: 64 }, /max\(rows\) 72 must be below m = 64/],
    ["cols past n", { n: 32 }, /max\(cols\) 41 must be below n = 32/],
    [
      "m not a multiple of the rows period",
      { m: 320 },
      /m 320 must be a multiple of the rows period 128/,
    ],
    [
      "n not a multiple of the cols period",
      { n: 96 },
      /n 96 must be a multiple of the cols period 64/,
    ],
    ["non-integer m", { m: 255.5 }, /m 255.5 must be a positive integer/],
    ["bad rows pattern", { rows: [1, 9] }, /rows: pattern list must start at 0/],
  ];
  for (const [name, change, message] of bad) {
    it(`refuses ${name}`, () => {
      const error = errorOf(() => checkShape({ ...MAINNET_SHAPE, ...change }, { certVersion: 3 }));
      expect(error.code).toBe("E_SHAPE_INVALID");
      expect(error.message).toMatch(message);
      expect(error.hint).toMatch(/k 2048, rank 128/);
    });
  }

  it("requires rank ≥ 128 under the rank penalty", () => {
    const error = errorOf(() =>
      checkShape(OPENJARVIS_SHAPE, { certVersion: 3, rankPenalty: true }),
    );
    expect(error.message).toMatch(/rank 32 must be at least 128 under the rank penalty/);
  });

  it("checks the cert version first", () => {
    expect(errorOf(() => checkShape(MAINNET_SHAPE, { certVersion: 4 })).message).toMatch(/FP8/);
  });
});

describe("checkCertVersion", () => {
  it("accepts 1, 2, 3 and refuses FP8/FP16 and unknown versions distinctly", () => {
    for (const v of [1, 2, 3]) expect(() => checkCertVersion(v)).not.toThrow();
    expect(errorOf(() => checkCertVersion(4)).code).toBe("E_CERT_VERSION_UNSUPPORTED");
    expect(errorOf(() => checkCertVersion(4)).message).toBe(
      "certificate version 4 (FP8 proofs) is not supported",
    );
    expect(errorOf(() => checkCertVersion(5)).message).toBe(
      "certificate version 5 (FP16 proofs) is not supported",
    );
    for (const v of [0, 6, "3", 2.5, null]) {
      expect(errorOf(() => checkCertVersion(v)).message).toMatch(/unknown certificate version/);
    }
  });
});
