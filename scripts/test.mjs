#!/usr/bin/env node
// The one test command (README and .ci/run): build, start the container engine the vLLM tests
// need, run every vitest project, and print the totals as one line `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
const run = (command, args, extraEnv = {}) =>
  spawnSync(command, args, { stdio: "inherit", env: { ...env, ...extraEnv } }).status ?? 1;

if (run("pnpm", ["turbo", "run", "build", "--output-logs=errors-only"]) !== 0) process.exit(1);

// A real Docker-API engine (Podman) for the vllm-pearl tests; the script is idempotent.
const engine = spawnSync("bash", [".ci/container-engine.sh", "up"], {
  stdio: ["ignore", "pipe", "inherit"],
  env,
});
const dockerHost = /^DOCKER_HOST=(.+)$/m.exec(engine.stdout?.toString() ?? "")?.[1];
if (engine.status !== 0 || !dockerHost) {
  console.error("test: could not start the container engine; see the messages above");
  process.exit(1);
}

const results = ".vitest-results.json";
rmSync(results, { force: true });
const status = run(
  "pnpm",
  [
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${results}`,
    ...process.argv.slice(2),
  ],
  { DOCKER_HOST: dockerHost },
);
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
process.exit(status);
