import { readFileSync } from "node:fs";
import { createBLAKE3 } from "hash-wasm";
import { describe, expect, it } from "vitest";
import { blake3Keyed } from "../../src/protocol/blake3.js";
import { hexToBytes } from "../../src/protocol/bytes.js";
import { deriveNoiseSeeds, SALT_A_HEX, SALT_B_HEX } from "../../src/protocol/seeds.js";
import { hex, randomBytes, Scratch } from "./helpers.js";

interface Vectors {
  key: string;
  cases: { inputLen: number; hash: string; keyedHash: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL("../fixtures/protocol/blake3-vectors.json", import.meta.url), "utf8"),
) as Vectors;

function wasmHash(s: Scratch, data: Uint8Array, key?: Uint8Array): string {
  const keyAt = s.put(key ?? new Uint8Array(32));
  const dataAt = s.put(data);
  const cvs = s.alloc(32 * Math.max(1, Math.ceil(data.length / 1024)));
  const out = s.alloc(32);
  s.wasm.hash(key ? 1 : 0, keyAt, dataAt, data.length, cvs, out);
  return hex(s.read(out, 32));
}

async function hashWasm(data: Uint8Array, key?: Uint8Array): Promise<string> {
  const hasher = await createBLAKE3(256, key);
  hasher.init();
  hasher.update(data);
  return hasher.digest("hex");
}

describe("WebAssembly BLAKE3", () => {
  it("reproduces the official test vectors (plain and keyed)", () => {
    const s = new Scratch();
    const key = new TextEncoder().encode(vectors.key);
    expect(vectors.cases.length).toBeGreaterThan(10);
    for (const { inputLen, hash, keyedHash } of vectors.cases) {
      const input = Uint8Array.from({ length: inputLen }, (_, i) => i % 251);
      expect(wasmHash(s, input), `hash ${inputLen}`).toBe(hash);
      expect(wasmHash(s, input, key), `keyed ${inputLen}`).toBe(keyedHash);
    }
  });

  it("matches hash-wasm and the TypeScript reference on random inputs and whole matrices", async () => {
    const s = new Scratch();
    const key = randomBytes(32, 7);
    for (const length of [
      63,
      64,
      65,
      1023,
      1024,
      1025,
      4096,
      5 * 1024 + 17,
      9 * 1024,
      256 * 1024,
      384 * 1024,
    ]) {
      const data = randomBytes(length, length);
      const expected = await hashWasm(data, key);
      expect(wasmHash(s, data, key), `keyed ${length}`).toBe(expected);
      expect(wasmHash(s, data), `plain ${length}`).toBe(await hashWasm(data));
      if (length <= 9 * 1024) expect(hex(blake3Keyed(key, data))).toBe(expected);
    }
  });

  it("hashes batches of one-block messages like hash-wasm", async () => {
    const s = new Scratch();
    const key = randomBytes(32, 99);
    for (const count of [1, 2, 3, 4, 5, 7, 8, 16, 17]) {
      const messages = randomBytes(64 * count, count + 1000);
      const keyAt = s.put(key);
      const at = s.put(messages);
      const out = s.alloc(32 * count);
      s.wasm.keyedBlocks(keyAt, at, count, out);
      for (let i = 0; i < count; i++) {
        expect(hex(s.read(out + 32 * i, 32))).toBe(
          await hashWasm(messages.subarray(64 * i, 64 * i + 64), key),
        );
      }
    }
  });

  it("derives the upstream legacy and salted noise seeds (ALGORITHM.md §12.1)", () => {
    const s = new Scratch();
    const jobKey = new Uint8Array(32).fill(0x11);
    const hashA = new Uint8Array(32).fill(0xaa);
    const hashB = new Uint8Array(32).fill(0xbb);
    const [jk, ha, hb] = [s.put(jobKey), s.put(hashA), s.put(hashB)];
    const [saltA, saltB] = [s.put(hexToBytes(SALT_A_HEX)), s.put(hexToBytes(SALT_B_HEX))];
    const [bSeed, aSeed] = [s.alloc(32), s.alloc(32)];

    s.wasm.deriveSeed(jk, hb, 0, 320, bSeed);
    s.wasm.deriveSeed(bSeed, ha, 0, 192, aSeed);
    expect(hex(s.read(bSeed, 32))).toBe(
      "add6f7ea5feebf89c8a77e2ebfa0d82442e7dbb0046dbd48971861d12fcb0177",
    );
    expect(hex(s.read(aSeed, 32))).toBe(
      "483b07b6f73105030b9482255f37723f3fed69ae916724ee8291848b8c28794b",
    );

    s.wasm.deriveSeed(jk, hb, saltB, 320, bSeed);
    s.wasm.deriveSeed(bSeed, ha, saltA, 192, aSeed);
    expect(hex(s.read(bSeed, 32))).toBe(
      "60ed9b73c5a9599b200b6cd563e7f0d5d9a67d2402d85fd4ef966c580080d0e5",
    );
    expect(hex(s.read(aSeed, 32))).toBe(
      "301784168005ec833ab0aa60006f7fe7faaa95307d8c1fc6819b2ffdd717eccf",
    );

    const reference = deriveNoiseSeeds(3, jobKey, hashA, hashB, 192, 320);
    expect(hex(s.read(aSeed, 32))).toBe(hex(reference.aSeed));
  });
});
