import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { patternFromList, validOffsets } from "../protocol/pattern.js";
import { B_STREAM } from "../protocol/random.js";
import { SALT_A, SALT_B } from "../protocol/seeds.js";
import type { CertVersion, MiningShape } from "../protocol/shape.js";
import { type EngineExports, type EngineModule, instantiateEngine } from "./wasm.js";

/** Rows per A block and columns per Bᵀ block of the SIMD kernel (a 4×8 outer product). */
const ROW_LANES = 4;
const COL_LANES = 8;
const PAGE = 65536;

/** Where the time of an attempt goes, in milliseconds (summed over attempts). */
export interface AttemptPhases {
  generate: number;
  commit: number;
  noise: number;
  pack: number;
  scan: number;
}

export type AttemptOutcome =
  | { kind: "win"; tiles: number; rowOffset: number; colOffset: number }
  | { kind: "miss"; tiles: number }
  | { kind: "stopped"; tiles: number };

export interface CoreJob {
  jobKey: Uint8Array;
  certVersion: CertVersion;
  /** The inclusive per-tile win bound. */
  bound: bigint;
  /** The u32 seed of the deterministic generator. */
  seed: number;
}

function label(name: string): Uint8Array {
  const out = new Uint8Array(32);
  out.set(new TextEncoder().encode(name));
  return out;
}
const LABEL_A = label("A_tensor");
const LABEL_B = label("B_tensor");

const padded = (bytes: number): number => Math.ceil(bytes / 1024) * 1024;

/** The size in bytes of every buffer the engine keeps in its memory. */
function regionSizes(shape: MiningShape, rowBlocks: number, colBlocks: number, colTiles: number) {
  const { m, n, k, rank } = shape;
  return {
    jobKey: 32,
    hashA: 32,
    hashB: 32,
    seedA: 32,
    seedB: 32,
    bound: 32,
    saltA: 32,
    saltB: 32,
    labelA: 32,
    labelB: 32,
    a: padded(m * k),
    bt: padded(n * k),
    cvs: (Math.max(padded(m * k), padded(n * k)) / 1024) * 32,
    noiseA: m * rank,
    noiseB: n * rank,
    noiseAT: rank * ROW_LANES * rowBlocks,
    zeroRow: k,
    plusA: 4 * k,
    minusA: 4 * k,
    plusB: 4 * k,
    minusB: 4 * k,
    rowIndex: 4 * ROW_LANES * rowBlocks,
    colIndex: 4 * COL_LANES * colBlocks,
    packedA: rowBlocks * (k / 2) * 4 * ROW_LANES,
    packedB: colBlocks * (k / 2) * 4 * COL_LANES,
    folds: 16 * Math.floor(k / rank), // one unreduced v128 per chunk
    jackpots: 64 * colTiles,
    hashes: 32 * colTiles,
  };
}
type Region = keyof ReturnType<typeof regionSizes>;

/** Tile geometry and buffer sizes of the engine for a shape, without instantiating it. */
export function engineLayout(shape: MiningShape) {
  const rowOffsets = validOffsets(patternFromList(shape.rows), shape.m);
  const colOffsets = validOffsets(patternFromList(shape.cols), shape.n);
  const rowGroups = Math.ceil(shape.rows.length / ROW_LANES);
  const colGroups = Math.ceil(shape.cols.length / COL_LANES);
  // packRows16 packs 4 row groups at a time; the padding groups hold zero rows.
  const rowBlocks = Math.ceil((rowOffsets.length * rowGroups) / 4) * 4;
  const sizes = regionSizes(shape, rowBlocks, colOffsets.length * colGroups, colOffsets.length);
  const totalBytes = Object.values(sizes).reduce((sum, size) => sum + Math.ceil(size / 64) * 64, 0);
  return {
    rowOffsets,
    colOffsets,
    rowGroups,
    colGroups,
    rowPositions: rowBlocks * ROW_LANES,
    sizes,
    totalBytes,
  };
}

/**
 * One engine instance: its own WebAssembly memory laid out for one shape. B is prepared once per
 * job (`setJob`); each `attempt(i)` draws A from stream i, commits, derives the noise and scans
 * every tile in the reference order (row offsets ascending, then column offsets).
 */
export class EngineCore {
  readonly wasm: EngineExports;
  readonly shape: MiningShape;
  readonly rowOffsets: number[];
  readonly colOffsets: number[];
  readonly rowGroups: number;
  readonly colGroups: number;
  readonly tilesPerAttempt: number;
  /** Rows in the packed A layout, padding included (a multiple of 16). */
  readonly rowPositions: number;
  readonly memoryBytes: number;
  readonly phases: AttemptPhases = { generate: 0, commit: 0, noise: 0, pack: 0, scan: 0 };
  /** Byte offsets of every buffer in the engine memory. */
  readonly ptr: Record<Region, number>;
  private job: CoreJob | undefined;

  constructor(shape: MiningShape, module?: EngineModule) {
    this.shape = shape;
    const layout = engineLayout(shape);
    this.rowOffsets = layout.rowOffsets;
    this.colOffsets = layout.colOffsets;
    this.rowGroups = layout.rowGroups;
    this.colGroups = layout.colGroups;
    this.rowPositions = layout.rowPositions;
    this.tilesPerAttempt = this.rowOffsets.length * this.colOffsets.length;
    if (this.tilesPerAttempt === 0) {
      throw new MiningError(ErrorCodes.SHAPE_INVALID, "the shape has no complete tile", {
        hint: "m and n must cover at least one tile of the rows/cols patterns",
        details: { shape },
      });
    }
    this.wasm = instantiateEngine(module);

    const sizes = layout.sizes;
    let at = Math.ceil(this.wasm.heapBase() / 64) * 64;
    const ptr = {} as Record<Region, number>;
    for (const [name, size] of Object.entries(sizes) as [Region, number][]) {
      ptr[name] = at;
      at += Math.ceil(size / 64) * 64;
    }
    this.ptr = ptr;
    const pages = Math.ceil(at / PAGE);
    const have = this.wasm.memory.buffer.byteLength / PAGE;
    if (pages > have) this.wasm.memory.grow(pages - have);
    this.memoryBytes = this.wasm.memory.buffer.byteLength;

    const bytes = this.bytes();
    bytes.set(SALT_A, ptr.saltA);
    bytes.set(SALT_B, ptr.saltB);
    bytes.set(LABEL_A, ptr.labelA);
    bytes.set(LABEL_B, ptr.labelB);
    const index = new Int32Array(this.wasm.memory.buffer);
    index.fill(-1, ptr.rowIndex / 4, ptr.rowIndex / 4 + this.rowPositions);
    const fill = (at: number, tiles: number[], list: number[], groups: number, lanes: number) => {
      let slot = at / 4;
      for (const origin of tiles) {
        for (let i = 0; i < groups * lanes; i++) {
          const offset = list[i];
          index[slot++] = offset === undefined ? -1 : origin + offset;
        }
      }
    };
    fill(ptr.rowIndex, this.rowOffsets, shape.rows, this.rowGroups, ROW_LANES);
    fill(ptr.colIndex, this.colOffsets, shape.cols, this.colGroups, COL_LANES);
  }

  /** A fresh view of the engine memory (growing it detaches older views). */
  bytes(): Uint8Array {
    return new Uint8Array(this.wasm.memory.buffer);
  }

  /** Prepare B for a job: Bᵀ from stream B_STREAM, its commitment, seed, noise and packing. */
  setJob(job: CoreJob): void {
    const { wasm, ptr } = this;
    const { n, k, rank } = this.shape;
    const bytes = this.bytes();
    bytes.set(job.jobKey, ptr.jobKey);
    let bound = job.bound;
    for (let i = 0; i < 32; i++) {
      bytes[ptr.bound + i] = Number(bound & 0xffn);
      bound >>= 8n;
    }
    const salted = job.certVersion === 3;
    wasm.fillMatrix(ptr.bt, n * k, job.seed >>> 0, B_STREAM);
    wasm.hash(1, ptr.jobKey, ptr.bt, padded(n * k), ptr.cvs, ptr.hashB);
    wasm.deriveSeed(ptr.jobKey, ptr.hashB, salted ? ptr.saltB : 0, n, ptr.seedB);
    wasm.uniformFactor(ptr.seedB, ptr.labelB, n, rank, ptr.noiseB);
    wasm.permutationFactor(ptr.seedB, ptr.labelB, k, rank, ptr.plusB, ptr.minusB);
    wasm.packNoisy(
      ptr.bt,
      k,
      ptr.noiseB,
      rank,
      ptr.plusB,
      ptr.minusB,
      ptr.colIndex,
      this.colOffsets.length * this.colGroups,
      COL_LANES,
      ptr.packedB,
    );
    this.job = job;
  }

  /** Attempt `index`; `shouldStop` is polled between row tiles. */
  attempt(index: number, shouldStop?: () => boolean): AttemptOutcome {
    const job = this.job;
    if (!job) throw new MiningError(ErrorCodes.INTERNAL, "attempt() before setJob()");
    const { wasm, ptr, phases } = this;
    const { m, k, rank } = this.shape;
    const t0 = performance.now();
    wasm.fillMatrix(ptr.a, m * k, job.seed >>> 0, index >>> 0);
    const t1 = performance.now();
    wasm.hash(1, ptr.jobKey, ptr.a, padded(m * k), ptr.cvs, ptr.hashA);
    wasm.deriveSeed(ptr.seedB, ptr.hashA, job.certVersion === 3 ? ptr.saltA : 0, m, ptr.seedA);
    const t2 = performance.now();
    wasm.uniformFactor(ptr.seedA, ptr.labelA, m, rank, ptr.noiseA);
    wasm.permutationFactor(ptr.seedA, ptr.labelA, k, rank, ptr.plusA, ptr.minusA);
    const t3 = performance.now();
    const rowTiles = this.rowOffsets.length;
    const colTiles = this.colOffsets.length;
    const positions = this.rowPositions;
    wasm.transposeNoise(ptr.noiseA, rank, ptr.rowIndex, positions, ptr.noiseAT);
    wasm.packRows16(
      ptr.a,
      k,
      ptr.noiseAT,
      positions,
      ptr.plusA,
      ptr.minusA,
      ptr.rowIndex,
      ptr.zeroRow,
      ptr.packedA,
    );
    const t4 = performance.now();
    phases.generate += t1 - t0;
    phases.commit += t2 - t1;
    phases.noise += t3 - t2;
    phases.pack += t4 - t3;
    let outcome: AttemptOutcome = { kind: "miss", tiles: rowTiles * colTiles };
    for (let rowTile = 0; rowTile < rowTiles; rowTile++) {
      if (shouldStop?.()) {
        outcome = { kind: "stopped", tiles: rowTile * colTiles };
        break;
      }
      const colTile = this.scanRowTile(rowTile);
      if (colTile >= 0) {
        outcome = {
          kind: "win",
          tiles: rowTile * colTiles + colTile + 1,
          rowOffset: this.rowOffsets[rowTile]!,
          colOffset: this.colOffsets[colTile]!,
        };
        break;
      }
    }
    phases.scan += performance.now() - t4;
    return outcome;
  }

  /** Jackpot words and hashes of one row tile (left in `jackpots`/`hashes`); the first winner or -1. */
  scanRowTile(rowTile: number): number {
    const { wasm, ptr } = this;
    const { k, rank } = this.shape;
    return wasm.scanRowTile(
      ptr.packedA,
      ptr.packedB,
      k,
      rank,
      rowTile,
      this.rowGroups,
      this.colOffsets.length,
      this.colGroups,
      ptr.folds,
      ptr.jackpots,
      ptr.seedA,
      ptr.bound,
      ptr.hashes,
    );
  }

  /** Copy `length` bytes at a pointer out of engine memory. */
  read(at: number, length: number): Uint8Array {
    return this.bytes().slice(at, at + length);
  }

  /** The un-noised A of the last attempt (m×k). */
  matrixA(): Int8Array {
    const { m, k } = this.shape;
    return new Int8Array(this.read(this.ptr.a, m * k).buffer);
  }

  /** The un-noised Bᵀ of the job (n×k). */
  matrixBt(): Int8Array {
    const { n, k } = this.shape;
    return new Int8Array(this.read(this.ptr.bt, n * k).buffer);
  }
}
