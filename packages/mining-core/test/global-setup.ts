import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";

/**
 * Child processes in the tests (lock races, detached children) run plain Node, which cannot load
 * TypeScript: bundle the current source into one self-contained ESM file for them.
 */
export default async function setup(): Promise<() => void> {
  const outDir = mkdtempSync(path.join(tmpdir(), "mining-core-child-"));
  await build({
    config: false,
    entry: { index: fileURLToPath(new URL("../src/index.ts", import.meta.url)) },
    format: ["esm"],
    platform: "node",
    target: "node20",
    outDir,
    dts: false,
    silent: true,
    noExternal: [/./],
  });
  process.env.MINING_CORE_CHILD_ENTRY = path.join(outDir, "index.js");
  return () => rmSync(outDir, { recursive: true, force: true });
}
