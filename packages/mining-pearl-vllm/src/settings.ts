import { ErrorCodes, type MiningConfig, MiningError } from "@openjarvis/mining-core";
import {
  DEFAULT_HF_TOKEN_ENV,
  DEFAULT_IMAGE_TAG,
  DEFAULT_MODEL,
  DEFAULT_PASSWORD_ENV,
  DEFAULT_PEARLD_RPC_URL,
  DEFAULT_PEARLD_RPC_USER,
  DEFAULT_VLLM_HOST,
  DEFAULT_VLLM_PORT,
  LEGACY_DEFAULT_IMAGE_TAG,
} from "./constants.js";

/** `[mining.extra]` as this provider uses it, validated. Secrets are only named, never held. */
export interface VllmSettings {
  imageTag: string;
  model: string;
  /** Host directory mounted read-only as the model, or null. */
  localModelPath: string | null;
  vllmArgs: string[];
  vllmHost: string;
  vllmPort: number;
  gpuMemoryUtilization: number;
  maxModelLen: number;
  /** Host GPU ids or UUIDs; empty = all GPUs. */
  cudaVisibleDevices: string[];
  pearldRpcUrl: string;
  pearldRpcUser: string;
  passwordEnv: string;
  hfTokenEnv: string;
  walletAddress: string;
}

function invalid(key: string, value: unknown, expected: string, hint?: string): MiningError {
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  return new MiningError(
    ErrorCodes.CONFIG_INVALID,
    `[mining.extra].${key} must be ${expected}; got ${shown}`,
    {
      hint: hint ?? `fix ${key} under [mining.extra] in config.toml (or run \`jarvis mine init\`)`,
      details: { key: `mining.extra.${key}`, value },
    },
  );
}

function text(extra: Record<string, unknown>, key: string, fallback: string): string {
  const value = extra[key];
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value !== "string") throw invalid(key, value, "a string");
  return value.trim();
}

function number(
  extra: Record<string, unknown>,
  key: string,
  fallback: number,
  check: (n: number) => boolean,
  expected: string,
): number {
  const value = extra[key];
  if (value === undefined || value === null || value === "") return fallback;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string"
        ? Number(value.trim())
        : Number.NaN;
  if (!Number.isFinite(n) || !check(n)) throw invalid(key, value, expected);
  return n;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const GPU_ID = /^(\d+|GPU-[0-9a-fA-F-]+|MIG-[0-9a-zA-Z/-]+)$/;

/** Splits a command-line string the way a POSIX shell would (quotes and backslashes). */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let started = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
        current += line[++i];
      } else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      started = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) out.push(current);
      current = "";
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw invalid("vllm_args", line, "a shell-style argument string with balanced quotes");
  if (started) out.push(current);
  return out;
}

function vllmArgs(extra: Record<string, unknown>): string[] {
  const value = extra.vllm_args;
  let args: string[];
  if (value === undefined || value === null) args = [];
  else if (typeof value === "string") args = splitArgs(value);
  else if (
    Array.isArray(value) &&
    value.every((v) => ["string", "number", "boolean"].includes(typeof v))
  )
    args = value.map(String);
  else throw invalid("vllm_args", value, "a string or a list of strings");
  // The readiness probe and the sidecar follow vllm_host/vllm_port; a second --port would
  // silently point them at nothing.
  const clash = args.find((a) => /^--(host|port)(=|$)/.test(a));
  if (clash) {
    throw invalid(
      "vllm_args",
      value,
      "free of --host/--port",
      "set [mining.extra].vllm_host / vllm_port instead of passing --host/--port in vllm_args",
    );
  }
  return args;
}

function gpuList(extra: Record<string, unknown>): string[] {
  const value = extra.cuda_visible_devices;
  if (value === undefined || value === null || value === "") return [];
  const items =
    typeof value === "number"
      ? [String(value)]
      : typeof value === "string"
        ? value.split(",")
        : Array.isArray(value)
          ? value.map(String)
          : null;
  if (!items) throw invalid("cuda_visible_devices", value, 'a comma list of GPU ids such as "0,1"');
  const ids = items.map((s) => s.trim()).filter(Boolean);
  const bad = ids.find((id) => !GPU_ID.test(id));
  if (bad !== undefined || new Set(ids).size !== ids.length) {
    throw invalid(
      "cuda_visible_devices",
      value,
      'distinct GPU indices or UUIDs, e.g. "0,1" or "GPU-…"',
    );
  }
  return ids;
}

function url(value: string, key: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(key, value, "an http(s) URL such as http://localhost:44107");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw invalid(key, value, "an http(s) URL such as http://localhost:44107");
  }
  if (parsed.username || parsed.password) {
    throw invalid(
      key,
      "(a URL with credentials)",
      "a URL without credentials",
      `put the password in the environment variable named by pearld_rpc_password_env`,
    );
  }
  return value;
}

/** Reads and validates what this provider needs from the `[mining]` config. */
export function resolveSettings(config: MiningConfig): VllmSettings {
  const extra = config.extra ?? {};
  const tag = text(extra, "docker_image_tag", DEFAULT_IMAGE_TAG);
  const passwordEnv = text(extra, "pearld_rpc_password_env", DEFAULT_PASSWORD_ENV);
  const hfTokenEnv = text(extra, "hf_token_env", DEFAULT_HF_TOKEN_ENV);
  for (const [key, name] of [
    ["pearld_rpc_password_env", passwordEnv],
    ["hf_token_env", hfTokenEnv],
  ] as const) {
    if (!ENV_NAME.test(name)) throw invalid(key, name, "an environment variable name");
  }
  const solo = config.submitTarget?.kind === "solo" ? config.submitTarget.pearldRpcUrl : undefined;
  const local = text(extra, "local_model_path", "");
  return {
    imageTag: tag === LEGACY_DEFAULT_IMAGE_TAG ? DEFAULT_IMAGE_TAG : tag,
    model: text(extra, "model", DEFAULT_MODEL),
    localModelPath: local === "" ? null : local,
    vllmArgs: vllmArgs(extra),
    vllmHost: text(extra, "vllm_host", DEFAULT_VLLM_HOST),
    vllmPort: number(
      extra,
      "vllm_port",
      DEFAULT_VLLM_PORT,
      (n) => Number.isInteger(n) && n >= 1 && n <= 65535,
      "a port number 1-65535",
    ),
    gpuMemoryUtilization: number(
      extra,
      "gpu_memory_utilization",
      0.96,
      (n) => n > 0 && n <= 1,
      "a fraction in (0, 1]",
    ),
    maxModelLen: number(
      extra,
      "max_model_len",
      8192,
      (n) => Number.isInteger(n) && n > 0,
      "a positive integer",
    ),
    cudaVisibleDevices: gpuList(extra),
    pearldRpcUrl: url(
      text(extra, "pearld_rpc_url", solo || DEFAULT_PEARLD_RPC_URL),
      "pearld_rpc_url",
    ),
    pearldRpcUser: text(extra, "pearld_rpc_user", DEFAULT_PEARLD_RPC_USER),
    passwordEnv,
    hfTokenEnv,
    walletAddress: config.walletAddress.trim(),
  };
}

/** pearld's default RPC ports (GATEWAY-AND-NODE.md §5.1) and the network each one serves. */
const RPC_PORT_NETWORKS: Readonly<Record<string, string>> = Object.freeze({
  "44107": "mainnet",
  "44109": "testnet",
  "44111": "testnet2",
  "18334": "regtest",
  "18556": "simnet",
  "38332": "signet",
});

/**
 * The network a pearld URL on a default port serves, or undefined (custom port: unknown). The
 * gateway pays any Taproot address whatever its network, so a mismatch must be caught here.
 */
export function networkOfRpcUrl(rpcUrl: string): string | undefined {
  try {
    return RPC_PORT_NETWORKS[new URL(rpcUrl).port];
  } catch {
    return undefined;
  }
}
