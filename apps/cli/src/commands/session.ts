/** Helpers shared by the mining commands: paths, config, providers, the running session. */
import { dirname } from "node:path";
import {
  isProcessAlive,
  type LoadedMiningConfig,
  loadMiningConfig,
  type MiningPaths,
  type MiningProvider,
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

/** The validated config; throws E_CONFIG_* with the file, key and fix. */
export function requireConfig(ctx: Ctx): LoadedMiningConfig {
  return loadMiningConfig({ env: ctx.env });
}

/**
 * Print the config's warnings once the provider is known: keys it declares in `extraKeys` are
 * its own, not unknown. (The provider list comes from the config, so it cannot be known earlier.)
 */
export function warnAboutConfig(ctx: Ctx, loaded: LoadedMiningConfig, provider: MiningProvider) {
  const knownExtraKeys = provider.extraKeys ?? [];
  const { warnings } = loadMiningConfig({ path: loaded.path, env: ctx.env, knownExtraKeys });
  for (const warning of warnings) ctx.warn(warning);
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
