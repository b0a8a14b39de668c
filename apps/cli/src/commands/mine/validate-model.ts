/** `jarvis mine validate-model`: does the running vLLM miner serve a Pearl model, and mine? */
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions, secondsOption } from "../options.js";
import { providerContext } from "../session.js";
import { vllmModule } from "../vllm.js";
import { finish } from "./model-checks.js";

const Options = z.object({
  model: z.string().min(1).optional(),
  vllmEndpoint: z.string().optional(),
  gatewayMetricsUrl: z.string().optional(),
  allowPlanned: z.boolean().optional(),
  prompt: z.string().optional(),
  output: z.string().optional(),
  timeout: secondsOption(0.1, 600).default(10),
});

export default async function validateModelCommand(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  if (opts.gatewayMetricsUrl !== undefined) {
    ctx.warn(
      "--gateway-metrics-url is ignored: Pearl's gateway serves no metrics; mining is proven from its log",
    );
  }
  const { validateModel } = await vllmModule();
  const artifact = await validateModel(
    {
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.vllmEndpoint ? { vllmEndpoint: opts.vllmEndpoint } : {}),
      allowPlanned: opts.allowPlanned === true,
      ...(opts.prompt !== undefined ? { prompt: opts.prompt } : {}),
      timeoutMs: opts.timeout * 1000,
    },
    providerContext(ctx),
  );
  return finish(ctx, {
    title: "Pearl Model Validation",
    artifact: { ...artifact },
    ...(opts.output ? { output: opts.output } : {}),
    failMessage: "Pearl model validation checks failed.",
    passMessage: "Validation checks passed.",
    artifactLabel: "Validation",
  });
}
