import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.js";
import { ErrorCodes, MiningError } from "./errors.js";
import { ensurePrivateDir } from "./paths.js";

/** Bumped when our additions to the sidecar change meaning. OpenJarvis files have none (0). */
export const SIDECAR_SCHEMA_VERSION = 1;

/**
 * The runtime session file (`runtime/mining.json`), keys in snake_case exactly as OpenJarvis
 * writes them, plus ours (`schema_version`, `pid`, `process_start_time`). Unknown keys are kept.
 */
export interface SidecarRecord {
  provider: string;
  /** Unix seconds; OpenJarvis writes an integer (vllm, attach) or a float (cpu). */
  started_at: number;
  wallet_address: string;
  vllm_endpoint?: string;
  model?: string;
  gateway_url?: string;
  /** Without the `/metrics` suffix. */
  gateway_metrics_url?: string;
  /** With the `/metrics` suffix. */
  metrics_url?: string;
  container_id?: string;
  gateway_pid?: number | null;
  miner_loop_pid?: number | null;
  /** Absent in files written by OpenJarvis; `writeSidecar` always sets it. */
  schema_version?: number;
  /** The process we own (e.g. a supervisor), with its start time for PID-reuse-safe liveness. */
  pid?: number;
  process_start_time?: string;
  /** Start time of `gateway_pid` when we spawned it, so a reused PID is never signalled. */
  gateway_process_start_time?: string;
  /** A provider's own loopback status endpoint. */
  status_url?: string;
  /** "solo", "pool:<url>" or "devnet". */
  payout_target?: string;
  [key: string]: unknown;
}

const optionalPid = z.number().int().positive().nullable().optional();

const sidecarSchema = z.looseObject({
  provider: z.string().min(1),
  started_at: z.number().finite(),
  wallet_address: z.string().default(""),
  vllm_endpoint: z.string().optional(),
  model: z.string().optional(),
  gateway_url: z.string().optional(),
  gateway_metrics_url: z.string().optional(),
  metrics_url: z.string().optional(),
  container_id: z.string().optional(),
  gateway_pid: optionalPid,
  miner_loop_pid: optionalPid,
  schema_version: z.number().int().nonnegative().optional(),
  pid: z.number().int().positive().optional(),
  process_start_time: z.string().optional(),
  gateway_process_start_time: z.string().optional(),
  status_url: z.string().optional(),
  payout_target: z.string().optional(),
});

/** Validate a parsed value as a sidecar; null when it is not one. */
export function parseSidecar(value: unknown): SidecarRecord | null {
  const result = sidecarSchema.safeParse(value);
  return result.success ? (result.data as SidecarRecord) : null;
}

/** The record, or null when the file is missing, unreadable, corrupt or not a sidecar. */
export function readSidecar(filePath: string): SidecarRecord | null {
  let text: string;
  try {
    text = readFileSync(filePath, "utf8");
  } catch {
    return null;
  }
  try {
    return parseSidecar(JSON.parse(text));
  } catch {
    return null;
  }
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value === "object" && value !== null) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

/**
 * Atomically write the sidecar (0600 in a 0700 directory), sorted keys, 2-space JSON, with
 * `schema_version` set. Throws E_SHAPE_INVALID for a record that would not read back.
 */
export function writeSidecar(filePath: string, record: SidecarRecord): void {
  const withVersion = {
    ...record,
    schema_version: record.schema_version ?? SIDECAR_SCHEMA_VERSION,
  };
  const checked = sidecarSchema.safeParse(withVersion);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new MiningError(
      ErrorCodes.SHAPE_INVALID,
      `refusing to write an invalid sidecar: ${issue?.path.join(".") || "record"}: ${issue?.message}`,
      { hint: "this is a provider bug; report it", details: { path: filePath } },
    );
  }
  ensurePrivateDir(path.dirname(filePath));
  writeFileAtomic(filePath, `${JSON.stringify(sortKeysDeep(withVersion), null, 2)}\n`, 0o600);
}

/** Delete the sidecar; a missing file is not an error. */
export function removeSidecar(filePath: string): void {
  rmSync(filePath, { force: true });
}

/** The identity of the process a sidecar says we own, or null (OpenJarvis files, attach). */
export function sidecarProcessIdentity(
  record: SidecarRecord | null,
): { pid: number; startTime: string } | null {
  if (!record || typeof record.pid !== "number" || typeof record.process_start_time !== "string") {
    return null;
  }
  return { pid: record.pid, startTime: record.process_start_time };
}
