import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ErrorCodes, MiningError } from "@openjarvis/mining-core";

// The TypeScript lib used here (ES2022 + Node) has no WebAssembly JS API types; these are the parts used.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
/** A compiled engine module; it can be posted to worker threads. */
export type EngineModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => EngineModule;
  Instance: new (module: EngineModule, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The exports of assembly/engine.ts (pointers are byte offsets into `memory`). */
export interface EngineExports {
  memory: WasmMemory;
  heapBase(): number;
  fillMatrix(out: number, len: number, seed: number, stream: number): void;
  hash(keyed: number, key: number, data: number, len: number, cvs: number, out: number): void;
  keyedBlocks(key: number, messages: number, count: number, out: number): void;
  deriveSeed(parent: number, root: number, salt: number, dim: number, out: number): void;
  uniformFactor(key: number, label: number, rows: number, rank: number, out: number): void;
  permutationFactor(
    key: number,
    label: number,
    k: number,
    rank: number,
    plus: number,
    minus: number,
  ): void;
  packNoisy(
    matrix: number,
    k: number,
    noise: number,
    rank: number,
    plus: number,
    minus: number,
    index: number,
    groups: number,
    lanes: number,
    out: number,
  ): void;
  transposeNoise(noise: number, rank: number, index: number, positions: number, out: number): void;
  packRows16(
    matrix: number,
    k: number,
    noiseT: number,
    positions: number,
    plus: number,
    minus: number,
    index: number,
    zeroRow: number,
    out: number,
  ): void;
  scanRowTile(
    packedA: number,
    packedB: number,
    k: number,
    rank: number,
    rowTile: number,
    rowGroups: number,
    colTiles: number,
    colGroups: number,
    folds: number,
    jackpots: number,
    seedA: number,
    bound: number,
    hashes: number,
  ): number;
}

/**
 * Built files live next to the bundled module in dist/. From the sources (vitest runs src/), the
 * same files are found in the package's dist/, so `pnpm build` must have run.
 */
export function builtArtifact(name: string): URL {
  const candidates = [
    new URL(`./${name}`, import.meta.url),
    new URL(`../../dist/${name}`, import.meta.url),
  ];
  const found = candidates.find((url) => existsSync(fileURLToPath(url)));
  if (!found) {
    throw new MiningError(ErrorCodes.INTERNAL, `the engine file ${name} is missing`, {
      hint: "run `pnpm --filter @openjarvis/pearl build`; it compiles the WebAssembly engine into dist/",
      details: { name },
    });
  }
  return found;
}

let compiled: EngineModule | undefined;

/** The compiled engine module (compiled once per thread; a Module can be posted to workers). */
export function engineModule(): EngineModule {
  if (!compiled) {
    const bytes = readFileSync(fileURLToPath(builtArtifact("pearl-engine.wasm")));
    try {
      compiled = new wasmApi.Module(bytes);
    } catch (error) {
      throw new MiningError(
        ErrorCodes.PROVIDER_UNSUPPORTED,
        "this Node.js cannot compile the WebAssembly SIMD engine",
        {
          hint: "use Node.js ≥ 20 (WebAssembly SIMD128 is on by default there)",
          cause: error,
        },
      );
    }
  }
  return compiled;
}

export function instantiateEngine(module: EngineModule = engineModule()): EngineExports {
  const instance = new wasmApi.Instance(module, {
    env: {
      abort() {
        throw new Error("WebAssembly engine abort");
      },
    },
  });
  return instance.exports as unknown as EngineExports;
}
