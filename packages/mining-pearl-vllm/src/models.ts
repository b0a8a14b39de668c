/** The Pearl model registry: the `pearl-ai/*` checkpoints and whether they are cleared to mine. */

export type PearlModelStatus = "validated" | "planned";

export interface PearlModelSpec {
  modelId: string;
  baseModelId: string;
  status: PearlModelStatus;
  provider: "vllm-pearl";
  /** Per-GPU memory class in GB (an 80 GB H100 reports about 79.6 GiB and still qualifies). */
  minVramGb: number;
  defaultMaxModelLen: number;
  defaultGpuMemoryUtilization: number;
  notes: string;
}

const PLANNED_NOTE =
  "Public Pearl org artifact; needs H100/H200 validation before mining is enabled.";

/** In display order. */
export const PEARL_MODELS: readonly PearlModelSpec[] = Object.freeze([
  {
    modelId: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
    baseModelId: "meta-llama/Llama-3.3-70B-Instruct",
    status: "validated",
    provider: "vllm-pearl",
    minVramGb: 70,
    defaultMaxModelLen: 8192,
    defaultGpuMemoryUtilization: 0.96,
    notes: "Default Pearl-blessed vLLM mining model.",
  },
  {
    modelId: "pearl-ai/Gemma-4-31B-it-pearl",
    baseModelId: "google/gemma-4-31B-it",
    status: "planned",
    provider: "vllm-pearl",
    minVramGb: 80,
    defaultMaxModelLen: 8192,
    defaultGpuMemoryUtilization: 0.96,
    notes: PLANNED_NOTE,
  },
  {
    modelId: "pearl-ai/Llama-3.1-8B-Instruct-pearl",
    baseModelId: "meta-llama/Llama-3.1-8B-Instruct",
    status: "planned",
    provider: "vllm-pearl",
    minVramGb: 24,
    defaultMaxModelLen: 8192,
    defaultGpuMemoryUtilization: 0.96,
    notes: PLANNED_NOTE,
  },
] satisfies PearlModelSpec[]);

/** Every registry entry, in display order (what `jarvis mine models` prints). */
export function listModels(): PearlModelSpec[] {
  return PEARL_MODELS.map((m) => ({ ...m }));
}

/** Looks a model up by its Pearl id or by its base id. */
export function findModel(id: string): PearlModelSpec | undefined {
  return PEARL_MODELS.find((m) => m.modelId === id || m.baseModelId === id);
}

/** The Pearl checkpoint for a raw base model id, if there is one. */
export function pearlVariantFor(baseModelId: string): string | undefined {
  return PEARL_MODELS.find((m) => m.baseModelId === baseModelId)?.modelId;
}

export interface RegistryCheck {
  ok: boolean;
  info: string;
}

/** The "Model registry" row shared by doctor, validate-model and inspect-model. */
export function registryCheck(model: string, allowPlanned = false): RegistryCheck {
  const spec = findModel(model);
  if (!spec) return { ok: false, info: "unknown (not in the Pearl model registry)" };
  if (spec.modelId !== model)
    return { ok: false, info: `raw model; planned Pearl variant ${spec.modelId}` };
  if (spec.status === "validated") return { ok: true, info: `validated: ${spec.modelId}` };
  return { ok: allowPlanned, info: `${spec.status}: ${spec.modelId}` };
}
