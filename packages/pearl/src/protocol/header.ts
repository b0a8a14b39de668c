import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { bytesToHex, hexToBytes } from "./bytes.js";

export const INCOMPLETE_HEADER_LENGTH = 76;

/**
 * The 76 hashed header bytes as fields. `prevBlock` and `merkleRoot` are in display order (as in
 * RPC hex); the wire form stores them reversed.
 */
export interface IncompleteHeader {
  version: number;
  prevBlock: string | Uint8Array;
  merkleRoot: string | Uint8Array;
  timestamp: number;
  nbits: number;
}

/** What `decodeIncompleteHeader` returns: hashes as display-order hex. */
export interface DecodedIncompleteHeader extends IncompleteHeader {
  prevBlock: string;
  merkleRoot: string;
}

function headerError(message: string, details: Record<string, unknown>): MiningError {
  return new MiningError(ErrorCodes.PROOF_INVALID, message, {
    hint: "use the 76 incomplete_header_bytes of the mining job verbatim",
    details,
  });
}

function hash32(value: string | Uint8Array, field: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = typeof value === "string" ? hexToBytes(value) : value;
  } catch {
    throw headerError(`${field} is not hex`, { field });
  }
  if (bytes.length !== 32) throw headerError(`${field} must be 32 bytes`, { field });
  return bytes;
}

function u32(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw headerError(`${field} ${value} is not a u32`, { field, value });
  }
  return value;
}

export function encodeIncompleteHeader(h: IncompleteHeader): Uint8Array {
  const out = new Uint8Array(INCOMPLETE_HEADER_LENGTH);
  const view = new DataView(out.buffer);
  view.setUint32(0, u32(h.version, "version"), true);
  out.set(hash32(h.prevBlock, "prevBlock").slice().reverse(), 4);
  out.set(hash32(h.merkleRoot, "merkleRoot").slice().reverse(), 36);
  view.setUint32(68, u32(h.timestamp, "timestamp"), true);
  view.setUint32(72, u32(h.nbits, "nbits"), true);
  return out;
}

export function assertHeaderLength(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== INCOMPLETE_HEADER_LENGTH) {
    throw headerError(
      `an incomplete header is ${INCOMPLETE_HEADER_LENGTH} bytes, got ${bytes?.length}`,
      { length: bytes?.length },
    );
  }
}

export function decodeIncompleteHeader(bytes: Uint8Array): DecodedIncompleteHeader {
  assertHeaderLength(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    version: view.getUint32(0, true),
    prevBlock: bytesToHex(bytes.slice(4, 36).reverse()),
    merkleRoot: bytesToHex(bytes.slice(36, 68).reverse()),
    timestamp: view.getUint32(68, true),
    nbits: view.getUint32(72, true),
  };
}

/** The nbits field (u32 LE at offset 72). */
export function headerNbits(bytes76: Uint8Array): number {
  assertHeaderLength(bytes76);
  return new DataView(bytes76.buffer, bytes76.byteOffset, bytes76.byteLength).getUint32(72, true);
}
