/** Helpers shared by the mining commands: paths, config, providers, the running session. */
import { dirname } from "node:path";
import {
  isProcessAlive,
  type LoadedMiningConfig,
  loadMiningConfig,
  type MiningPaths,
  miningPaths,
  type ProgressEvent,
  type ProviderContext,
  readSidecar,
  type SidecarRecord,
  sidecarProcessIdentity,
  tryLoadMiningConfig,
} from "@openjarvis/mining-core";
import type { Ctx } from "../context.js";
import { type ProviderSet, providerSet } from "../providers.js";

export function pathsOf(ctx: Ctx): MiningPaths {
  return miningPaths(ctx.env);
}

/** The validated config; throws E_CONFIG_* with the file, key and fix. Warnings go to stderr. */
export function requireConfig(ctx: Ctx): LoadedMiningConfig {
  const loaded = loadMiningConfig({ env: ctx.env });
  for (const warning of loaded.warnings) ctx.warn(warning);
  return loaded;
}

/** The config when there is a valid one, else null (plus the reason, for doctor and hints). */
export function optionalConfig(ctx: Ctx) {
  return tryLoadMiningConfig({ env: ctx.env });
}

export function providersFor(ctx: Ctx, loaded?: LoadedMiningConfig | null): ProviderSet {
  return providerSet({
    thirdParty: loaded?.config.providers ?? [],
    configDir: loaded ? dirname(loaded.path) : ctx.io.cwd,
  });
}

export function providerContext(
  ctx: Ctx,
  onProgress?: (event: ProgressEvent) => void,
): ProviderContext {
  return {
    paths: pathsOf(ctx),
    env: ctx.env,
    ...(onProgress ? { onProgress } : {}),
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
  };
}

export interface Session {
  sidecar: SidecarRecord;
  /** Liveness of the process the sidecar names, checked by PID *and* start time; null if none. */
  processAlive: boolean | null;
}

export function readSession(ctx: Ctx): Session | null {
  const sidecar = readSidecar(pathsOf(ctx).sidecarPath);
  if (!sidecar) return null;
  const identity = sidecarProcessIdentity(sidecar);
  return { sidecar, processAlive: identity ? isProcessAlive(identity) : null };
}
