import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCodes, MiningError } from "./errors.js";
import { ensurePrivateDir } from "./paths.js";
import {
  isProcessAlive,
  isProcessGroupAlive,
  type ProcessIdentity,
  readProcessStartTime,
} from "./process.js";

export interface SpawnDetachedOptions {
  command: string;
  /** Never put secrets here: argv is visible to every user via `ps`. Use `env`. */
  args: readonly string[];
  /** The child's complete environment (nothing is inherited implicitly). */
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** stdout and stderr are appended here (created 0600 in a 0700 directory). */
  logFile: string;
  /** Start `logFile` empty instead of appending. */
  truncateLog?: boolean;
  /**
   * Written to the child's stdin, which is then closed: how a secret reaches a child that must
   * not hold it in its environment (argv is public, and a child's env is inherited by its own).
   */
  stdin?: string;
}

/**
 * Start a child that outlives us: its own process group (so `stopProcess` can signal all of
 * it), stdin ignored unless given, output appended to `logFile` through a raw fd (a pipe through this process
 * would kill the child when we exit), and unref'd so we can exit.
 */
export function spawnDetached(options: SpawnDetachedOptions): ProcessIdentity {
  ensurePrivateDir(path.dirname(options.logFile));
  const fd = openSync(options.logFile, options.truncateLog ? "w" : "a", 0o600);
  let pid: number | undefined;
  try {
    const child = spawn(options.command, [...options.args], {
      detached: true,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", fd, fd],
      env: options.env as NodeJS.ProcessEnv,
      cwd: options.cwd,
    });
    // The failure is reported synchronously below (pid undefined); this keeps it from crashing us.
    child.on("error", () => {});
    if (options.stdin !== undefined) {
      child.stdin?.on("error", () => {});
      child.stdin?.end(options.stdin);
    }
    pid = child.pid;
    child.unref();
  } finally {
    closeSync(fd);
  }
  if (pid === undefined) {
    throw new MiningError(
      ErrorCodes.START_FAILED,
      `could not start ${options.command}: not found or not executable`,
      {
        hint: "check that the program is installed and on PATH",
        details: { command: options.command },
      },
    );
  }
  return { pid, startTime: readProcessStartTime(pid) ?? "" };
}

export interface StopOptions {
  /** Time between the polite signal and SIGKILL (default 5000 ms). */
  graceMs?: number;
  /** Signal the whole process group (default true). */
  group?: boolean;
  /** The polite signal (default SIGTERM). */
  signal?: "SIGTERM" | "SIGINT";
  /** Poll interval while waiting (default 25 ms). */
  pollMs?: number;
}

function killQuietly(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Stop a process we started: the polite signal to its group, SIGKILL after `graceMs`, resolved
 * once it (and, with `group`, every member of its group) is gone. An identity that no longer
 * matches a live process is never signalled; then this resolves false.
 *
 * Signalling the group after its leader died is safe: the kernel does not hand out a PID that is
 * still in use as a process-group id, so `-pid` still names our group.
 */
export async function stopProcess(
  identity: ProcessIdentity,
  options: StopOptions = {},
): Promise<boolean> {
  const graceMs = options.graceMs ?? 5_000;
  const group = options.group ?? true;
  const pollMs = options.pollMs ?? 25;
  if (!isProcessAlive(identity)) return false;
  const target = group ? -identity.pid : identity.pid;
  const gone = () => !isProcessAlive(identity) && (!group || !isProcessGroupAlive(identity.pid));
  killQuietly(target, options.signal ?? "SIGTERM");
  const politeDeadline = Date.now() + graceMs;
  while (!gone() && Date.now() < politeDeadline) await sleep(pollMs);
  if (gone()) return true;
  killQuietly(target, "SIGKILL");
  const killDeadline = Date.now() + 5_000;
  while (!gone()) {
    if (Date.now() > killDeadline) {
      throw new MiningError(
        ErrorCodes.STOP_FAILED,
        `process ${identity.pid} did not exit after SIGKILL`,
        {
          hint: "it may be stuck in the kernel (uninterruptible I/O); check `ps` and try again",
          details: { pid: identity.pid },
        },
      );
    }
    await sleep(pollMs);
  }
  return true;
}
