import { readFileSync } from "node:fs";
import { createBLAKE3 } from "hash-wasm";
import { describe, expect, it } from "vitest";
import {
  blake3,
  blake3ChunkCv,
  blake3Keyed,
  blake3ParentCv,
  bytesToHex,
} from "../../src/protocol/index.js";

interface Vectors {
  key: string;
  cases: { inputLen: number; hash: string; keyedHash: string }[];
}
const vectors: Vectors = JSON.parse(
  readFileSync(new URL("../fixtures/protocol/blake3-vectors.json", import.meta.url), "utf8"),
);
const key = new TextEncoder().encode(vectors.key);

function officialInput(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => i % 251);
}

async function hashWasm(data: Uint8Array, withKey?: Uint8Array): Promise<string> {
  const hasher = await createBLAKE3(256, withKey);
  hasher.update(data);
  return hasher.digest("hex");
}

/** A small deterministic byte source for "random" inputs (no Math.random: reproducible failures). */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe("BLAKE3 reference", () => {
  it("has the 22 official vectors in the fixture", () => {
    expect(vectors.cases.map((c) => c.inputLen)).toEqual([
      0, 1, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 5120, 5121, 6144, 6145, 7168,
      7169, 8192, 8193, 16384, 31744, 102400,
    ]);
  });

  for (const c of vectors.cases) {
    it(`matches the official hash and keyed_hash for ${c.inputLen} bytes`, () => {
      const input = officialInput(c.inputLen);
      expect(bytesToHex(blake3(input))).toBe(c.hash);
      expect(bytesToHex(blake3Keyed(key, input))).toBe(c.keyedHash);
    });
  }

  it("agrees with hash-wasm on pseudo-random inputs and keys", async () => {
    const lengths = [0, 3, 64, 65, 1000, 1024, 1500, 3000, 5000, 9216, 20000, 65537];
    for (const [i, length] of lengths.entries()) {
      const data = pseudoRandomBytes(length, i + 1);
      const k = pseudoRandomBytes(32, 1000 + i);
      expect(bytesToHex(blake3(data))).toBe(await hashWasm(data));
      expect(bytesToHex(blake3Keyed(k, data))).toBe(await hashWasm(data, k));
    }
  });

  it("builds keyed hashes from chunk chaining values and parent nodes", () => {
    const data = officialInput(3 * 1024);
    const cvs = [0, 1, 2].map((i) =>
      blake3ChunkCv(key, data.subarray(i * 1024, (i + 1) * 1024), i),
    );
    const left = blake3ParentCv(key, cvs[0]!, cvs[1]!, false);
    expect(bytesToHex(blake3ParentCv(key, left, cvs[2]!, true))).toBe(
      bytesToHex(blake3Keyed(key, data)),
    );
    // Without ROOT the parent is a different value.
    expect(bytesToHex(blake3ParentCv(key, left, cvs[2]!, false))).not.toBe(
      bytesToHex(blake3Keyed(key, data)),
    );
  });

  it("rejects a key that is not 32 bytes", () => {
    expect(() => blake3Keyed(new Uint8Array(31), new Uint8Array(1))).toThrow(/32 bytes/);
  });
});
