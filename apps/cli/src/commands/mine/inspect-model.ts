/** `jarvis mine inspect-model`: is this artifact (directory or Hugging Face id) a Pearl model? */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { MINING_EXTRA_DEFAULTS } from "@openjarvis/mining-core";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions, secondsOption } from "../options.js";
import { vllmModule } from "../vllm.js";
import { finish } from "./model-checks.js";

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
  const { inspectModel } = await vllmModule();
  // A path that exists is a local artifact; anything else is a Hugging Face repository id.
  const local = resolve(ctx.io.cwd, opts.model);
  const target = existsSync(local) ? local : opts.model;
  const artifact = await inspectModel(target, {
    hfTokenEnv: opts.hfTokenEnv,
    env: ctx.env,
    allowPlanned: opts.allowPlanned === true,
    timeoutMs: opts.timeout * 1000,
  });
  return finish(ctx, {
    title: "Pearl Model Artifact Inspection",
    artifact: { ...artifact },
    ...(opts.output ? { output: opts.output } : {}),
    failMessage: "Pearl model artifact inspection failed.",
    passMessage: "Artifact inspection passed.",
    artifactLabel: "Inspection",
  });
}
