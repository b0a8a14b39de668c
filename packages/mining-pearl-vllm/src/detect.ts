import type {
  GpuInfo,
  HardwareInfo,
  MiningCapabilities,
  MiningConfig,
} from "@openjarvis/mining-core";
import { findModel, pearlVariantFor } from "./models.js";
import { resolveSettings } from "./settings.js";

export interface DetectOptions {
  /** Host GPU ids or UUIDs from `[mining.extra].cuda_visible_devices`; empty = all GPUs. */
  cudaVisibleDevices?: readonly string[];
  /** vLLM `--tensor-parallel-size`: the model's memory is then spread over that many GPUs. */
  tensorParallelSize?: number;
}

/** VRAM "class": an 80 GB H100 reports about 79.6 GiB and must count as 80. */
function vramClass(gb: number): number {
  return Math.round(gb);
}

function selectGpus(
  gpus: readonly GpuInfo[],
  ids: readonly string[],
): { selected: GpuInfo[]; missing?: string } {
  if (ids.length === 0) return { selected: [...gpus] };
  const selected: GpuInfo[] = [];
  for (const id of ids) {
    const gpu = /^\d+$/.test(id)
      ? gpus.find((g) => g.index === Number(id))
      : gpus.find((g) => g.uuid !== undefined && g.uuid === id);
    if (!gpu) return { selected, missing: id };
    selected.push(gpu);
  }
  return { selected };
}

/**
 * Can this machine mine with Pearl's vLLM miner? OpenJarvis' decision order and reasons
 * (OPENJARVIS-MINING.md §4.1.1), improved: every GPU that `cuda_visible_devices` selects is
 * checked (not only the first), VRAM compares by class, and the model rules come from the
 * registry. Pure: no subprocess, network or file access.
 */
export function detectVllmPearl(
  hardware: HardwareInfo,
  engineId: string,
  model: string,
  options: DetectOptions = {},
): MiningCapabilities {
  const no = (reason: string): MiningCapabilities => ({ supported: false, reason });
  if (engineId !== "vllm") return no(`engine '${engineId}' has no Pearl plugin in v1; use vllm`);
  if (hardware.gpus.length === 0) return no("no GPU detected");

  const { selected, missing } = selectGpus(hardware.gpus, options.cudaVisibleDevices ?? []);
  if (missing !== undefined) {
    const present = hardware.gpus.map((g) => g.index).join(", ");
    return no(
      `cuda_visible_devices selects GPU '${missing}', which is not present (GPUs found: ${present})`,
    );
  }
  for (const gpu of selected) {
    if (gpu.vendor !== "nvidia") {
      return no(
        `vllm-pearl requires NVIDIA Hopper; detected '${gpu.vendor}'. Apple Silicon support tracked in Spec B.`,
      );
    }
  }
  for (const gpu of selected) {
    if (!gpu.computeCapability.startsWith("9.0")) {
      const cc = gpu.computeCapability || "unknown (driver too old to report it)";
      return no(
        `needs compute_capability 9.0 (sm_90a / H100/H200); detected '${cc}' (${gpu.name})`,
      );
    }
  }

  const spec = findModel(model);
  const required = spec?.minVramGb ?? 70;
  // vLLM puts the whole model on its first visible GPU unless tensor parallelism spreads it.
  const tp = Math.max(1, Math.floor(options.tensorParallelSize ?? 1));
  const used = selected.slice(0, tp);
  const available = tp > 1 ? used.reduce((sum, g) => sum + g.vramGb, 0) : (used[0]?.vramGb ?? 0);
  if (used.length < tp) {
    return no(`--tensor-parallel-size ${tp} needs ${tp} GPUs; ${used.length} selected`);
  }
  if (vramClass(available) < required) {
    return no(
      `needs ≥${required.toFixed(0)} GB VRAM for ${model}; detected ${available.toFixed(0)} GB`,
    );
  }

  const variant = pearlVariantFor(model);
  if (variant)
    return no(`model '${model}' is a raw base model; planned Pearl variant is '${variant}'`);
  if (!spec) return no(`model '${model}' is not in OpenJarvis' Pearl model registry`);
  if (spec.status !== "validated") {
    return no(
      `model '${model}' is ${spec.status}; it needs Pearl quantization and H100/H200 validation before mining is enabled`,
    );
  }
  return { supported: true, estimatedHashrate: null };
}

/** `--tensor-parallel-size N` / `-tp N` / `--tensor-parallel-size=N` from vLLM args. */
export function tensorParallelSizeOf(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const inline = /^--tensor-parallel-size=(\d+)$/.exec(arg);
    if (inline) return Number(inline[1]);
    if ((arg === "--tensor-parallel-size" || arg === "-tp") && /^\d+$/.test(args[i + 1] ?? "")) {
      return Number(args[i + 1]);
    }
  }
  return 1;
}

/**
 * `detect` for a whole config: the configured model, the GPUs `cuda_visible_devices` selects
 * and the tensor-parallel size in `vllm_args`. Throws E_CONFIG_INVALID for a bad config.
 */
export function detectForConfig(hardware: HardwareInfo, config: MiningConfig): MiningCapabilities {
  const s = resolveSettings(config);
  return detectVllmPearl(hardware, "vllm", s.model, {
    cudaVisibleDevices: s.cudaVisibleDevices,
    tensorParallelSize: tensorParallelSizeOf(s.vllmArgs),
  });
}
