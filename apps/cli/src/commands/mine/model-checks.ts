/** Shared output of `validate-model` and `inspect-model`: check rows and the JSON artifact. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Ctx } from "../../context.js";

export interface ModelCheck {
  name: string;
  ok: boolean;
  info: string;
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

/** 2-space JSON with sorted keys and a trailing newline, like OpenJarvis' artifacts. */
export function writeArtifact(ctx: Ctx, file: string, artifact: Record<string, unknown>): string {
  const target = resolve(ctx.io.cwd, file);
  const sorted = JSON.stringify(
    artifact,
    (_key, value: unknown) =>
      value && typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
          )
        : value,
    2,
  );
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${sorted}\n`);
  return target;
}

export function finish(
  ctx: Ctx,
  options: {
    title: string;
    model: string;
    checks: ModelCheck[];
    artifact: Record<string, unknown>;
    output?: string;
    failMessage: string;
    passMessage: string;
    artifactLabel: string;
  },
): number {
  const passed = options.checks.length > 0 && options.checks.every((check) => check.ok);
  const artifact = {
    ...options.artifact,
    status: passed ? "passed" : "failed",
    checks: options.checks,
  };
  const written = options.output ? writeArtifact(ctx, options.output, artifact) : null;
  ctx.print(renderChecks(options.title, options.model, options.checks, ctx));
  if (written) ctx.note(`${options.artifactLabel} artifact written to ${written}`);
  if (!passed) {
    const failed = options.checks.filter((check) => !check.ok).map((check) => check.name);
    const error = {
      code: "E_MODEL_CHECKS_FAILED",
      message: options.failMessage,
      hint: `failed: ${failed.join(", ")}`,
    };
    ctx.json({ ok: false, ...artifact, ...(written ? { artifactPath: written } : {}), error });
    if (!ctx.flags.json) ctx.io.stderr(`error: ${error.message}\nhint: ${error.hint}\n`);
    return 1;
  }
  ctx.json({ ok: true, ...artifact, ...(written ? { artifactPath: written } : {}) });
  ctx.print(options.passMessage);
  return 0;
}
