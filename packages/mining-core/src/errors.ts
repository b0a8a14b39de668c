/**
 * One error type for every mining package. It is checked structurally (`isMiningError`), never
 * with `instanceof`, because a provider may load its own copy of mining-core.
 */

/** Stable, searchable codes. Add new ones here; never reuse or rename one. */
export const ErrorCodes = {
  CONFIG_NOT_FOUND: "E_CONFIG_NOT_FOUND",
  CONFIG_PARSE: "E_CONFIG_PARSE",
  CONFIG_INVALID: "E_CONFIG_INVALID",
  CONFIG_MISSING_SECTION: "E_CONFIG_MISSING_SECTION",
  CONFIG_EXISTS: "E_CONFIG_EXISTS",
  PROVIDER_UNKNOWN: "E_PROVIDER_UNKNOWN",
  PROVIDER_DUPLICATE: "E_PROVIDER_DUPLICATE",
  PROVIDER_INVALID: "E_PROVIDER_INVALID",
  PROVIDER_NOT_INSTALLED: "E_PROVIDER_NOT_INSTALLED",
  PROVIDER_UNSUPPORTED: "E_PROVIDER_UNSUPPORTED",
  ALREADY_RUNNING: "E_ALREADY_RUNNING",
  NOT_RUNNING: "E_NOT_RUNNING",
  LOCKED: "E_LOCKED",
  START_FAILED: "E_START_FAILED",
  STOP_FAILED: "E_STOP_FAILED",
  SECRET_MISSING: "E_SECRET_MISSING",
  WALLET_INVALID: "E_WALLET_INVALID",
  SHAPE_INVALID: "E_SHAPE_INVALID",
  PROOF_INVALID: "E_PROOF_INVALID",
  CERT_VERSION_UNSUPPORTED: "E_CERT_VERSION_UNSUPPORTED",
  PEARL_BINARY_NOT_FOUND: "E_PEARL_BINARY_NOT_FOUND",
  MODEL_CHECKS_FAILED: "E_MODEL_CHECKS_FAILED",
  DOCTOR_FAILED: "E_DOCTOR_FAILED",
  IO: "E_IO",
  TIMEOUT: "E_TIMEOUT",
  ABORTED: "E_ABORTED",
  USAGE: "E_USAGE",
  GATEWAY_UNREACHABLE: "E_GATEWAY_UNREACHABLE",
  GATEWAY_PAUSED: "E_GATEWAY_PAUSED",
  GATEWAY_PROTOCOL: "E_GATEWAY_PROTOCOL",
  GATEWAY_RPC: "E_GATEWAY_RPC",
  NODE_UNREACHABLE: "E_NODE_UNREACHABLE",
  NODE_AUTH: "E_NODE_AUTH",
  NODE_NOT_CONNECTED: "E_NODE_NOT_CONNECTED",
  NODE_SYNCING: "E_NODE_SYNCING",
  NODE_RPC: "E_NODE_RPC",
  CONTAINER_ENGINE_UNAVAILABLE: "E_CONTAINER_ENGINE_UNAVAILABLE",
  CONTAINER_PERMISSION: "E_CONTAINER_PERMISSION",
  CONTAINER_IMAGE_NOT_FOUND: "E_CONTAINER_IMAGE_NOT_FOUND",
  CONTAINER_NAME_IN_USE: "E_CONTAINER_NAME_IN_USE",
  CONTAINER_NO_GPU_RUNTIME: "E_CONTAINER_NO_GPU_RUNTIME",
  CONTAINER_FAILED: "E_CONTAINER_FAILED",
  CONTAINER_RESTART_LOOP: "E_CONTAINER_RESTART_LOOP",
  INTERNAL: "E_INTERNAL",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Process exit codes shared by the CLI and providers. */
export const ExitCodes = { OK: 0, FAILURE: 1, USAGE: 2, NOT_RUNNING: 3 } as const;

export interface MiningErrorOptions {
  hint?: string;
  exitCode?: number;
  cause?: unknown;
  /** Structured details (the offending key, value, path…). Must never hold a secret. */
  details?: Record<string, unknown>;
}

export class MiningError extends Error {
  override readonly name = "MiningError";
  readonly code: ErrorCode | (string & {});
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode | (string & {}), message: string, options: MiningErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCodes.FAILURE;
    this.details = options.details;
  }

  toJSON(): { code: string; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** Structural check that works across copies of this package. */
export function isMiningError(value: unknown): value is MiningError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { name?: unknown }).name === "MiningError" &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Wrap anything thrown into a MiningError, keeping MiningErrors as they are. */
export function toMiningError(value: unknown, code: ErrorCode = ErrorCodes.INTERNAL): MiningError {
  if (isMiningError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new MiningError(code, message, { cause: value });
}

export interface RenderedError {
  /** Human text for stderr: `error: …` and `hint: …` lines, plus the cause chain when debugging. */
  text: string;
  /** Machine form for `--json` on stdout. */
  json: { ok: false; error: { code: string; message: string; hint?: string } };
}

/** The renderer contract the CLI uses: no stack trace unless `debug`. */
export function renderError(value: unknown, options: { debug?: boolean } = {}): RenderedError {
  const error = toMiningError(value);
  const lines = [`error: ${error.message}`];
  if (error.hint) lines.push(`hint: ${error.hint}`);
  if (options.debug) {
    let cause: unknown = error;
    let depth = 0;
    while (cause instanceof Error && depth < 10) {
      lines.push(`${depth === 0 ? "stack" : "caused by"}: ${cause.stack ?? cause.message}`);
      cause = cause.cause;
      depth += 1;
    }
    if (cause !== undefined && !(cause instanceof Error)) lines.push(`caused by: ${String(cause)}`);
  }
  return { text: `${lines.join("\n")}\n`, json: { ok: false, error: error.toJSON() } };
}
