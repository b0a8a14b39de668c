/**
 * Missing and broken first-party packages. Its own file: vitest caches modules by specifier
 * within a file, and these tests make "@openjarvis/mining-pearl-cpu" resolve to a fake.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Importer, loadFirstParty } from "../src/providers.js";
import { tempDir } from "./helpers.js";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

/** An importer that resolves from `from`, so Node's own resolution decides what is missing. */
function importerFrom(from: string): Importer {
  const loader = join(from, "loader.mjs");
  writeFileSync(loader, "export default (specifier) => import(specifier);\n");
  return async (specifier) => {
    const { default: load } = (await import(pathToFileURL(loader).href)) as { default: Importer };
    return load(specifier);
  };
}

describe("first-party providers that cannot load", () => {
  it("reports a missing package as not installed, with the exact install command", async () => {
    const entry = await loadFirstParty("vllm-pearl", importerFrom(dir.path));
    expect(entry.status).toBe("not-installed");
    expect(entry.error?.code).toBe("E_PROVIDER_NOT_INSTALLED");
    expect(entry.error?.hint).toBe("install it: npm i -g @openjarvis/mining-pearl-vllm");
  });

  it("treats a missing dependency *of* the provider as broken, not as not installed", async () => {
    const pkg = join(dir.path, "node_modules", "@openjarvis", "mining-pearl-cpu");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, "package.json"),
      JSON.stringify({
        name: "@openjarvis/mining-pearl-cpu",
        type: "module",
        exports: "./index.js",
      }),
    );
    writeFileSync(
      join(pkg, "index.js"),
      'import "left-pad-that-is-not-here";\nexport default {};\n',
    );
    const entry = await loadFirstParty("cpu-pearl", importerFrom(dir.path));
    expect(entry.status).toBe("broken");
    expect(entry.error?.message).toContain("left-pad-that-is-not-here");
  });
});
