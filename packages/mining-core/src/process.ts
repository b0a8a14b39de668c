import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * A PID plus the kernel's record of when that process started. Two processes never share both,
 * so a PID that was reused by an unrelated program does not match a stored identity.
 */
export interface ProcessIdentity {
  pid: number;
  /** Linux: `/proc/<pid>/stat` field 22 (clock ticks since boot); macOS: `ps -o lstart=`. */
  startTime: string;
}

interface ProcStat {
  state: string;
  processGroup: number;
  startTime: string;
}

function readLinuxStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // comm (field 2) is in parentheses and may itself contain spaces and ')'.
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  const state = fields[0];
  const startTime = fields[19];
  if (!state || !startTime || !/^\d+$/.test(startTime)) return null;
  return { state, processGroup: Number(fields[2]), startTime };
}

function readPsStartTime(pid: number): string | null {
  try {
    const out = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], {
      encoding: "utf8",
      timeout: 2_000,
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return out === "" ? null : out;
  } catch {
    return null;
  }
}

function validPid(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0;
}

/** The start time of a live process, or null when it does not exist (or cannot be read). */
export function readProcessStartTime(pid: number): string | null {
  if (!validPid(pid)) return null;
  if (process.platform === "linux") {
    const stat = readLinuxStat(pid);
    return stat && stat.state !== "Z" && stat.state !== "X" ? stat.startTime : null;
  }
  if (process.platform === "win32") return null;
  return readPsStartTime(pid);
}

export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, startTime: readProcessStartTime(process.pid) ?? "" };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * True when the PID is alive AND is still the same process (start time matches). An identity
 * without a start time (platforms where it cannot be read) falls back to the PID alone.
 */
export function isProcessAlive(identity: ProcessIdentity): boolean {
  if (!validPid(identity.pid) || !pidExists(identity.pid)) return false;
  if (process.platform === "win32" && identity.startTime === "") return true;
  const current = readProcessStartTime(identity.pid);
  return current !== null && current === identity.startTime;
}

/**
 * Sends `signal` only when the identity still matches; returns whether a signal was sent.
 * `group` signals the whole process group led by `identity.pid` (a detached child leads its own).
 */
export function signalProcess(
  identity: ProcessIdentity,
  signal: NodeJS.Signals | number,
  options: { group?: boolean } = {},
): boolean {
  if (!isProcessAlive(identity)) return false;
  try {
    process.kill(options.group ? -identity.pid : identity.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Shape check for identities read back from JSON. */
export function isProcessIdentity(value: unknown): value is ProcessIdentity {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { pid?: unknown; startTime?: unknown };
  return (
    typeof candidate.pid === "number" &&
    validPid(candidate.pid) &&
    typeof candidate.startTime === "string"
  );
}

/**
 * Whether any live (non-zombie) process is in the process group. `kill(-pgid, 0)` alone counts
 * zombies, which linger where PID 1 does not reap orphans (many containers).
 */
export function isProcessGroupAlive(pgid: number): boolean {
  if (!validPid(pgid)) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (process.platform !== "linux") return true;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readLinuxStat(Number(entry));
    if (stat && stat.processGroup === pgid && stat.state !== "Z" && stat.state !== "X") return true;
  }
  return false;
}
