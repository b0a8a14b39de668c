import { describe, expect, it } from "vitest";
import {
  detectForConfig,
  detectVllmPearl,
  findModel,
  listModels,
  PEARL_MODELS,
  pearlVariantFor,
  registryCheck,
  tensorParallelSizeOf,
  vllmPearlProvider,
} from "../src/index.js";
import { gpu, hardware, makeConfig } from "./helpers.js";

const LLAMA70 = "pearl-ai/Llama-3.3-70B-Instruct-pearl";
const GEMMA = "pearl-ai/Gemma-4-31B-it-pearl";

describe("detect (OpenJarvis order and reasons, improved)", () => {
  it("supports an H100 with the validated default model", () => {
    expect(vllmPearlProvider.detect(hardware([gpu(0)]), "vllm", LLAMA70)).toEqual({
      supported: true,
      estimatedHashrate: null,
    });
  });

  it("follows the decision order", () => {
    const h100 = hardware([gpu(0)]);
    expect(detectVllmPearl(h100, "ollama", LLAMA70).reason).toBe(
      "engine 'ollama' has no Pearl plugin in v1; use vllm",
    );
    expect(detectVllmPearl(hardware([]), "vllm", LLAMA70).reason).toBe("no GPU detected");
    expect(
      detectVllmPearl(hardware([gpu(0, { vendor: "amd", name: "MI300X" })]), "vllm", LLAMA70)
        .reason,
    ).toBe(
      "vllm-pearl requires NVIDIA Hopper; detected 'amd'. Apple Silicon support tracked in Spec B.",
    );
    expect(
      detectVllmPearl(
        hardware([
          gpu(0, { name: "NVIDIA GeForce RTX 4090", computeCapability: "8.9", vramGb: 23.6 }),
        ]),
        "vllm",
        LLAMA70,
      ).reason,
    ).toBe(
      "needs compute_capability 9.0 (sm_90a / H100/H200); detected '8.9' (NVIDIA GeForce RTX 4090)",
    );
    expect(detectVllmPearl(hardware([gpu(0, { vramGb: 47.5 })]), "vllm", LLAMA70).reason).toBe(
      `needs ≥70 GB VRAM for ${LLAMA70}; detected 48 GB`,
    );
    expect(detectVllmPearl(h100, "vllm", "meta-llama/Llama-3.3-70B-Instruct").reason).toBe(
      `model 'meta-llama/Llama-3.3-70B-Instruct' is a raw base model; planned Pearl variant is '${LLAMA70}'`,
    );
    expect(detectVllmPearl(h100, "vllm", "someone/other").reason).toBe(
      "model 'someone/other' is not in OpenJarvis' Pearl model registry",
    );
    expect(detectVllmPearl(h100, "vllm", GEMMA).reason).toBe(
      `model '${GEMMA}' is planned; it needs Pearl quantization and H100/H200 validation before mining is enabled`,
    );
  });

  it("counts a 79.6 GiB H100 as 80 GB class (Gemma needs 80)", () => {
    // Reaching the 'planned' reason means the VRAM check passed.
    expect(detectVllmPearl(hardware([gpu(0, { vramGb: 79.6 })]), "vllm", GEMMA).reason).toMatch(
      /is planned/,
    );
    expect(detectVllmPearl(hardware([gpu(0, { vramGb: 78.2 })]), "vllm", GEMMA).reason).toMatch(
      /needs ≥80 GB VRAM/,
    );
  });

  it("checks the GPUs cuda_visible_devices selects, not only the first", () => {
    const mixed = hardware([
      gpu(0, { name: "NVIDIA GeForce RTX 4090", computeCapability: "8.9", vramGb: 24 }),
      gpu(1),
    ]);
    expect(detectVllmPearl(mixed, "vllm", LLAMA70).reason).toMatch(/detected '8.9'/);
    expect(detectVllmPearl(mixed, "vllm", LLAMA70, { cudaVisibleDevices: ["1"] }).supported).toBe(
      true,
    );
    expect(
      detectVllmPearl(mixed, "vllm", LLAMA70, {
        cudaVisibleDevices: ["GPU-00000001-aaaa-bbbb-cccc-000000000000"],
      }).supported,
    ).toBe(true);
    expect(
      detectVllmPearl(mixed, "vllm", LLAMA70, { cudaVisibleDevices: ["1", "0"] }).reason,
    ).toMatch(/RTX 4090/);
    expect(detectVllmPearl(mixed, "vllm", LLAMA70, { cudaVisibleDevices: ["3"] }).reason).toBe(
      "cuda_visible_devices selects GPU '3', which is not present (GPUs found: 0, 1)",
    );
    expect(
      detectVllmPearl(hardware([gpu(0, { computeCapability: "" })]), "vllm", LLAMA70).reason,
    ).toMatch(/unknown \(driver too old/);
  });

  it("reads the selection, model and tensor parallelism from a config", () => {
    const hw = hardware([
      gpu(0, { computeCapability: "8.9", name: "L40S", vramGb: 44.5 }),
      gpu(1),
      gpu(2),
    ]);
    expect(detectForConfig(hw, makeConfig()).supported).toBe(false);
    expect(detectForConfig(hw, makeConfig({ cuda_visible_devices: "1,2" })).supported).toBe(true);
    expect(
      detectForConfig(hw, makeConfig({ cuda_visible_devices: "1", vllm_args: "-tp 2" })).reason,
    ).toMatch(/needs 2 GPUs/);
    expect(() => detectForConfig(hw, makeConfig({ cuda_visible_devices: "one" }))).toThrow(
      expect.objectContaining({ code: "E_CONFIG_INVALID" }),
    );
  });

  it("the provider's detect uses the config when given one, and never throws", () => {
    const hw = hardware([gpu(0, { computeCapability: "8.9", name: "L40S", vramGb: 44.5 }), gpu(1)]);
    const detect = vllmPearlProvider.detect;
    expect(detect(hw, "vllm", LLAMA70).supported).toBe(false);
    expect(detect(hw, "vllm", LLAMA70, makeConfig({ cuda_visible_devices: "1" })).supported).toBe(
      true,
    );
    const bad = detect(hw, "vllm", LLAMA70, makeConfig({ cuda_visible_devices: "one" }));
    expect(bad.supported).toBe(false);
    expect(bad.reason).toContain("cuda_visible_devices");
  });

  it("spreads the VRAM need over tensor-parallel GPUs", () => {
    const two = hardware([
      gpu(0, { vramGb: 47.5, computeCapability: "9.0" }),
      gpu(1, { vramGb: 47.5 }),
    ]);
    expect(detectVllmPearl(two, "vllm", LLAMA70).supported).toBe(false);
    expect(detectVllmPearl(two, "vllm", LLAMA70, { tensorParallelSize: 2 }).supported).toBe(true);
    expect(
      detectVllmPearl(hardware([gpu(0)]), "vllm", LLAMA70, { tensorParallelSize: 2 }).reason,
    ).toMatch(/needs 2 GPUs/);
    expect(tensorParallelSizeOf(["--enforce-eager", "--tensor-parallel-size", "4"])).toBe(4);
    expect(tensorParallelSizeOf(["--tensor-parallel-size=2"])).toBe(2);
    expect(tensorParallelSizeOf([])).toBe(1);
  });
});

describe("model registry", () => {
  it("lists the three pearl-ai models in display order", () => {
    expect(listModels().map((m) => [m.modelId, m.status, m.minVramGb])).toEqual([
      [LLAMA70, "validated", 70],
      [GEMMA, "planned", 80],
      ["pearl-ai/Llama-3.1-8B-Instruct-pearl", "planned", 24],
    ]);
    expect(Object.isFrozen(PEARL_MODELS)).toBe(true);
    expect(findModel("google/gemma-4-31B-it")?.modelId).toBe(GEMMA);
    expect(pearlVariantFor("meta-llama/Llama-3.1-8B-Instruct")).toBe(
      "pearl-ai/Llama-3.1-8B-Instruct-pearl",
    );
    expect(pearlVariantFor(LLAMA70)).toBeUndefined();
  });

  it("gives the registry row doctor/validate/inspect share", () => {
    expect(registryCheck(LLAMA70)).toEqual({ ok: true, info: `validated: ${LLAMA70}` });
    expect(registryCheck(GEMMA)).toEqual({ ok: false, info: `planned: ${GEMMA}` });
    expect(registryCheck(GEMMA, true).ok).toBe(true);
    expect(registryCheck("meta-llama/Llama-3.3-70B-Instruct").info).toBe(
      `raw model; planned Pearl variant ${LLAMA70}`,
    );
    expect(registryCheck("x/y").ok).toBe(false);
  });
});
