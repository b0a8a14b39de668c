import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { bech32, bech32m } from "@scure/base";

export type AddressNetwork = "mainnet" | "testnet" | "regtest";

/** Bech32 human-readable parts (GATEWAY-AND-NODE §5.1): testnet2 and signet share `tprl`, simnet `rprl`. */
export const ADDRESS_HRPS: Readonly<Record<AddressNetwork, string>> = Object.freeze({
  mainnet: "prl",
  testnet: "tprl",
  regtest: "rprl",
});

/** Network names pearld reports, mapped to the address network they share an HRP with. */
const NETWORK_ALIASES: Readonly<Record<string, AddressNetwork>> = Object.freeze({
  mainnet: "mainnet",
  testnet: "testnet",
  testnet2: "testnet",
  signet: "testnet",
  regtest: "regtest",
  simnet: "regtest",
});

/** BIP 173's limit; a Taproot address here is 63 (prl) or 64 (tprl, rprl) characters. */
export const MAX_ADDRESS_LENGTH = 90;
const TAPROOT_PROGRAM_LENGTH = 32;

export interface MiningAddress {
  network: AddressNetwork;
  hrp: string;
  witnessVersion: 1;
  program: Uint8Array;
}

const TAPROOT_HINT =
  "use a Taproot address (prl1p…, tprl1p…, rprl1p…), e.g. from Oyster's getnewaddress";

function walletError(message: string, address: string, hint: string = TAPROOT_HINT): MiningError {
  return new MiningError(ErrorCodes.WALLET_INVALID, message, { hint, details: { address } });
}

function networkFromHrp(hrp: string): AddressNetwork | undefined {
  return (Object.keys(ADDRESS_HRPS) as AddressNetwork[]).find((net) => ADDRESS_HRPS[net] === hrp);
}

function resolveNetwork(network: string): AddressNetwork {
  const resolved = NETWORK_ALIASES[network];
  if (!resolved) {
    throw new MiningError(ErrorCodes.CONFIG_INVALID, `unknown network ${JSON.stringify(network)}`, {
      hint: `one of ${Object.keys(NETWORK_ALIASES).join(", ")}`,
      details: { network },
    });
  }
  return resolved;
}

/**
 * Decode and validate an address the gateway can pay: bech32m, witness version 1, 32-byte
 * program, known HRP, and (when given) the expected network. Every failure is E_WALLET_INVALID
 * with its own message.
 */
export function decodeMiningAddress(address: string, expectedNetwork?: string): MiningAddress {
  if (typeof address !== "string" || address.length === 0) {
    throw walletError("the mining address is empty", String(address));
  }
  if (address !== address.trim()) {
    throw walletError("the mining address has leading or trailing whitespace", address);
  }
  if (address.length > MAX_ADDRESS_LENGTH) {
    throw walletError(
      `the mining address is longer than ${MAX_ADDRESS_LENGTH} characters`,
      address,
    );
  }
  const lower = address.toLowerCase();
  if (address !== lower && address !== address.toUpperCase()) {
    throw walletError(
      "the mining address mixes upper and lower case",
      address,
      "bech32 addresses are all lower case (or all upper case); copy it again",
    );
  }
  const separator = lower.lastIndexOf("1");
  if (separator < 1) throw walletError("the mining address has no bech32 separator '1'", address);
  const hrp = lower.slice(0, separator);
  const network = networkFromHrp(hrp);
  if (!network) {
    throw walletError(`unknown address prefix "${hrp}" (expected prl, tprl or rprl)`, address);
  }
  const data = lower.slice(separator + 1);
  if (data.length < 6 || !/^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]+$/.test(data)) {
    throw walletError("the mining address has characters outside the bech32 alphabet", address);
  }

  let words: number[];
  try {
    words = bech32m.decode(lower as `${string}1${string}`, MAX_ADDRESS_LENGTH).words;
  } catch {
    let legacy: number[] | undefined;
    try {
      legacy = bech32.decode(lower as `${string}1${string}`, MAX_ADDRESS_LENGTH).words;
    } catch {
      legacy = undefined;
    }
    if (legacy?.[0] === 0) throw v0Error(address);
    if (legacy) {
      throw walletError(
        "the mining address has a bech32 checksum, but witness v1 (Taproot) needs bech32m",
        address,
      );
    }
    throw walletError(
      "the mining address checksum is wrong (a typo?)",
      address,
      "check the address character by character, or copy it again",
    );
  }

  const version = words[0];
  if (version === 0) throw v0Error(address);
  if (version !== 1) {
    throw walletError(`witness version ${version} is not Taproot (witness v1)`, address);
  }
  let program: Uint8Array;
  try {
    program = bech32m.fromWords(words.slice(1));
  } catch {
    throw walletError("the mining address program has invalid padding", address);
  }
  if (program.length !== TAPROOT_PROGRAM_LENGTH) {
    throw walletError(`a Taproot program is 32 bytes, this address has ${program.length}`, address);
  }
  if (expectedNetwork !== undefined) {
    const expected = resolveNetwork(expectedNetwork);
    if (expected !== network) {
      throw walletError(
        `the mining address is for ${network} ("${hrp}"), not ${expectedNetwork} ("${ADDRESS_HRPS[expected]}")`,
        address,
        `use a ${ADDRESS_HRPS[expected]}1p… address for ${expectedNetwork}`,
      );
    }
  }
  return { network, hrp, witnessVersion: 1, program };
}

function v0Error(address: string): MiningError {
  return walletError(
    "the mining address is a witness v0 (prl1q…) address; the gateway can only pay Taproot (witness v1)",
    address,
    "the gateway's coinbase pays OP_1 <32 bytes> only; use a Taproot address (prl1p…) from Oyster's getnewaddress",
  );
}

/** The network an address belongs to (validating it fully). */
export function networkOfAddress(address: string): AddressNetwork {
  return decodeMiningAddress(address).network;
}

/** bech32m Taproot address of a 32-byte witness program. */
export function encodeTaprootAddress(network: string, program32: Uint8Array): string {
  const resolved = resolveNetwork(network);
  if (!(program32 instanceof Uint8Array) || program32.length !== TAPROOT_PROGRAM_LENGTH) {
    throw new MiningError(ErrorCodes.WALLET_INVALID, "a Taproot program is 32 bytes", {
      hint: "pass the 32-byte x-only output key",
      details: { length: program32?.length },
    });
  }
  return bech32m.encode(
    ADDRESS_HRPS[resolved],
    [1, ...bech32m.toWords(program32)],
    MAX_ADDRESS_LENGTH,
  );
}
