import { isAbsolute, resolve } from "node:path";
import { ErrorCodes, type MiningConfig, MiningError } from "@openjarvis/mining-core";
import {
  CONTAINER_HF_CACHE,
  CONTAINER_LOCAL_MODEL,
  CONTAINER_NAME,
  LABEL_MANAGED,
  LABEL_MODEL,
  LABEL_PROVIDER,
  PROVIDER_ID,
} from "./constants.js";
import type { RunSpec } from "./engine/types.js";
import { resolveSettings, type VllmSettings } from "./settings.js";

export interface RunArgsOptions {
  /** The resolved image reference. */
  image: string;
  /** Host Hugging Face cache directory (mounted read-write). */
  hfCacheDir: string;
  /** Secret values. They reach only the docker CLI's environment, never its argv. */
  secrets: { pearldRpcPassword: string; hfToken?: string | undefined };
  containerName?: string;
  /** Added to our own labels (e.g. a test run id). */
  labels?: Record<string, string>;
  /** Request GPUs (`--gpus`). Only an engine without GPUs (tests on Podman) turns this off. */
  gpus?: boolean;
}

export interface RunArgs extends RunSpec {
  containerName: string;
  /** Where vLLM will answer, as the host sees it (OpenAI base URL with `/v1`). */
  vllmEndpoint: string;
  /** The served model name. */
  model: string;
}

/**
 * The exact `docker run` command for the miner (GATEWAY-AND-NODE.md §6.4 and §8.3), as a pure
 * function so tests can pin it. Secrets appear as bare `-e NAME` in `argv`; their values are in
 * `env`, for the docker CLI process only. `MINER_RPC_*` is never set: the vLLM-side miner
 * hard-codes the gateway socket `/tmp/pearlgw.sock`.
 */
export function buildRunArgs(
  config: MiningConfig | VllmSettings,
  options: RunArgsOptions,
): RunArgs {
  const s = "extra" in config ? resolveSettings(config) : config;
  if (!s.walletAddress) {
    throw new MiningError(ErrorCodes.WALLET_INVALID, "wallet_address is empty", {
      hint: "set wallet_address under [mining] to your Taproot address (prl1p…)",
      details: { key: "mining.wallet_address" },
    });
  }
  const name = options.containerName ?? CONTAINER_NAME;
  const argv = ["run", "--detach", "--pull", "never", "--name", name];
  const labels = {
    [LABEL_MANAGED]: "true",
    [LABEL_PROVIDER]: PROVIDER_ID,
    [LABEL_MODEL]: s.model,
    ...options.labels,
  };
  for (const [key, value] of Object.entries(labels)) argv.push("--label", `${key}=${value}`);
  argv.push("--restart", "unless-stopped", "--network", "host", "--shm-size", "8g");

  if (options.gpus !== false) {
    if (s.cudaVisibleDevices.length === 0) {
      argv.push("--gpus", "all");
    } else {
      // Docker renumbers the exposed GPUs from 0, so CUDA inside sees 0..N-1.
      const hostIds = s.cudaVisibleDevices.join(",");
      const local = s.cudaVisibleDevices.map((_, i) => String(i)).join(",");
      argv.push(
        "--gpus",
        `"device=${hostIds}"`,
        "-e",
        `CUDA_VISIBLE_DEVICES=${local}`,
        "-e",
        `NVIDIA_VISIBLE_DEVICES=${hostIds}`,
      );
    }
  }

  argv.push("-v", `${options.hfCacheDir}:${CONTAINER_HF_CACHE}`);
  if (s.localModelPath) {
    const hostPath = isAbsolute(s.localModelPath) ? s.localModelPath : resolve(s.localModelPath);
    argv.push("-v", `${hostPath}:${CONTAINER_LOCAL_MODEL}:ro`);
  }

  const env: Record<string, string> = { PEARLD_RPC_PASSWORD: options.secrets.pearldRpcPassword };
  argv.push(
    "-e",
    `PEARLD_RPC_URL=${s.pearldRpcUrl}`,
    "-e",
    `PEARLD_RPC_USER=${s.pearldRpcUser}`,
    "-e",
    "PEARLD_RPC_PASSWORD",
    "-e",
    `PEARLD_MINING_ADDRESS=${s.walletAddress}`,
  );
  if (options.secrets.hfToken) {
    env.HF_TOKEN = options.secrets.hfToken;
    argv.push("-e", "HF_TOKEN");
  }

  argv.push(
    options.image,
    s.localModelPath ? CONTAINER_LOCAL_MODEL : s.model,
    "--host",
    s.vllmHost,
    "--port",
    String(s.vllmPort),
    "--gpu-memory-utilization",
    String(s.gpuMemoryUtilization),
    "--enforce-eager",
    "--max-model-len",
    String(s.maxModelLen),
  );
  if (s.localModelPath) argv.push("--served-model-name", s.model);
  argv.push(...s.vllmArgs);

  const host = s.vllmHost === "0.0.0.0" || s.vllmHost === "::" ? "127.0.0.1" : s.vllmHost;
  const hostInUrl = host.includes(":") ? `[${host}]` : host;
  return {
    argv,
    env,
    containerName: name,
    vllmEndpoint: `http://${hostInUrl}:${s.vllmPort}/v1`,
    model: s.model,
  };
}
