import {
  ErrorCodes,
  MiningError,
  type ProviderContext,
  readSidecar,
  type SidecarRecord,
  withLock,
  writeSidecar,
} from "@openjarvis/mining-core";
import { decodeMiningAddress } from "@openjarvis/pearl";
import { DEFAULT_MODEL, PROVIDER_ID } from "./constants.js";

export interface AttachOptions {
  /** vLLM's OpenAI base URL, e.g. http://127.0.0.1:8000/v1. */
  vllmEndpoint: string;
  gatewayUrl: string;
  gatewayMetricsUrl?: string;
  /** The container's id or name; "external" when it is not a container we can see. */
  containerId?: string;
  wallet?: string;
  model?: string;
  /**
   * Every OpenJarvis inference is sent to `vllmEndpoint` once attached, so a non-loopback host
   * must be allowed explicitly.
   */
  allowRemote?: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function checkedUrl(key: string, value: string, allowRemote: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MiningError(ErrorCodes.USAGE, `--${key} is not a URL: ${JSON.stringify(value)}`, {
      hint: `pass an http(s) URL such as http://127.0.0.1:8000${key === "vllm-endpoint" ? "/v1" : ""}`,
      details: { key, value },
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new MiningError(ErrorCodes.USAGE, `--${key} must be http or https; got ${url.protocol}`, {
      hint: "pass an http(s) URL",
      details: { key, value },
    });
  }
  if (url.username || url.password) {
    throw new MiningError(ErrorCodes.USAGE, `--${key} must not carry credentials`, {
      hint: "remove user:password@ from the URL",
      details: { key },
    });
  }
  if (!allowRemote && !LOOPBACK.has(url.hostname) && !url.hostname.startsWith("127.")) {
    throw new MiningError(
      ErrorCodes.USAGE,
      `--${key} points at ${url.hostname}, which is not this machine`,
      {
        hint: "attach only to a miner on this machine, or pass --allow-remote if you trust that host with your prompts",
        details: { key, value },
      },
    );
  }
  return value.replace(/\/+$/, "");
}

/**
 * Records a vLLM miner started by hand, in the same sidecar shape `start` writes, so status,
 * logs, stop and the engine handoff work with it. Refuses when a miner is already recorded.
 */
export async function attachMiner(
  options: AttachOptions,
  ctx: ProviderContext,
): Promise<SidecarRecord> {
  const allowRemote = options.allowRemote ?? false;
  const vllmEndpoint = checkedUrl("vllm-endpoint", options.vllmEndpoint, allowRemote);
  const gatewayUrl = checkedUrl("gateway-url", options.gatewayUrl, allowRemote);
  const gatewayMetricsUrl =
    options.gatewayMetricsUrl === undefined
      ? undefined
      : checkedUrl("gateway-metrics-url", options.gatewayMetricsUrl, allowRemote);
  const wallet = (options.wallet ?? "").trim();
  if (wallet) decodeMiningAddress(wallet);
  const containerId = (options.containerId ?? "external").trim() || "external";
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(containerId)) {
    throw new MiningError(
      ErrorCodes.USAGE,
      `--container-id is not a container id or name: ${JSON.stringify(containerId)}`,
      {
        hint: "pass the id or name `docker ps` shows",
        details: { key: "container-id", value: containerId },
      },
    );
  }
  return withLock(ctx.paths.lockPath, async () => {
    const existing = readSidecar(ctx.paths.sidecarPath);
    if (existing) {
      throw new MiningError(
        ErrorCodes.ALREADY_RUNNING,
        `a miner is already recorded (${existing.provider}, ${ctx.paths.sidecarPath})`,
        { hint: "run `jarvis mine stop` first" },
      );
    }
    const record: SidecarRecord = {
      provider: PROVIDER_ID,
      started_at: Math.floor(Date.now() / 1000),
      wallet_address: wallet,
      vllm_endpoint: vllmEndpoint,
      model: options.model?.trim() || DEFAULT_MODEL,
      gateway_url: gatewayUrl,
      ...(gatewayMetricsUrl ? { gateway_metrics_url: gatewayMetricsUrl } : {}),
      container_id: containerId,
    };
    writeSidecar(ctx.paths.sidecarPath, record);
    return readSidecar(ctx.paths.sidecarPath) ?? record;
  });
}
