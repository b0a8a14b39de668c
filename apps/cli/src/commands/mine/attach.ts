/**
 * `jarvis mine attach`: record a vLLM miner started by hand (the OpenJarvis attach sidecar
 * shape), so inference can use its endpoint and status/validate-model can watch it. vllm-pearl
 * checks every URL and accepts only this machine unless `--allow-remote`.
 */
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions } from "../options.js";
import { pathsOf, providerContext } from "../session.js";
import { vllmModule } from "../vllm.js";

const Options = z.object({
  vllmEndpoint: z.string(),
  gatewayUrl: z.string(),
  gatewayMetricsUrl: z.string().optional(),
  model: z.string().min(1).optional(),
  containerId: z.string().default("external"),
  wallet: z.string().default(""),
  allowRemote: z.boolean().optional(),
});

export default async function attach(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const { attachMiner } = await vllmModule();
  const sidecar = await attachMiner(
    {
      vllmEndpoint: opts.vllmEndpoint,
      gatewayUrl: opts.gatewayUrl,
      ...(opts.gatewayMetricsUrl ? { gatewayMetricsUrl: opts.gatewayMetricsUrl } : {}),
      ...(opts.model ? { model: opts.model } : {}),
      containerId: opts.containerId,
      wallet: opts.wallet,
      allowRemote: opts.allowRemote === true,
    },
    providerContext(ctx),
  );
  const path = pathsOf(ctx).sidecarPath;
  ctx.json({ ok: true, path, sidecar });
  ctx.print(`Sidecar written to ${path}`);
  return 0;
}
