import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCodes, MiningError } from "./errors.js";
import { ensurePrivateDir } from "./paths.js";
import {
  currentProcessIdentity,
  isProcessAlive,
  isProcessIdentity,
  type ProcessIdentity,
} from "./process.js";

export interface LockHandle {
  readonly path: string;
  /** Removes the lock if it is still ours; calling it twice is harmless. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for a held lock before failing with E_LOCKED (default 0: fail at once). */
  timeoutMs?: number;
  /** Poll interval while waiting (default 50 ms). */
  retryMs?: number;
}

interface LockContent {
  owner: ProcessIdentity;
  nonce: string;
  acquiredAt: number;
}

/** An empty or unparsable lock file younger than this is a writer between create and write. */
const PARTIAL_WRITE_GRACE_MS = 2_000;
/** A recovery marker older than this belongs to a recoverer that crashed mid-recovery. */
const RECOVERY_STALE_MS = 10_000;

type Observation =
  | { kind: "absent" }
  | { kind: "held"; owner: ProcessIdentity | null }
  | { kind: "stale"; raw: string; ino: number };

function observe(lockPath: string): Observation {
  let raw: string;
  let ino: number;
  let ageMs: number;
  try {
    raw = readFileSync(lockPath, "utf8");
    const stat = statSync(lockPath);
    ino = stat.ino;
    ageMs = Date.now() - stat.mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "absent" };
    throw error;
  }
  const content = parseContent(raw);
  if (content === null) {
    return ageMs > PARTIAL_WRITE_GRACE_MS
      ? { kind: "stale", raw, ino }
      : { kind: "held", owner: null };
  }
  return isProcessAlive(content.owner)
    ? { kind: "held", owner: content.owner }
    : { kind: "stale", raw, ino };
}

function parseContent(raw: string): LockContent | null {
  try {
    const value = JSON.parse(raw) as Partial<LockContent>;
    if (!isProcessIdentity(value.owner) || typeof value.nonce !== "string") return null;
    return value as LockContent;
  } catch {
    return null;
  }
}

function tryCreate(lockPath: string, content: LockContent): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(content));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Remove a stale lock without racing other recoverers: only the holder of the recovery marker
 * (itself an O_EXCL file) may delete the lock, and only after re-checking that the file is still
 * the stale one it observed. A live lock is therefore never deleted by mistake.
 */
function recoverStale(lockPath: string, stale: { raw: string; ino: number }): boolean {
  const marker = `${lockPath}.recover`;
  let fd: number;
  try {
    fd = openSync(marker, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    try {
      if (Date.now() - statSync(marker).mtimeMs > RECOVERY_STALE_MS)
        rmSync(marker, { force: true });
    } catch {
      // The other recoverer finished meanwhile.
    }
    return false;
  }
  closeSync(fd);
  try {
    const again = observe(lockPath);
    if (again.kind === "stale" && again.raw === stale.raw && again.ino === stale.ino) {
      unlinkSync(lockPath);
    }
    return true;
  } finally {
    rmSync(marker, { force: true });
  }
}

function lockedError(lockPath: string, owner: ProcessIdentity | null): MiningError {
  const who = owner ? `process ${owner.pid}` : "another process";
  return new MiningError(
    ErrorCodes.LOCKED,
    `another mining command (${who}) holds the lock ${lockPath}`,
    {
      hint: owner
        ? `wait for process ${owner.pid} to finish and try again`
        : "wait a moment and try again",
      details: { lockPath, ownerPid: owner?.pid ?? null },
    },
  );
}

/**
 * Take an exclusive lock file holding this process's identity. A lock whose owner is dead (or
 * whose PID now belongs to another process) is recovered. Contention → MiningError E_LOCKED.
 */
export async function acquireLock(
  lockPath: string,
  options: LockOptions = {},
): Promise<LockHandle> {
  const timeoutMs = options.timeoutMs ?? 0;
  const retryMs = options.retryMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  ensurePrivateDir(path.dirname(lockPath));
  const content: LockContent = {
    owner: currentProcessIdentity(),
    nonce: randomBytes(12).toString("hex"),
    acquiredAt: Date.now(),
  };
  for (;;) {
    if (tryCreate(lockPath, content)) return makeHandle(lockPath, content.nonce);
    const seen = observe(lockPath);
    if (seen.kind === "absent") continue;
    if (seen.kind === "stale" && recoverStale(lockPath, seen)) continue;
    if (Date.now() >= deadline) {
      throw lockedError(lockPath, seen.kind === "held" ? seen.owner : null);
    }
    await sleep(retryMs);
  }
}

function makeHandle(lockPath: string, nonce: string): LockHandle {
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      let raw: string;
      try {
        raw = readFileSync(lockPath, "utf8");
      } catch {
        return;
      }
      // Only delete our own lock: if it was (wrongly) recovered, the file is someone else's now.
      if (parseContent(raw)?.nonce === nonce) rmSync(lockPath, { force: true });
    },
  };
}

/** Run `fn` while holding the lock; the lock is released however `fn` ends. */
export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const handle = await acquireLock(lockPath, options);
  try {
    return await fn();
  } finally {
    await handle.release();
  }
}
