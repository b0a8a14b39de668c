import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "engine-worker": "src/engine/worker.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  // No clean: every output is overwritten anyway, and deleting dist/ would break workers and tests
  // of other packages that use this one while it rebuilds.
  clean: false,
  sourcemap: true,
  splitting: false,
  target: "node20",
  // The WebAssembly engine is compiled from assembly/ into dist/ after every bundle.
  onSuccess: "node ./scripts/build-wasm.mjs",
});
