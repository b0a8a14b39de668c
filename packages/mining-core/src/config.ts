import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.js";
import { ErrorCodes, MiningError, toMiningError } from "./errors.js";
import { ensurePrivateDir, miningPaths } from "./paths.js";
import type { MiningConfig, SubmitTarget } from "./provider.js";
import { formatSubmitTarget, parseSubmitTarget } from "./submit-target.js";
import { replaceMiningSection } from "./toml-section.js";
import { keyValueLines, type TomlValue } from "./toml-write.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Every documented `[mining.extra]` key with its default (OpenJarvis §2.3). `m/n/k/rank` are the
 * CPU miner shape: OpenJarvis' k=1024, rank=32 make proofs that mainnet rejects (rank must be
 * ≥ 128, so k ≥ 2048), so ours are 256/128/2048/128. `local_model_path` has no default.
 */
export const MINING_EXTRA_DEFAULTS = {
  docker_image_tag: "openjarvis/pearl-miner:master",
  model: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
  vllm_args: [] as string[],
  vllm_port: 8000,
  gateway_port: 8337,
  gateway_metrics_port: 8339,
  metrics_port: 8339,
  gateway_host: "127.0.0.1",
  gpu_memory_utilization: 0.96,
  max_model_len: 8192,
  cuda_visible_devices: "",
  pearld_rpc_url: "http://localhost:44107",
  pearld_rpc_user: "rpcuser",
  pearld_rpc_password_env: "PEARLD_RPC_PASSWORD",
  hf_token_env: "HF_TOKEN",
  m: 256,
  n: 128,
  k: 2048,
  rank: 128,
} as const;

const port = z.number().int().min(1).max(65535);
const positiveInt = z.number().int().positive();
const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");
const nonEmpty = z.string().min(1);

const EXTRA_KEY_SCHEMAS: Record<string, z.ZodType> = {
  docker_image_tag: nonEmpty,
  model: nonEmpty,
  local_model_path: nonEmpty,
  vllm_args: z.union([z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]))]),
  vllm_port: port,
  gateway_port: port,
  gateway_metrics_port: port,
  metrics_port: port,
  gateway_host: nonEmpty,
  gpu_memory_utilization: z.number().gt(0).max(1),
  max_model_len: positiveInt,
  cuda_visible_devices: z.union([
    z
      .string()
      // Indices, UUIDs ("GPU-…") and MIG ids ("MIG-GPU-…/1/0") are all valid CUDA selectors.
      .regex(/^\s*([\w/-]+\s*(,\s*[\w/-]+\s*)*)?$/, "must be a comma-separated list of GPU ids"),
    z.number().int().nonnegative(),
  ]),
  pearld_rpc_url: z.string().refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), {
    message: "must be an http(s) URL",
  }),
  pearld_rpc_user: z.string(),
  pearld_rpc_password_env: envVarName,
  hf_token_env: envVarName,
  m: positiveInt,
  n: positiveInt,
  k: positiveInt,
  rank: positiveInt,
};

const MINING_KEYS = new Set([
  "provider",
  "wallet_address",
  "submit_target",
  "fee_bps",
  "fee_payout_address",
  "providers",
  "extra",
]);

const sectionSchema = z.object({
  provider: z.string().min(1, "must not be empty"),
  // Required except on the devnet, where nothing is paid (checked once submit_target is known).
  wallet_address: z.string().default(""),
  submit_target: z.unknown().optional(),
  fee_bps: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\s*\d+\s*$/)
        .transform(Number),
    ])
    .pipe(z.number().int().min(0).max(10_000))
    .default(0),
  fee_payout_address: z.string().nullable().default(null),
  providers: z.array(z.string().min(1)).default([]),
  extra: z.record(z.string(), z.unknown()).default({}),
});

const FIXES: Record<string, string> = {
  provider: 'set provider = "cpu-pearl" (or "vllm-pearl")',
  wallet_address: 'set wallet_address = "prl1…" (your Pearl address)',
  fee_bps: "set fee_bps = 0 (an integer from 0 to 10000)",
  fee_payout_address: 'set fee_payout_address = "" or remove it',
  providers: 'set providers = ["<package-or-path>", …]',
  extra: "make [mining.extra] a table",
};

function fixFor(key: string[]): string {
  if (key[0] === "extra" && key[1] !== undefined) {
    const name = key[1];
    const fallback = (MINING_EXTRA_DEFAULTS as Record<string, unknown>)[name];
    return fallback === undefined
      ? `fix or remove ${name} in [mining.extra]`
      : `set ${name} = ${JSON.stringify(fallback)} in [mining.extra] (the default) or remove it`;
  }
  return FIXES[key[0] ?? ""] ?? "fix the value";
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function invalid(
  file: string,
  key: string[],
  value: unknown,
  problem: string,
  cause?: unknown,
): MiningError {
  const keyPath = ["mining", ...key].join(".");
  const message =
    value === undefined
      ? `${file}: ${keyPath} is missing (it is required)`
      : `${file}: ${keyPath} = ${describe(value)} is invalid: ${problem}`;
  return new MiningError(ErrorCodes.CONFIG_INVALID, message, {
    hint: `${fixFor(key)} in ${file}`,
    details: { file, key: keyPath, value },
    cause,
  });
}

export interface ConfigLocation {
  path?: string;
  env?: Env;
}

/** Explicit path, else `OPENJARVIS_CONFIG`, else `<home>/config.toml`. */
export function resolveConfigPath(options: ConfigLocation = {}): string {
  if (options.path) return path.resolve(options.path);
  return miningPaths(options.env ?? process.env).configPath;
}

export interface LoadedMiningConfig {
  path: string;
  config: MiningConfig;
  warnings: string[];
}

export interface LoadMiningConfigOptions extends ConfigLocation {
  /** Extra keys a provider owns (so they do not produce "unknown key" warnings). */
  knownExtraKeys?: readonly string[];
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new MiningError(ErrorCodes.CONFIG_NOT_FOUND, `no config file at ${file}`, {
        hint: "run `jarvis mine init` to create one, or point OPENJARVIS_CONFIG at your config",
        details: { file },
      });
    }
    throw new MiningError(ErrorCodes.IO, `cannot read ${file}: ${code ?? String(error)}`, {
      hint: "check the file's permissions",
      details: { file },
      cause: error,
    });
  }
}

/** Parse TOML, turning syntax errors into E_CONFIG_PARSE with the line and column. */
export function parseTomlDocument(text: string, file: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const { line, column } = error as { line?: number; column?: number };
    const reason = String((error as { message?: unknown }).message ?? error).split("\n")[0];
    const where = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
    throw new MiningError(ErrorCodes.CONFIG_PARSE, `${where}: invalid TOML: ${reason}`, {
      hint: `fix the syntax at line ${line ?? "?"} of ${file}`,
      details: { file, line, column },
      cause: error,
    });
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validate a parsed document's `[mining]` section. Exported for callers that already hold a
 * parsed document; `file` is only used in messages.
 */
export function validateMiningSection(
  document: Record<string, unknown>,
  file: string,
  options: { knownExtraKeys?: readonly string[] } = {},
): { config: MiningConfig; warnings: string[] } {
  const mining = document.mining;
  if (mining === undefined) {
    throw new MiningError(ErrorCodes.CONFIG_MISSING_SECTION, `${file} has no [mining] section`, {
      hint: "run `jarvis mine init` to add one",
      details: { file },
    });
  }
  if (!isTable(mining)) throw invalid(file, [], mining, "[mining] must be a table");
  const parsed = sectionSchema.safeParse(mining);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.map(String);
    const value = key.reduce<unknown>(
      (current, part) => (isTable(current) ? current[part] : undefined),
      mining,
    );
    throw invalid(file, key, value, issue.message);
  }
  const section = parsed.data;
  const warnings: string[] = [];
  for (const key of Object.keys(mining)) {
    if (!MINING_KEYS.has(key)) warnings.push(`${file}: unknown key mining.${key} (ignored)`);
  }
  const known = new Set(options.knownExtraKeys ?? []);
  const extra: Record<string, unknown> = { ...MINING_EXTRA_DEFAULTS };
  for (const [key, value] of Object.entries(section.extra)) {
    const schema = EXTRA_KEY_SCHEMAS[key];
    if (schema) {
      const checked = schema.safeParse(value);
      if (!checked.success) {
        throw invalid(file, ["extra", key], value, checked.error.issues[0]?.message ?? "invalid");
      }
      extra[key] = key === "cuda_visible_devices" ? String(checked.data) : checked.data;
    } else {
      if (!known.has(key)) {
        warnings.push(
          `${file}: unknown key mining.extra.${key} (kept, but no built-in provider reads it)`,
        );
      }
      extra[key] = value;
    }
  }
  let submitTarget: SubmitTarget;
  try {
    submitTarget = parseSubmitTarget(section.submit_target, extra);
  } catch (error) {
    throw invalid(
      file,
      ["submit_target"],
      section.submit_target,
      "must be 'solo', 'pool:<url>' or 'devnet'",
      error,
    );
  }
  const rootProviders = document.providers;
  if (rootProviders !== undefined) {
    const checked = z.array(z.string().min(1)).safeParse(rootProviders);
    if (!checked.success) {
      throw new MiningError(
        ErrorCodes.CONFIG_INVALID,
        `${file}: providers = ${describe(rootProviders)} is invalid: must be a list of package names or paths`,
        {
          hint: `set providers = ["<package-or-path>"] at the top of ${file}`,
          details: { file, key: "providers", value: rootProviders },
        },
      );
    }
  }
  const providers = [
    ...new Set([...((rootProviders as string[] | undefined) ?? []), ...section.providers]),
  ];
  if (section.wallet_address.trim() === "" && submitTarget.kind !== "devnet") {
    const raw = (mining as Record<string, unknown>).wallet_address;
    throw invalid(file, ["wallet_address"], raw, "must not be empty");
  }
  const config: MiningConfig = {
    provider: section.provider,
    walletAddress: section.wallet_address.trim(),
    submitTarget,
    feeBps: section.fee_bps,
    feePayoutAddress: section.fee_payout_address === "" ? null : section.fee_payout_address,
    extra,
    providers,
    configPath: file,
    explicitExtraKeys: Object.keys(section.extra),
  };
  return { config, warnings };
}

/**
 * Load and validate `[mining]`. Throws MiningError E_CONFIG_NOT_FOUND, E_CONFIG_PARSE,
 * E_CONFIG_MISSING_SECTION or E_CONFIG_INVALID. Only mining commands call this, so a broken
 * `[mining]` never breaks anything else.
 */
export function loadMiningConfig(options: LoadMiningConfigOptions = {}): LoadedMiningConfig {
  const file = resolveConfigPath(options);
  const document = parseTomlDocument(readConfigText(file), file);
  const { config, warnings } = validateMiningSection(document, file, options);
  return { path: file, config, warnings };
}

/** The same as `loadMiningConfig` but never throws: for status lines and hints. */
export function tryLoadMiningConfig(
  options: LoadMiningConfigOptions = {},
): { ok: true; value: LoadedMiningConfig } | { ok: false; error: MiningError } {
  try {
    return { ok: true, value: loadMiningConfig(options) };
  } catch (error) {
    return { ok: false, error: toMiningError(error) };
  }
}

/** The value of an environment variable named by the config, or undefined. Never logged. */
export function readSecret(env: Env, varName: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(varName)) return undefined;
  return env[varName];
}

/** What `writeMiningSection` writes, with the TOML key names. */
export interface MiningSectionInput {
  provider: string;
  wallet_address: string;
  submit_target?: string | SubmitTarget;
  fee_bps?: number;
  fee_payout_address?: string | null;
  providers?: string[];
  extra?: Record<string, TomlValue | null | undefined>;
}

/**
 * Add or replace the `[mining]` and `[mining.extra]` tables of a config file, keeping every
 * other byte (comments, other sections, line endings). The result is validated before it is
 * written atomically, so a value that would not load is never written.
 */
export function writeMiningSection(file: string, section: MiningSectionInput): void {
  const target = path.resolve(file);
  let original = "";
  let mode = 0o600;
  try {
    original = readFileSync(target, "utf8");
    mode = statSync(target).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  parseTomlDocument(original, target);
  const next = replaceMiningSection(original, renderMiningSection(section));
  let document: Record<string, unknown>;
  try {
    document = parseToml(next) as Record<string, unknown>;
  } catch (error) {
    throw new MiningError(
      ErrorCodes.CONFIG_INVALID,
      `cannot safely rewrite [mining] in ${target}: the file defines mining keys in a form this editor does not replace`,
      {
        hint: `remove the existing mining keys from ${target} by hand, then run the command again`,
        details: { file: target },
        cause: error,
      },
    );
  }
  validateMiningSection(document, target);
  ensurePrivateDir(path.dirname(target));
  writeFileAtomic(target, next, mode);
}

/** The `[mining]` (+ `[mining.extra]`) block as TOML lines, without a trailing newline. */
export function renderMiningSection(section: MiningSectionInput): string[] {
  const submit =
    typeof section.submit_target === "object"
      ? formatSubmitTarget(section.submit_target)
      : (section.submit_target ?? "solo");
  const top: Record<string, TomlValue> = {
    provider: section.provider,
    wallet_address: section.wallet_address,
    submit_target: submit,
    fee_bps: section.fee_bps ?? 0,
    fee_payout_address: section.fee_payout_address ?? "",
  };
  if (section.providers && section.providers.length > 0) top.providers = section.providers;
  const lines = ["[mining]", ...keyValueLines(top)];
  const extra = Object.entries(section.extra ?? {}).filter(
    (entry): entry is [string, TomlValue] => entry[1] !== undefined && entry[1] !== null,
  );
  if (extra.length > 0)
    lines.push("", "[mining.extra]", ...keyValueLines(Object.fromEntries(extra)));
  return lines;
}
