/**
 * `jarvis mine attach`: record a vLLM miner started by hand (the OpenJarvis attach sidecar shape),
 * so inference can use its endpoint and `status`/`validate-model` can watch it. Every URL is
 * checked, and only this machine is accepted unless `--allow-remote`: whoever the sidecar names
 * receives the prompts sent through the engine handoff.
 */
import {
  ErrorCodes,
  MINING_EXTRA_DEFAULTS,
  MiningError,
  withLock,
  writeSidecar,
} from "@openjarvis/mining-core";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions } from "../options.js";
import { pathsOf, readSession } from "../session.js";

const Options = z.object({
  vllmEndpoint: z.string(),
  gatewayUrl: z.string(),
  gatewayMetricsUrl: z.string(),
  model: z.string().min(1).default(MINING_EXTRA_DEFAULTS.model),
  containerId: z.string().default("external"),
  wallet: z.string().default(""),
  allowRemote: z.boolean().optional(),
});

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export function checkUrl(flag: string, value: string, allowRemote: boolean): string {
  const trimmed = value.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new MiningError(ErrorCodes.USAGE, `${flag} is not a URL: ${JSON.stringify(value)}`, {
      hint: "for example http://127.0.0.1:8000/v1",
      exitCode: 2,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new MiningError(ErrorCodes.USAGE, `${flag} must be http(s), got ${url.protocol}`, {
      hint: "use http://127.0.0.1:<port>",
      exitCode: 2,
    });
  }
  if (url.username || url.password) {
    throw new MiningError(ErrorCodes.USAGE, `${flag} must not carry credentials`, {
      hint: "remove user:password@ from the URL",
      exitCode: 2,
    });
  }
  const host = url.hostname.startsWith("127.") ? "127.0.0.1" : url.hostname;
  if (!allowRemote && !LOOPBACK.has(host)) {
    throw new MiningError(
      ErrorCodes.USAGE,
      `${flag} points at ${url.hostname}, which is not this machine`,
      {
        hint: "jarvis would send prompts there; pass --allow-remote if you trust that host",
        exitCode: 2,
        details: { flag, host: url.hostname },
      },
    );
  }
  return trimmed.replace(/\/+$/, "");
}

export default async function attach(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const allowRemote = opts.allowRemote === true;
  const record = {
    provider: "vllm-pearl",
    vllm_endpoint: checkUrl("--vllm-endpoint", opts.vllmEndpoint, allowRemote),
    gateway_url: checkUrl("--gateway-url", opts.gatewayUrl, allowRemote),
    gateway_metrics_url: checkUrl("--gateway-metrics-url", opts.gatewayMetricsUrl, allowRemote),
    model: opts.model,
    container_id: opts.containerId,
    wallet_address: opts.wallet,
    started_at: Math.floor(ctx.now() / 1000),
  };
  const paths = pathsOf(ctx);
  await withLock(paths.lockPath, async () => {
    const session = readSession(ctx);
    if (session && session.processAlive !== false && session.sidecar.provider !== "vllm-pearl") {
      throw new MiningError(
        ErrorCodes.ALREADY_RUNNING,
        `${session.sidecar.provider} is running; attach would hide it`,
        {
          hint: "stop it first: `jarvis mine stop`",
        },
      );
    }
    writeSidecar(paths.sidecarPath, record);
  });
  ctx.json({ ok: true, path: paths.sidecarPath, sidecar: record });
  ctx.print(`Sidecar written to ${paths.sidecarPath}`);
  return 0;
}
