import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "engine-worker": "src/engine/worker.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  sourcemap: true,
  target: "node20",
  // The WebAssembly engine is compiled from assembly/ into dist/ after every bundle (tsup cleans dist/).
  onSuccess: "node ./scripts/build-wasm.mjs",
});
