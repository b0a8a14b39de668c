import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { blake3 } from "./blake3.js";
import { concatBytes } from "./bytes.js";
import { assertHeaderLength } from "./header.js";
import { type PeriodicPattern, patternFromList, patternToBytes } from "./pattern.js";

export const MINING_CONFIGURATION_LENGTH = 52;
/** `MMAType::Int7xInt7ToInt32`, the only dense type. */
export const MMA_INT7_INT32 = 0;

export interface MiningConfiguration {
  k: number;
  rank: number;
  rows: readonly number[] | PeriodicPattern;
  cols: readonly number[] | PeriodicPattern;
}

function asPattern(p: readonly number[] | PeriodicPattern): PeriodicPattern {
  return Array.isArray(p) ? patternFromList(p) : (p as PeriodicPattern);
}

/** k u32 | rank u16 | mma u16 | rows 6 | cols 6 | 32 zero bytes (identical in V1, V2 and V3). */
export function encodeMiningConfiguration(config: MiningConfiguration): Uint8Array {
  const { k, rank } = config;
  if (!Number.isInteger(k) || k < 0 || k > 0xffffffff) {
    throw new MiningError(ErrorCodes.SHAPE_INVALID, `k ${k} is not a u32`, {
      hint: "k is the common dimension, e.g. 2048",
      details: { k },
    });
  }
  if (!Number.isInteger(rank) || rank < 0 || rank > 0xffff) {
    throw new MiningError(ErrorCodes.SHAPE_INVALID, `rank ${rank} is not a u16`, {
      hint: "rank is the noise rank, e.g. 128",
      details: { rank },
    });
  }
  const out = new Uint8Array(MINING_CONFIGURATION_LENGTH);
  const view = new DataView(out.buffer);
  view.setUint32(0, k, true);
  view.setUint16(4, rank, true);
  view.setUint16(6, MMA_INT7_INT32, true);
  out.set(patternToBytes(asPattern(config.rows)), 8);
  out.set(patternToBytes(asPattern(config.cols)), 14);
  return out;
}

/** job_key = BLAKE3(header76 ‖ config52), unkeyed. */
export function jobKey(header76: Uint8Array, config52: Uint8Array): Uint8Array {
  assertHeaderLength(header76);
  if (config52.length !== MINING_CONFIGURATION_LENGTH) {
    throw new MiningError(ErrorCodes.SHAPE_INVALID, "a mining configuration is 52 bytes", {
      hint: "build it with encodeMiningConfiguration",
      details: { length: config52.length },
    });
  }
  return blake3(concatBytes(header76, config52));
}
