import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { buildPlainProof } from "./build.js";
import { encodeMiningConfiguration, jobKey } from "./config.js";
import { assertHeaderLength, headerNbits } from "./header.js";
import { merkleRootKeyed } from "./merkle.js";
import { noisePermutation, noisyRowA, noisyRowBt } from "./noise.js";
import { patternFromList, validOffsets } from "./pattern.js";
import type { PlainProof } from "./proof.js";
import { B_STREAM, fillMatrix } from "./random.js";
import { deriveNoiseSeeds } from "./seeds.js";
import { type CertVersion, checkCertVersion, checkShape, type MiningShape } from "./shape.js";
import { nbitsToTarget, tileBound } from "./target.js";
import { hashLeqBound, jackpotHash, tileJackpotState } from "./transcript.js";

/** A mining job: the 76 header bytes, the certificate version and the shape to mine. */
export interface MineJob {
  header: Uint8Array;
  certVersion: CertVersion;
  shape: MiningShape;
  /** Win against this nbits instead of the header's (e.g. a share target). */
  nbitsOverride?: number;
}

export interface MineProgress {
  attempts: number;
  tiles: number;
  elapsedMs: number;
}

export interface MineOptions {
  /** Worker threads (the reference engine is single-threaded and ignores it). */
  threads?: number;
  signal?: AbortSignal;
  onProgress?(progress: MineProgress): void;
  /**
   * Deterministic mode: Bᵀ from stream B_STREAM, attempt i's A from stream i, tiles scanned
   * row-offset-major; the first winning tile wins. Identical across engines.
   */
  seed?: number;
  /** Give up (E_TIMEOUT) after this many attempts without a win. */
  maxAttempts?: number;
}

export interface MineResult {
  proof: PlainProof;
  attempts: number;
  elapsedMs: number;
}

function abortError(): MiningError {
  return new MiningError(ErrorCodes.ABORTED, "mining aborted", {
    hint: "the job was cancelled (a new job arrived or the miner is stopping)",
  });
}

/** Let timers and abort signals run between attempts; the reference engine is synchronous. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
}

function noisyRowsBt(bt: Int8Array, bSeed: Uint8Array, shape: MiningShape): Int16Array[] {
  const { n, k, rank } = shape;
  const permB = noisePermutation("B", bSeed, k, rank);
  return Array.from({ length: n }, (_, j) =>
    noisyRowBt(bt.subarray(j * k, (j + 1) * k), j, bSeed, shape, permB),
  );
}

function asBytes(matrix: Int8Array): Uint8Array {
  return new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
}

/**
 * The readable scalar reference miner, with the public `mine()` signature. Slow on purpose: it
 * spells out §8 of the spec; the WebAssembly engine must give the same proof for the same seed.
 * B is fixed per job (its commitment and noise are reused); only A changes between attempts.
 */
export async function mineReference(job: MineJob, options: MineOptions = {}): Promise<MineResult> {
  const started = performance.now();
  const { header, certVersion, shape } = job;
  checkCertVersion(certVersion);
  checkShape(shape, { certVersion });
  assertHeaderLength(header);
  const { signal, onProgress, maxAttempts } = options;
  if (signal?.aborted) throw abortError();
  const seed = options.seed === undefined ? randomSeed() : options.seed >>> 0;

  const { m, n, k, rank } = shape;
  const rowPattern = patternFromList(shape.rows);
  const colPattern = patternFromList(shape.cols);
  const key = jobKey(
    header,
    encodeMiningConfiguration({ k, rank, rows: rowPattern, cols: colPattern }),
  );
  const bound = tileBound(nbitsToTarget(job.nbitsOverride ?? headerNbits(header)), shape);
  const rowOffsets = validOffsets(rowPattern, m);
  const colOffsets = validOffsets(colPattern, n);

  const bt = new Int8Array(n * k);
  fillMatrix(bt, seed, B_STREAM);
  const hashB = merkleRootKeyed(key, asBytes(bt));
  const a = new Int8Array(m * k);
  let btNoisy: Int16Array[] | undefined;

  let tiles = 0;
  for (let attempt = 0; maxAttempts === undefined || attempt < maxAttempts; attempt++) {
    fillMatrix(a, seed, attempt);
    const hashA = merkleRootKeyed(key, asBytes(a));
    const { aSeed, bSeed } = deriveNoiseSeeds(certVersion, key, hashA, hashB, m, n);
    const permA = noisePermutation("A", aSeed, k, rank);
    const aNoisy = Array.from({ length: m }, (_, i) =>
      noisyRowA(a.subarray(i * k, (i + 1) * k), i, aSeed, shape, permA),
    );
    // b_seed depends on the job key and hash_b only (in both seed chains), so B's noise is
    // computed once per job.
    btNoisy ??= noisyRowsBt(bt, bSeed, shape);

    for (const rowOffset of rowOffsets) {
      const tileRows = shape.rows.map((r) => aNoisy[rowOffset + r]!);
      for (const colOffset of colOffsets) {
        tiles += 1;
        const tileCols = shape.cols.map((c) => btNoisy![colOffset + c]!);
        const hash = jackpotHash(aSeed, tileJackpotState(tileRows, tileCols, k, rank));
        if (hashLeqBound(hash, bound)) {
          const proof = buildPlainProof({
            header,
            shape,
            certVersion,
            a,
            bt,
            rowOffset,
            colOffset,
          });
          const elapsedMs = performance.now() - started;
          onProgress?.({ attempts: attempt + 1, tiles, elapsedMs });
          return { proof, attempts: attempt + 1, elapsedMs };
        }
      }
      if (signal?.aborted) throw abortError();
    }
    onProgress?.({ attempts: attempt + 1, tiles, elapsedMs: performance.now() - started });
    await yieldToEventLoop();
    if (signal?.aborted) throw abortError();
  }
  throw new MiningError(ErrorCodes.TIMEOUT, `no winning tile in ${maxAttempts} attempts`, {
    hint: "raise maxAttempts or use an easier target (nbitsOverride)",
    details: { maxAttempts },
  });
}
