// Compiles assembly/engine.ts to dist/pearl-engine.wasm (run after tsup, which cleans dist/).
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = fileURLToPath(new URL("..", import.meta.url));
await mkdir(`${root}/dist`, { recursive: true });
const { error, stderr } = await asc.main(
  [
    "assembly/engine.ts",
    "--outFile",
    "dist/pearl-engine.wasm",
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
void stderr;
