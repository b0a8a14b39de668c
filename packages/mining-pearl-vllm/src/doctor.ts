import { existsSync } from "node:fs";
import {
  freeDiskGb,
  type MiningConfig,
  type ProviderContext,
  toMiningError,
} from "@openjarvis/mining-core";
import { DEFAULT_IMAGE_TAG, MIN_FREE_DISK_GB, PEARL_PINNED_COMMIT } from "./constants.js";
import { defaultEngine, hfCacheDir } from "./context.js";
import type { ContainerEngine, EngineVersion } from "./engine/types.js";
import { registryCheck } from "./models.js";
import { resolveSettings } from "./settings.js";

/** One row of `jarvis mine doctor`. */
export interface DoctorRow {
  id: string;
  label: string;
  ok: boolean;
  /** A failing required row means mining cannot start. */
  required: boolean;
  detail: string;
  hint?: string;
}

/**
 * The vllm-pearl rows for `jarvis mine doctor`: container engine, GPU runtime, image, disk and
 * model. Never throws: every problem becomes a failing row with the next step.
 */
export async function doctorChecks(
  config: MiningConfig,
  ctx: ProviderContext & { engine?: ContainerEngine },
): Promise<DoctorRow[]> {
  let settings: ReturnType<typeof resolveSettings>;
  try {
    settings = resolveSettings(config);
  } catch (error) {
    const e = toMiningError(error);
    return [
      {
        id: "config",
        label: "vllm-pearl config",
        ok: false,
        required: true,
        detail: e.message,
        ...(e.hint ? { hint: e.hint } : {}),
      },
    ];
  }
  const engine = ctx.engine ?? defaultEngine(ctx);
  const rows: DoctorRow[] = [];

  let version: EngineVersion | null = null;
  try {
    version = await engine.version();
    rows.push({
      id: "container-engine",
      label: "Container engine",
      ok: true,
      required: true,
      detail: `${version.flavour} ${version.server} (API ${version.apiVersion})`,
    });
  } catch (error) {
    const e = toMiningError(error);
    rows.push({
      id: "container-engine",
      label: "Container engine",
      ok: false,
      required: true,
      detail: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
    });
  }

  if (version) {
    const runtimes = await engine.runtimes().catch(() => [] as string[]);
    const nvidia = runtimes.includes("nvidia");
    rows.push({
      id: "gpu-runtime",
      label: "GPU container runtime",
      ok: nvidia,
      // `--gpus` can also work through the toolkit's hook without a registered runtime.
      required: false,
      detail: nvidia
        ? "nvidia runtime registered"
        : `no nvidia runtime registered (runtimes: ${runtimes.join(", ") || "none"})`,
      ...(nvidia
        ? {}
        : {
            hint: "install the NVIDIA Container Toolkit (`sudo nvidia-ctk runtime configure --runtime=docker`), then check with `docker run --rm --gpus all ubuntu nvidia-smi`",
          }),
    });

    try {
      const present = await engine.imageExists(settings.imageTag);
      const buildable = settings.imageTag === DEFAULT_IMAGE_TAG;
      rows.push({
        id: "image",
        label: "Miner image",
        ok: present,
        required: false,
        detail: present
          ? `${settings.imageTag} present`
          : buildable
            ? `${settings.imageTag} not built yet`
            : `${settings.imageTag} not present locally`,
        ...(present
          ? {}
          : {
              hint: buildable
                ? `\`jarvis mine start\` builds it from Pearl ${PEARL_PINNED_COMMIT.slice(0, 12)} (30-60 minutes)`
                : `\`jarvis mine start\` tries \`docker pull ${settings.imageTag}\``,
            }),
      });
    } catch (error) {
      const e = toMiningError(error);
      rows.push({
        id: "image",
        label: "Miner image",
        ok: false,
        required: false,
        detail: e.message,
        ...(e.hint ? { hint: e.hint } : {}),
      });
    }
  }

  const cache = hfCacheDir(ctx.env);
  try {
    const free = await freeDiskGb(cache);
    const enough = free >= MIN_FREE_DISK_GB;
    rows.push({
      id: "disk",
      label: "Free disk (model cache)",
      ok: enough,
      required: settings.localModelPath === null,
      detail: `${Math.floor(free)} GB free at ${cache}${enough ? "" : ` (need ≥${MIN_FREE_DISK_GB} GB)`}`,
      ...(enough
        ? {}
        : {
            hint: "free space, or set HF_HOME to a larger disk (the container mounts it as its model cache)",
          }),
    });
  } catch (error) {
    rows.push({
      id: "disk",
      label: "Free disk (model cache)",
      ok: false,
      required: false,
      detail: toMiningError(error).message,
    });
  }

  const registry = registryCheck(settings.model);
  const localOk = settings.localModelPath === null || existsSync(settings.localModelPath);
  rows.push({
    id: "model",
    label: "Model",
    ok: registry.ok && localOk,
    required: true,
    detail: localOk
      ? registry.info
      : `${registry.info}; local_model_path ${settings.localModelPath} does not exist`,
    ...(registry.ok && localOk
      ? {}
      : {
          hint: localOk
            ? "use a validated model (`jarvis mine models`), e.g. pearl-ai/Llama-3.3-70B-Instruct-pearl"
            : "fix [mining.extra].local_model_path",
        }),
  });
  return rows;
}
