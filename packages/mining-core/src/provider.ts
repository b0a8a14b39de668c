/**
 * The provider contract. A provider is a plain, versioned object, not a class: a third-party
 * provider may be built against another copy of mining-core, so nothing here relies on
 * identity (`instanceof`, symbols, module singletons).
 */
import type { MiningPaths } from "./paths.js";
import type { SidecarRecord } from "./sidecar.js";

/** Bump only with a breaking change to `MiningProvider`; the registry refuses other versions. */
export const PROVIDER_API_VERSION = 1 as const;

export type GpuVendor = "nvidia" | "amd" | "apple";

export interface GpuInfo {
  vendor: GpuVendor;
  /** Host index as the driver numbers it (what `CUDA_VISIBLE_DEVICES` selects). */
  index: number;
  name: string;
  /** Memory in GiB as reported (an "80 GB" H100 reports about 79.6). */
  vramGb: number;
  /** e.g. "9.0"; empty when unknown (old drivers, AMD, Apple). */
  computeCapability: string;
  uuid?: string;
}

export interface HardwareInfo {
  /** `process.platform` values: "linux", "darwin", "win32", … */
  platform: string;
  arch: string;
  cpuBrand: string;
  cpuCount: number;
  /** CPU feature flags of interest (e.g. "avx2", "avx512f", "neon"). */
  cpuFlags: string[];
  ramGb: number;
  /** Every GPU found, in host index order. */
  gpus: GpuInfo[];
}

/** The result of `detect()`. */
export interface MiningCapabilities {
  supported: boolean;
  /** Human-readable; always set when `supported` is false. */
  reason?: string;
  /** Attempts per second from a cached calibration, or null when none exists. */
  estimatedHashrate?: number | null;
}

/** Where proofs go. OpenJarvis' `"solo"` and `"pool:<url>"` strings parse into this; `"devnet"` is ours. */
export type SubmitTarget =
  | { kind: "solo"; pearldRpcUrl: string }
  | { kind: "pool"; url: string; workerId?: string }
  | { kind: "devnet" };

/** The validated `[mining]` section. Secrets are only ever named (env-var names), never held. */
export interface MiningConfig {
  provider: string;
  walletAddress: string;
  submitTarget: SubmitTarget;
  feeBps: number;
  feePayoutAddress: string | null;
  /** `[mining.extra]`, with the documented defaults applied. */
  extra: Record<string, unknown>;
  /** Third-party provider modules (package names or paths relative to the config file). */
  providers: string[];
  /** The file this came from, when it came from a file. */
  configPath?: string;
  /** The `[mining.extra]` keys the file set itself (the rest are defaults), so a provider can apply its own defaults. */
  explicitExtraKeys?: string[];
}

export interface HashrateWindows {
  "10s": number;
  "60s": number;
  "15m": number;
}

/** Real numbers only: a value that is not known is null, never an invented zero. */
export interface MiningStats {
  providerId: string;
  running: boolean;
  /** Attempts per second over the shortest window that has data. */
  hashrate: number | null;
  hashrateWindows?: HashrateWindows;
  attempts: number | null;
  proofsSubmitted: number | null;
  proofsRejected: number | null;
  blocksFound: number | null;
  /** Unix milliseconds. */
  lastProofAt: number | null;
  uptimeSeconds: number | null;
  lastError: string | null;
  /** "solo", "pool:<url>" or "devnet". */
  payoutTarget: string;
  /** Provider-specific numbers (job height, target, container state, vLLM counters…). */
  details?: Record<string, unknown>;
}

export interface ProgressEvent {
  /** A short stable identifier, e.g. "image", "launch", "ready". */
  stage: string;
  message: string;
  /** 0..1 when known. */
  fraction?: number;
}

/** What commands and providers receive instead of touching `process` directly. */
export interface ProviderContext {
  paths: MiningPaths;
  env: Readonly<Record<string, string | undefined>>;
  hardware?: HardwareInfo;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface LogOptions {
  /** Last N lines first. */
  tail?: number;
  follow?: boolean;
  stripAnsi?: boolean;
  signal?: AbortSignal;
}

export interface MiningProvider {
  apiVersion: typeof PROVIDER_API_VERSION;
  id: string;
  displayName: string;
  /** Pure: no subprocess, network, Docker or file writes. */
  /**
   * Given `config`, a provider may refine its answer with its own settings (which GPUs are
   * selected, how many tensor-parallel ranks…); it must stay pure either way.
   */
  detect(
    hardware: HardwareInfo,
    engineId: string,
    model: string,
    config?: MiningConfig,
  ): MiningCapabilities;
  /** Starts mining and resolves once it is under way, with the sidecar it wrote. */
  start(config: MiningConfig, ctx: ProviderContext): Promise<SidecarRecord>;
  /** Idempotent: stopping nothing is not an error. */
  stop(ctx: ProviderContext): Promise<void>;
  isRunning(ctx: ProviderContext): Promise<boolean>;
  stats(ctx: ProviderContext): Promise<MiningStats>;
  /** Redacted log lines. */
  logs?(ctx: ProviderContext, options: LogOptions): AsyncIterable<string>;
  /** `[mining.extra]` keys this provider reads beyond the documented ones, so loading a config does not warn about them. */
  extraKeys?: readonly string[];
}

/** Identity helper that gives a provider object its type (and the current `apiVersion`). */
export function defineProvider(
  provider: Omit<MiningProvider, "apiVersion"> & { apiVersion?: typeof PROVIDER_API_VERSION },
): MiningProvider {
  return { ...provider, apiVersion: PROVIDER_API_VERSION };
}
