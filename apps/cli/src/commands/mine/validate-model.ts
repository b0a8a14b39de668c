/** `jarvis mine validate-model`: does the running vLLM miner serve a Pearl model, and mine? */
import { MINING_EXTRA_DEFAULTS } from "@openjarvis/mining-core";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions, secondsOption } from "../options.js";
import { pathsOf, readSession } from "../session.js";
import { vllmModule } from "../vllm.js";
import { finish, type ModelCheck } from "./model-checks.js";

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
  const vllm = await vllmModule();
  const sidecar = readSession(ctx)?.sidecar ?? null;
  const model =
    opts.model ??
    (typeof sidecar?.model === "string" ? sidecar.model : MINING_EXTRA_DEFAULTS.model);
  const result = await (
    vllm.validateModel as unknown as (
      o: Record<string, unknown>,
    ) => Promise<{ checks: ModelCheck[]; artifact?: Record<string, unknown> }>
  )({
    model,
    vllmEndpoint: opts.vllmEndpoint ?? sidecar?.vllm_endpoint,
    gatewayMetricsUrl: opts.gatewayMetricsUrl ?? sidecar?.gateway_metrics_url,
    allowPlanned: opts.allowPlanned === true,
    prompt: opts.prompt,
    timeoutMs: opts.timeout * 1000,
    sidecar,
    sidecarPath: pathsOf(ctx).sidecarPath,
    env: ctx.env,
    paths: pathsOf(ctx),
  });
  return finish(ctx, {
    title: "Pearl Model Validation",
    model,
    checks: result.checks,
    artifact: {
      schema_version: 1,
      model,
      allow_planned: opts.allowPlanned === true,
      prompt_ran: opts.prompt !== undefined,
      ...result.artifact,
    },
    ...(opts.output ? { output: opts.output } : {}),
    failMessage: "Pearl model validation checks failed.",
    passMessage: "Validation checks passed.",
    artifactLabel: "Validation",
  });
}
