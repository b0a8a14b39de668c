import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { type ProviderContext, readSecret } from "@openjarvis/mining-core";
import { DEFAULT_HF_TOKEN_ENV, DEFAULT_PASSWORD_ENV } from "./constants.js";
import { DockerCliEngine } from "./engine/docker-cli.js";
import type { ContainerEngine } from "./engine/types.js";

/** The engine the CLI and this provider use when none is injected. */
export function defaultEngine(ctx: Pick<ProviderContext, "env">): ContainerEngine {
  return new DockerCliEngine({ env: ctx.env });
}

/** Secret values to mask in anything we print: the pearld password and the HF token. */
export function secretValues(
  env: ProviderContext["env"],
  names: { passwordEnv?: unknown; hfTokenEnv?: unknown } = {},
): string[] {
  const passwordEnv =
    typeof names.passwordEnv === "string" ? names.passwordEnv : DEFAULT_PASSWORD_ENV;
  const hfTokenEnv = typeof names.hfTokenEnv === "string" ? names.hfTokenEnv : DEFAULT_HF_TOKEN_ENV;
  return [readSecret(env, passwordEnv), readSecret(env, hfTokenEnv)].filter(
    (v): v is string => typeof v === "string" && v !== "",
  );
}

/** Host Hugging Face cache: `HF_HOME`, else `~/.cache/huggingface` (what the container expects). */
export function hfCacheDir(env: ProviderContext["env"]): string {
  if (env.HF_HOME) return resolve(env.HF_HOME);
  return join(env.HOME || homedir(), ".cache", "huggingface");
}
