import { type ProviderContext, readSidecar, redactSecrets } from "@openjarvis/mining-core";
import { DEFAULT_MODEL } from "./constants.js";
import { defaultEngine, secretValues } from "./context.js";
import type { ContainerEngine } from "./engine/types.js";
import { countGatewayOutcomes, type GatewayOutcomes } from "./gateway-log.js";
import { registryCheck } from "./models.js";

export interface Check {
  name: string;
  ok: boolean;
  info: string;
}

export interface ValidateModelOptions {
  /** Default: the sidecar's model, else the default Pearl model. */
  model?: string;
  /** Default: the sidecar's `vllm_endpoint`. */
  vllmEndpoint?: string;
  /** Container whose log holds the gateway lines; default: the sidecar's container. */
  container?: string;
  allowPlanned?: boolean;
  /** When set, one chat completion is requested with this prompt. */
  prompt?: string;
  /** Per HTTP request. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  engine?: ContainerEngine;
}

/** The JSON artifact `jarvis mine validate-model --output` writes. */
export interface ValidationArtifact {
  schema_version: 1;
  model: string;
  status: "passed" | "failed";
  allow_planned: boolean;
  prompt_ran: boolean;
  vllm_endpoint: string | null;
  container: string | null;
  sidecar_path: string;
  /** True only when the gateway log shows a proof the miner submitted. */
  mining_proven: boolean;
  gateway: GatewayOutcomes | null;
  checks: Check[];
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] || (error instanceof Error ? error.name : "error");
}

async function getJson(
  fetchImpl: typeof fetch,
  url: string,
  timeoutMs: number,
  init: RequestInit = {},
): Promise<unknown> {
  const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  return response.json();
}

function modelIds(payload: unknown): string[] {
  const data = (payload as { data?: unknown })?.data;
  if (!Array.isArray(data)) return [];
  return data
    .map((item) => (typeof item === "string" ? item : (item as { id?: unknown })?.id))
    .filter((id): id is string => typeof id === "string");
}

/**
 * Is this model really mining? Checks the registry, the sidecar, vLLM's `/v1/models`, an
 * optional chat completion, and the gateway's log. vLLM answering proves serving, not mining:
 * only a proof in the gateway log sets `mining_proven`, and the status needs it.
 */
export async function validateModel(
  options: ValidateModelOptions,
  ctx: ProviderContext,
): Promise<ValidationArtifact> {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const secrets = secretValues(ctx.env);
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, info: string) =>
    checks.push({ name, ok, info: redactSecrets(info, secrets) });

  const sidecar = readSidecar(ctx.paths.sidecarPath);
  const model =
    options.model ?? (typeof sidecar?.model === "string" ? sidecar.model : DEFAULT_MODEL);
  const allowPlanned = options.allowPlanned ?? false;
  const registry = registryCheck(model, allowPlanned);
  add("Model registry", registry.ok, registry.info);

  if (!sidecar) {
    add("Sidecar", false, "absent - run `jarvis mine start` first");
  } else {
    add("Sidecar", true, `present (${ctx.paths.sidecarPath})`);
    add("Sidecar model", sidecar.model === model, sidecar.model ?? "missing");
  }

  const rawEndpoint = options.vllmEndpoint ?? sidecar?.vllm_endpoint ?? null;
  const endpoint = rawEndpoint ? rawEndpoint.replace(/\/+$/, "") : null;
  let promptRan = false;
  if (!endpoint) {
    add("vLLM endpoint", false, "missing");
  } else {
    try {
      const ids = modelIds(await getJson(fetchImpl, `${endpoint}/models`, timeoutMs));
      add(
        "vLLM /models",
        ids.includes(model),
        ids.includes(model) ? model : `${ids.length} ids: ${ids.join(", ")}`,
      );
    } catch (error) {
      add("vLLM /models", false, firstLine(error));
    }
    if (options.prompt !== undefined) {
      promptRan = true;
      try {
        const reply = await getJson(fetchImpl, `${endpoint}/chat/completions`, timeoutMs, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model,
            messages: [{ role: "user", content: options.prompt }],
            max_tokens: 16,
            stream: false,
          }),
        });
        const choices = (reply as { choices?: unknown })?.choices;
        const ok = Array.isArray(choices) && choices.length > 0;
        add("Chat completion", ok, ok ? "choices returned" : "no choices");
      } catch (error) {
        add("Chat completion", false, firstLine(error));
      }
    }
  }

  const sidecarContainer =
    sidecar?.container_id && sidecar.container_id !== "external" ? sidecar.container_id : undefined;
  const container = options.container ?? sidecarContainer ?? null;
  let gateway: GatewayOutcomes | null = null;
  if (!container) {
    add(
      "Gateway log",
      false,
      "no container to read the gateway log from (pass the container id or name)",
    );
  } else {
    try {
      const engine = options.engine ?? defaultEngine(ctx);
      gateway = await countGatewayOutcomes(engine.logs(container, { timestamps: true }));
      add(
        "Gateway log",
        gateway.linesRead > 0,
        `${gateway.linesRead} lines: ${gateway.proofsReceived} proofs received, ${gateway.blocksAccepted} blocks accepted, ${gateway.blocksRejected} rejected, ${gateway.staleProofs} stale`,
      );
    } catch (error) {
      add("Gateway log", false, firstLine(error));
    }
  }
  const miningProven = (gateway?.proofsReceived ?? 0) > 0;
  add(
    "Mining proven",
    miningProven,
    miningProven
      ? `${gateway?.proofsReceived} proofs reached the gateway`
      : "no proof has reached the gateway yet; vLLM answering alone does not prove mining",
  );

  return {
    schema_version: 1,
    model,
    status: checks.every((c) => c.ok) ? "passed" : "failed",
    allow_planned: allowPlanned,
    prompt_ran: promptRan,
    vllm_endpoint: endpoint,
    container,
    sidecar_path: ctx.paths.sidecarPath,
    mining_proven: miningProven,
    gateway,
    checks,
  };
}
