// Compiles assembly/engine.ts to dist/pearl-engine.wasm (tsup runs it after each bundle). The file is
// written beside the target and renamed, so a reader never sees a half-written module.
import { mkdir, rename } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = fileURLToPath(new URL("..", import.meta.url));
await mkdir(`${root}/dist`, { recursive: true });
const { error } = await asc.main(
  [
    "assembly/engine.ts",
    "--outFile",
    `dist/pearl-engine.${process.pid}.tmp.wasm`,
    "--enable",
    "simd",
    "--runtime",
    "stub",
    "--noAssert",
    "-O3",
    "--initialMemory",
    "1",
  ],
  { stdout: process.stdout, stderr: process.stderr, baseDir: root },
);
if (error) {
  console.error(`WASM build failed: ${error.message}`);
  process.exit(1);
}
await rename(`${root}/dist/pearl-engine.${process.pid}.tmp.wasm`, `${root}/dist/pearl-engine.wasm`);
