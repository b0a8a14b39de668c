import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { encodeMiningConfiguration, jobKey } from "../protocol/config.js";
import { assertHeaderLength, headerNbits } from "../protocol/header.js";
import type { MineJob } from "../protocol/mine.js";
import {
  type CertVersion,
  checkCertVersion,
  checkShape,
  type MiningShape,
} from "../protocol/shape.js";
import { nbitsToTarget, tileBound } from "../protocol/target.js";
import { engineLayout } from "./core.js";

/** WebAssembly memory one worker may use; wasm32 stops at 4 GiB, and every worker needs its own. */
const MAX_ENGINE_BYTES = 2 ** 31;

/** What the engine needs from a job, validated and derived once on the calling thread. */
export interface PreparedJob {
  header: Uint8Array;
  certVersion: CertVersion;
  shape: MiningShape;
  jobKey: Uint8Array;
  bound: bigint;
}

/** Refuse a bad job before any work starts; derive the job key and the per-tile bound. */
export function prepareJob(job: MineJob): PreparedJob {
  if (typeof job !== "object" || job === null) {
    throw new MiningError(ErrorCodes.USAGE, "a mining job must be an object", {
      hint: "pass { header, certVersion, shape, nbitsOverride? }",
    });
  }
  checkCertVersion(job.certVersion);
  checkShape(job.shape, { certVersion: job.certVersion });
  if (!(job.header instanceof Uint8Array)) {
    throw new MiningError(ErrorCodes.USAGE, "job.header must be a Uint8Array of 76 bytes", {
      hint: "pass the incomplete header bytes from the job verbatim",
      details: { header: typeof job.header },
    });
  }
  assertHeaderLength(job.header);
  const nbits = job.nbitsOverride ?? headerNbits(job.header);
  if (!Number.isInteger(nbits) || nbits < 0 || nbits > 0xffffffff) {
    throw new MiningError(ErrorCodes.USAGE, `nbitsOverride ${String(nbits)} is not a u32`, {
      hint: "nbits is a 32-bit compact target such as 0x1d2fffff",
      details: { nbitsOverride: job.nbitsOverride },
    });
  }
  const target = nbitsToTarget(nbits);
  if (target === 0n) {
    throw new MiningError(ErrorCodes.USAGE, `nbits 0x${nbits.toString(16)} encodes a zero target`, {
      hint: "no tile can win against a zero target; check the header or nbitsOverride",
      details: { nbits },
    });
  }
  const shape: MiningShape = { ...job.shape, rows: [...job.shape.rows], cols: [...job.shape.cols] };
  const { totalBytes } = engineLayout(shape);
  if (totalBytes > MAX_ENGINE_BYTES) {
    throw new MiningError(
      ErrorCodes.SHAPE_INVALID,
      `the shape needs ${Math.ceil(totalBytes / 2 ** 20)} MiB of engine memory per worker, above the ${MAX_ENGINE_BYTES / 2 ** 20} MiB limit`,
      { hint: "use smaller m, n or k (mainnet: m 256, n 128, k 2048)", details: { shape } },
    );
  }
  const config = encodeMiningConfiguration({
    k: shape.k,
    rank: shape.rank,
    rows: shape.rows,
    cols: shape.cols,
  });
  return {
    header: job.header.slice(),
    certVersion: job.certVersion,
    shape,
    jobKey: jobKey(job.header, config),
    bound: tileBound(target, shape),
  };
}
