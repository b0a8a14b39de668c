/** Shared output of `validate-model` and `inspect-model`: check rows and the JSON artifact. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ErrorCodes } from "@openjarvis/mining-core";
import type { Ctx } from "../../context.js";

export interface ModelCheck {
  name: string;
  ok: boolean;
  info: string;
}

export interface ModelArtifact {
  model: string;
  status: "passed" | "failed";
  checks: ModelCheck[];
  [key: string]: unknown;
}

export function renderChecks(title: string, model: string, checks: ModelCheck[], ctx: Ctx): string {
  const { green, red } = ctx.colors;
  const lines = [title, `${"model:".padEnd(20)}${model}`];
  for (const check of checks) {
    lines.push(
      `  ${check.name.padEnd(22)} ${check.info.padEnd(45)} ${check.ok ? green("OK") : red("FAIL")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

/** 2-space JSON with sorted keys and a trailing newline, like OpenJarvis' artifacts. */
export function writeArtifact(ctx: Ctx, file: string, artifact: ModelArtifact): string {
  const target = resolve(ctx.io.cwd, file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(sortKeys(artifact), null, 2)}\n`);
  return target;
}

/** Print the rows, write the artifact (also when checks fail), exit 0 only when all passed. */
export function finish(
  ctx: Ctx,
  options: {
    title: string;
    artifact: ModelArtifact;
    output?: string;
    failMessage: string;
    passMessage: string;
    artifactLabel: string;
  },
): number {
  const { artifact } = options;
  const written = options.output ? writeArtifact(ctx, options.output, artifact) : null;
  ctx.print(renderChecks(options.title, artifact.model, artifact.checks, ctx));
  if (written) ctx.note(`${options.artifactLabel} artifact written to ${written}`);
  const extra = written ? { artifactPath: written } : {};
  if (artifact.status !== "passed") {
    const failed = artifact.checks.filter((check) => !check.ok).map((check) => check.name);
    const error = {
      code: ErrorCodes.MODEL_CHECKS_FAILED,
      message: options.failMessage,
      hint: failed.length > 0 ? `failed: ${failed.join(", ")}` : "no check could run",
    };
    ctx.json({ ok: false, ...artifact, ...extra, error });
    if (!ctx.flags.json) ctx.io.stderr(`error: ${error.message}\nhint: ${error.hint}\n`);
    return 1;
  }
  ctx.json({ ok: true, ...artifact, ...extra });
  ctx.print(options.passMessage);
  return 0;
}
