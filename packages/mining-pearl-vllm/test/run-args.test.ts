import { describe, expect, it } from "vitest";
import { buildRunArgs, DEFAULT_IMAGE_TAG } from "../src/index.js";
import { makeConfig, PASSWORD, WALLET } from "./helpers.js";

const HF_TOKEN = "hf_tokenVALUE123456";
const base = {
  image: DEFAULT_IMAGE_TAG,
  hfCacheDir: "/home/ada/.cache/huggingface",
  secrets: { pearldRpcPassword: PASSWORD, hfToken: HF_TOKEN },
};

function expectNoSecrets(argv: string[]) {
  const joined = argv.join("\u0000");
  expect(joined).not.toContain(PASSWORD);
  expect(joined).not.toContain(HF_TOKEN);
}

describe("buildRunArgs", () => {
  it("pins the default docker run command", () => {
    const ojDefaults = makeConfig(
      {},
      { submitTarget: { kind: "solo", pearldRpcUrl: "http://localhost:44107" } },
    );
    const args = buildRunArgs(ojDefaults, base);
    expect(args.argv).toEqual([
      "run",
      "--detach",
      "--pull",
      "never",
      "--name",
      "openjarvis-pearl-miner",
      "--label",
      "org.openjarvis.mining.managed=true",
      "--label",
      "org.openjarvis.mining.provider=vllm-pearl",
      "--label",
      "org.openjarvis.mining.model=pearl-ai/Llama-3.3-70B-Instruct-pearl",
      "--restart",
      "unless-stopped",
      "--network",
      "host",
      "--shm-size",
      "8g",
      "--gpus",
      "all",
      "-v",
      "/home/ada/.cache/huggingface:/root/.cache/huggingface",
      "-e",
      "PEARLD_RPC_URL=http://localhost:44107",
      "-e",
      "PEARLD_RPC_USER=rpcuser",
      "-e",
      "PEARLD_RPC_PASSWORD",
      "-e",
      `PEARLD_MINING_ADDRESS=${WALLET}`,
      "-e",
      "HF_TOKEN",
      DEFAULT_IMAGE_TAG,
      "pearl-ai/Llama-3.3-70B-Instruct-pearl",
      "--host",
      "127.0.0.1",
      "--port",
      "8000",
      "--gpu-memory-utilization",
      "0.96",
      "--enforce-eager",
      "--max-model-len",
      "8192",
    ]);
    expect(args.env).toEqual({ PEARLD_RPC_PASSWORD: PASSWORD, HF_TOKEN });
    expect(args.vllmEndpoint).toBe("http://127.0.0.1:8000/v1");
    expect(args.model).toBe("pearl-ai/Llama-3.3-70B-Instruct-pearl");
    expectNoSecrets(args.argv);
    expect(args.argv.some((a) => a.includes("MINER_RPC"))).toBe(false);
  });

  it("pins the GPU-subset command with the container-local CUDA_VISIBLE_DEVICES remap", () => {
    const config = makeConfig({
      cuda_visible_devices: "2, 5",
      vllm_port: 8100,
      vllm_host: "0.0.0.0",
      pearld_rpc_url: "http://10.0.0.5:44109",
      pearld_rpc_user: "miner",
      gpu_memory_utilization: 0.9,
      max_model_len: 4096,
      local_model_path: "/srv/models/llama-pearl",
      vllm_args: "--tensor-parallel-size 2 --served-model-name 'my model'",
    });
    const args = buildRunArgs(config, { ...base, secrets: { pearldRpcPassword: PASSWORD } });
    const i = args.argv.indexOf("--gpus");
    expect(args.argv.slice(i, i + 6)).toEqual([
      "--gpus",
      '"device=2,5"',
      "-e",
      "CUDA_VISIBLE_DEVICES=0,1",
      "-e",
      "NVIDIA_VISIBLE_DEVICES=2,5",
    ]);
    expect(args.argv).toContain("/srv/models/llama-pearl:/models/openjarvis-local-pearl-model:ro");
    const image = args.argv.indexOf(DEFAULT_IMAGE_TAG);
    expect(args.argv.slice(image)).toEqual([
      DEFAULT_IMAGE_TAG,
      "/models/openjarvis-local-pearl-model",
      "--host",
      "0.0.0.0",
      "--port",
      "8100",
      "--gpu-memory-utilization",
      "0.9",
      "--enforce-eager",
      "--max-model-len",
      "4096",
      "--served-model-name",
      "pearl-ai/Llama-3.3-70B-Instruct-pearl",
      "--tensor-parallel-size",
      "2",
      "--served-model-name",
      "my model",
    ]);
    expect(args.argv).toContain("PEARLD_RPC_URL=http://10.0.0.5:44109");
    expect(args.argv).toContain("PEARLD_RPC_USER=miner");
    // No HF token configured: neither the flag nor a value.
    expect(args.argv).not.toContain("HF_TOKEN");
    expect(args.env).toEqual({ PEARLD_RPC_PASSWORD: PASSWORD });
    // Bound to all interfaces inside, but the host reaches it on loopback.
    expect(args.vllmEndpoint).toBe("http://127.0.0.1:8100/v1");
    expectNoSecrets(args.argv);
  });

  it("takes the solo target's pearld URL and can leave GPUs out for GPU-less engines", () => {
    const config = makeConfig(
      {},
      { submitTarget: { kind: "solo", pearldRpcUrl: "http://127.0.0.1:18334" } },
    );
    const args = buildRunArgs(config, {
      ...base,
      gpus: false,
      containerName: "x",
      labels: { a: "b" },
    });
    expect(args.argv).not.toContain("--gpus");
    expect(args.argv).toContain("PEARLD_RPC_URL=http://127.0.0.1:18334");
    expect(args.argv).toContain("a=b");
    expect(args.argv.slice(4, 6)).toEqual(["--name", "x"]);
  });

  it("refuses --host/--port inside vllm_args and a bad GPU list", () => {
    expect(() => buildRunArgs(makeConfig({ vllm_args: ["--port", "9000"] }), base)).toThrow(
      expect.objectContaining({
        code: "E_CONFIG_INVALID",
        message: expect.stringContaining("vllm_args"),
      }),
    );
    expect(() => buildRunArgs(makeConfig({ cuda_visible_devices: "0,0" }), base)).toThrow(
      expect.objectContaining({
        code: "E_CONFIG_INVALID",
        message: expect.stringContaining("cuda_visible_devices"),
      }),
    );
    expect(() => buildRunArgs(makeConfig({ vllm_port: 70000 }), base)).toThrow(
      expect.objectContaining({
        code: "E_CONFIG_INVALID",
        details: { key: "mining.extra.vllm_port", value: 70000 },
      }),
    );
    expect(() => buildRunArgs(makeConfig({}, { walletAddress: "" }), base)).toThrow(
      expect.objectContaining({ code: "E_WALLET_INVALID" }),
    );
  });
});
