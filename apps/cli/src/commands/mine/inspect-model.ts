/** `jarvis mine inspect-model`: is this artifact (directory or Hugging Face id) a Pearl model? */
import { MINING_EXTRA_DEFAULTS } from "@openjarvis/mining-core";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions, secondsOption } from "../options.js";
import { vllmModule } from "../vllm.js";
import { finish, type ModelCheck } from "./model-checks.js";

const Options = z.object({
  model: z.string().min(1).default(MINING_EXTRA_DEFAULTS.model),
  allowPlanned: z.boolean().optional(),
  hfTokenEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
    .default("HF_TOKEN"),
  output: z.string().optional(),
  timeout: secondsOption(0.1, 600).default(10),
});

export default async function inspectModelCommand(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const vllm = await vllmModule();
  const result = await (
    vllm.inspectModel as unknown as (
      o: Record<string, unknown>,
    ) => Promise<{ checks: ModelCheck[]; artifact?: Record<string, unknown> }>
  )({
    model: opts.model,
    allowPlanned: opts.allowPlanned === true,
    hfTokenEnv: opts.hfTokenEnv,
    timeoutMs: opts.timeout * 1000,
    env: ctx.env,
    cwd: ctx.io.cwd,
  });
  return finish(ctx, {
    title: "Pearl Model Artifact Inspection",
    model: opts.model,
    checks: result.checks,
    artifact: {
      schema_version: 1,
      model: opts.model,
      allow_planned: opts.allowPlanned === true,
      hf_token_env: opts.hfTokenEnv,
      ...result.artifact,
    },
    ...(opts.output ? { output: opts.output } : {}),
    failMessage: "Pearl model artifact inspection failed.",
    passMessage: "Artifact inspection passed.",
    artifactLabel: "Inspection",
  });
}
