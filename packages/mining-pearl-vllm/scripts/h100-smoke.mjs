#!/usr/bin/env node
// End-to-end check of vllm-pearl on a real GPU host. Not part of the test suite: it needs an
// NVIDIA Hopper GPU, Docker with the NVIDIA Container Toolkit, network access to GitHub and
// Hugging Face (the first run builds the image and downloads the model: an hour or more) and a
// reachable pearld. It uses a throw-away OPENJARVIS_HOME and stops the miner at the end.
//
//   pnpm --filter @openjarvis/mining-pearl-vllm build
//   PEARLD_RPC_PASSWORD=… node packages/mining-pearl-vllm/scripts/h100-smoke.mjs \
//     <prl1p… wallet> [pearld URL, default http://localhost:44107] [cuda_visible_devices, e.g. "1"]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectHardware, miningPaths, parseSubmitTarget } from "@openjarvis/mining-core";
import {
  createVllmPearlProvider,
  detectForConfig,
  doctorChecks,
  validateModel,
} from "../dist/index.js";

const [wallet, pearldUrl = "http://localhost:44107", gpus = ""] = process.argv.slice(2);
if (!wallet) {
  console.error("usage: h100-smoke.mjs <wallet> [pearld URL] [cuda_visible_devices]");
  process.exit(2);
}
const env = { ...process.env, OPENJARVIS_HOME: mkdtempSync(join(tmpdir(), "oj-h100-smoke-")) };
const extra = { pearld_rpc_url: pearldUrl, cuda_visible_devices: gpus };
const config = {
  provider: "vllm-pearl",
  walletAddress: wallet,
  submitTarget: parseSubmitTarget("solo", extra),
  feeBps: 0,
  feePayoutAddress: null,
  extra,
  providers: [],
};
const ctx = {
  env,
  paths: miningPaths(env),
  onProgress: (e) => console.error(`[${e.stage}] ${e.message}`),
};
const provider = createVllmPearlProvider();
const step = (name, value) => console.log(`\n== ${name}\n${JSON.stringify(value, null, 2)}`);

step("detect", detectForConfig(await detectHardware(), config));
step("doctor", await doctorChecks(config, ctx));
try {
  step("start", await provider.start(config, ctx));
  step("stats", await provider.stats(ctx));
  step("validate-model", await validateModel({ prompt: "Say hello." }, ctx));
  const lines = [];
  for await (const line of provider.logs(ctx, { tail: 40, stripAnsi: true })) lines.push(line);
  console.log(`\n== logs (redacted)\n${lines.join("\n")}`);
  console.log(
    "\nGPU check: docker inspect openjarvis-pearl-miner --format '{{json .HostConfig.DeviceRequests}}'; docker exec openjarvis-pearl-miner nvidia-smi -L",
  );
} catch (error) {
  console.error(
    `\nerror ${error.code}: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ""}`,
  );
  process.exitCode = 1;
} finally {
  await provider.stop(ctx);
  rmSync(env.OPENJARVIS_HOME, { recursive: true, force: true });
  console.error("[stop] miner stopped and removed");
}
