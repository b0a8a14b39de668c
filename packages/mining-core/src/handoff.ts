import type { SidecarRecord } from "./sidecar.js";

export const MINING_ENGINE_ID = "vllm-pearl-mining";

/** An OpenAI-compatible engine served by a mining vLLM (OpenJarvis §5). */
export interface MiningEngine {
  id: typeof MINING_ENGINE_ID;
  /** Without a trailing slash or `/v1`. */
  baseUrl: string;
  apiPrefix: "/v1";
  model: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * The engine a sidecar describes, or null when it has no `vllm_endpoint` + `model` (CPU
 * providers leave them out on purpose: inference stays on the user's engine). Whoever can write
 * the sidecar could redirect prompts, so non-loopback endpoints need `allowRemote`.
 */
export function engineFromSidecar(
  record: SidecarRecord | null | undefined,
  options: { allowRemote?: boolean } = {},
): MiningEngine | null {
  const endpoint = record?.vllm_endpoint;
  const model = record?.model;
  if (
    typeof endpoint !== "string" ||
    typeof model !== "string" ||
    !endpoint.trim() ||
    !model.trim()
  ) {
    return null;
  }
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (!options.allowRemote && !LOOPBACK.has(url.hostname) && !url.hostname.startsWith("127.")) {
    return null;
  }
  const baseUrl = endpoint.trim().replace(/\/+$/, "").replace(/\/v1$/, "").replace(/\/+$/, "");
  return { id: MINING_ENGINE_ID, baseUrl, apiPrefix: "/v1", model: model.trim() };
}
