import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

export default defineProject({
  resolve: {
    // The example provider imports the package by name; test it against this source tree.
    alias: { "@openjarvis/mining-core": fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  },
  test: {
    name: "mining-core",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
