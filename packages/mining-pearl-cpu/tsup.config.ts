import { defineConfig } from "tsup";

export default defineConfig({
  // The supervisor is its own entry: `start` runs it as a detached `node dist/supervisor.js`.
  entry: ["src/index.ts", "src/supervisor.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  sourcemap: true,
  target: "node20",
});
