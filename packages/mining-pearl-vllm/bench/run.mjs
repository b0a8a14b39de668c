#!/usr/bin/env node
// What the provider costs on a real engine (Podman from .ci/container-engine.sh, or DOCKER_HOST):
// one docker CLI round trip, a full start → ready → stop of the busybox stand-in image, and a
// `stats` call. Medians of a few runs; the shared CI machine makes these noisy.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { miningPaths } from "@openjarvis/mining-core";
import { encodeTaprootAddress } from "@openjarvis/pearl";
import { createVllmPearlProvider, DockerCliEngine } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const host =
  process.env.DOCKER_HOST ??
  /^DOCKER_HOST=(.+)$/m.exec(
    execFileSync("bash", [join(here, "../../../.ci/container-engine.sh"), "up"], {
      encoding: "utf8",
    }),
  )?.[1];
const env = { ...process.env, DOCKER_HOST: host };
const engine = new DockerCliEngine({ env });

const fixture = join(here, "../test/fixtures/fake-vllm");
const context = mkdtempSync(join(tmpdir(), "oj-bench-image-"));
for (const name of readdirSync(fixture)) copyFileSync(join(fixture, name), join(context, name));
copyFileSync("/bin/busybox", join(context, "busybox"));
const image = "localhost/openjarvis-bench/fake-vllm:1";
await engine.build({ contextDir: context, dockerfile: "Dockerfile", tag: image });
rmSync(context, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(label, runs, fn) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  console.log(`${label.padEnd(34)} median ${median(ms).toFixed(0).padStart(6)} ms  (${runs} runs)`);
}
const port = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

await time("docker CLI round trip (inspect)", 10, () => engine.inspect("openjarvis-bench-absent"));

const home = mkdtempSync(join(tmpdir(), "oj-bench-home-"));
const ctx = {
  env: {
    ...env,
    OPENJARVIS_HOME: home,
    HF_HOME: join(home, "hf"),
    PEARLD_RPC_PASSWORD: "bench-password",
  },
  paths: miningPaths({ OPENJARVIS_HOME: home }),
};
const provider = createVllmPearlProvider({
  containerName: "openjarvis-bench-miner",
  requestGpus: false,
  readyPollMs: 100,
  stopTimeoutSeconds: 5,
});
const config = async () => ({
  provider: "vllm-pearl",
  walletAddress: encodeTaprootAddress("regtest", new Uint8Array(32).fill(1)),
  submitTarget: { kind: "solo", pearldRpcUrl: "http://127.0.0.1:18334" },
  feeBps: 0,
  feePayoutAddress: null,
  extra: { docker_image_tag: image, vllm_port: await port() },
  providers: [],
});
try {
  await time("start → ready (fake vLLM)", 3, async () => {
    await provider.start(await config(), ctx);
    await provider.stop(ctx);
  });
  await provider.start(await config(), ctx);
  await time("stats (inspect + log + /metrics)", 5, () => provider.stats(ctx));
  await time("stop (docker stop + rm)", 1, () => provider.stop(ctx));
} finally {
  await provider.stop(ctx);
  rmSync(home, { recursive: true, force: true });
  await engine.remove("openjarvis-bench-miner");
}
