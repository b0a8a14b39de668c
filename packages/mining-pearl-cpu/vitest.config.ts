import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "mining-pearl-cpu",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The end-to-end files each run a mining supervisor; on a 2-core machine they go one by one.
    fileParallelism: false,
  },
});
