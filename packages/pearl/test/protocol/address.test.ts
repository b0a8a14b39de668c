import { isMiningError } from "@openjarvis/mining-core";
import { bech32, bech32m } from "@scure/base";
import { describe, expect, it } from "vitest";
import {
  decodeMiningAddress,
  encodeTaprootAddress,
  networkOfAddress,
} from "../../src/protocol/index.js";

const program = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);

function errorOf(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (error) {
    expect(isMiningError(error)).toBe(true);
    return error as { code: string; message: string; hint?: string };
  }
  throw new Error("expected a MiningError");
}

describe("Taproot mining addresses (GATEWAY-AND-NODE §5.4)", () => {
  it("encodes and decodes every network, with the documented lengths", () => {
    const mainnet = encodeTaprootAddress("mainnet", program);
    expect(mainnet.startsWith("prl1p")).toBe(true);
    expect(mainnet).toHaveLength(63);
    for (const [network, hrp] of [
      ["testnet", "tprl"],
      ["regtest", "rprl"],
    ] as const) {
      const address = encodeTaprootAddress(network, program);
      expect(address.startsWith(`${hrp}1p`)).toBe(true);
      expect(address).toHaveLength(64);
      const decoded = decodeMiningAddress(address, network);
      expect(decoded).toEqual({ network, hrp, witnessVersion: 1, program });
    }
    expect(decodeMiningAddress(mainnet).program).toEqual(program);
    expect(networkOfAddress(mainnet)).toBe("mainnet");
  });

  it("maps pearld network names that share an HRP", () => {
    expect(encodeTaprootAddress("simnet", program)).toBe(encodeTaprootAddress("regtest", program));
    expect(encodeTaprootAddress("signet", program)).toBe(encodeTaprootAddress("testnet", program));
    const rprl = encodeTaprootAddress("regtest", program);
    expect(decodeMiningAddress(rprl, "simnet").network).toBe("regtest");
    expect(errorOf(() => encodeTaprootAddress("moonnet", program)).code).toBe("E_CONFIG_INVALID");
  });

  it("accepts an all-upper-case address", () => {
    const address = encodeTaprootAddress("mainnet", program).toUpperCase();
    expect(decodeMiningAddress(address).program).toEqual(program);
  });

  it("checks against an independent bech32m encoding", () => {
    const independent = bech32m.encode("tprl", [1, ...bech32m.toWords(program)]);
    expect(encodeTaprootAddress("testnet", program)).toBe(independent);
  });

  it("rejects mixed case", () => {
    const address = encodeTaprootAddress("mainnet", program);
    const mixed = `${address.slice(0, 10)}${address.slice(10).toUpperCase()}`;
    const error = errorOf(() => decodeMiningAddress(mixed));
    expect(error.code).toBe("E_WALLET_INVALID");
    expect(error.message).toMatch(/mixes upper and lower case/);
  });

  it("rejects a bad checksum", () => {
    const address = encodeTaprootAddress("mainnet", program);
    const last = address.at(-1) === "q" ? "p" : "q";
    const error = errorOf(() => decodeMiningAddress(`${address.slice(0, -1)}${last}`));
    expect(error.code).toBe("E_WALLET_INVALID");
    expect(error.message).toMatch(/checksum is wrong/);
  });

  it("rejects a witness v1 address with a bech32 (not bech32m) checksum", () => {
    const address = bech32.encode("prl", [1, ...bech32.toWords(program)]);
    const error = errorOf(() => decodeMiningAddress(address));
    expect(error.message).toMatch(/bech32 checksum, but witness v1 \(Taproot\) needs bech32m/);
  });

  it("rejects a v0 prl1q… address with the Taproot hint", () => {
    const v0 = bech32.encode("prl", [0, ...bech32.toWords(program.subarray(0, 20))]);
    expect(v0.startsWith("prl1q")).toBe(true);
    const error = errorOf(() => decodeMiningAddress(v0));
    expect(error.message).toMatch(/witness v0 \(prl1q…\)/);
    expect(error.hint).toMatch(/Taproot/);
    // v0 data under a bech32m checksum is refused the same way.
    const v0m = bech32m.encode("prl", [0, ...bech32m.toWords(program)]);
    expect(errorOf(() => decodeMiningAddress(v0m)).message).toMatch(/witness v0/);
  });

  it("rejects an unknown HRP", () => {
    const bitcoin = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";
    const error = errorOf(() => decodeMiningAddress(bitcoin));
    expect(error.message).toMatch(/unknown address prefix "bc"/);
  });

  it("rejects the wrong network", () => {
    const testnet = encodeTaprootAddress("testnet", program);
    const error = errorOf(() => decodeMiningAddress(testnet, "mainnet"));
    expect(error.message).toMatch(/is for testnet \("tprl"\), not mainnet \("prl"\)/);
    expect(error.hint).toMatch(/prl1p/);
  });

  it("rejects a wrong program length and other witness versions", () => {
    const short = bech32m.encode("prl", [1, ...bech32m.toWords(program.subarray(0, 20))]);
    expect(errorOf(() => decodeMiningAddress(short)).message).toMatch(
      /32 bytes, this address has 20/,
    );
    const v2 = bech32m.encode("prl", [2, ...bech32m.toWords(program)]);
    expect(errorOf(() => decodeMiningAddress(v2)).message).toMatch(
      /witness version 2 is not Taproot/,
    );
  });

  it("rejects malformed strings", () => {
    expect(errorOf(() => decodeMiningAddress("")).message).toMatch(/empty/);
    expect(errorOf(() => decodeMiningAddress("prlqqqq")).message).toMatch(/separator/);
    expect(errorOf(() => decodeMiningAddress("prl1bbbbbbbbb")).message).toMatch(/alphabet/);
    expect(
      errorOf(() => decodeMiningAddress(` ${encodeTaprootAddress("mainnet", program)}`)).message,
    ).toMatch(/whitespace/);
    expect(errorOf(() => decodeMiningAddress(`prl1${"q".repeat(90)}`)).message).toMatch(
      /longer than 90/,
    );
    expect(errorOf(() => encodeTaprootAddress("mainnet", new Uint8Array(31))).code).toBe(
      "E_WALLET_INVALID",
    );
  });
});
