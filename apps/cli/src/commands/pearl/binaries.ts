/**
 * Finding Pearl's native tools. Explicit roots (`--pearl-home`, `$PEARL_HOME`) win over PATH, and
 * nothing relative to the current directory is searched: a `./pearl/bin/pearld` planted in some
 * project must not run just because `jarvis` was started there.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import type { Ctx } from "../../context.js";

export const PEARL_BINARIES = ["pearld", "oyster", "prlctl"] as const;
export type PearlBinary = (typeof PEARL_BINARIES)[number];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function searchRoots(ctx: Ctx, pearlHome?: string): string[] {
  const roots = [pearlHome, ctx.env.PEARL_HOME].filter((r): r is string => Boolean(r));
  return roots.map((root) =>
    root.startsWith("~/") ? join(ctx.env.HOME ?? "", root.slice(2)) : root,
  );
}

/** The executable's path, or null. Order: explicit roots (`<root>/bin/<name>`), PATH, `~/pearl/bin`. */
export function findBinary(ctx: Ctx, name: string, pearlHome?: string): string | null {
  for (const root of searchRoots(ctx, pearlHome)) {
    const candidate = join(root, "bin", name);
    if (isExecutable(candidate)) return candidate;
  }
  for (const dir of (ctx.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  if (ctx.env.HOME) {
    const candidate = join(ctx.env.HOME, "pearl", "bin", name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export const GET_PEARL_HINT =
  "build Pearl from https://github.com/pearl-research-labs/pearl (see its README), then set " +
  "PEARL_HOME=/path/to/pearl (its bin/ is searched) or put the binaries on PATH; " +
  "`jarvis pearl doctor` shows what is found";

export function requireBinary(ctx: Ctx, name: string, pearlHome?: string): string {
  const found = findBinary(ctx, name, pearlHome);
  if (found) return found;
  throw new MiningError(ErrorCodes.PEARL_BINARY_NOT_FOUND, `Pearl binary '${name}' not found`, {
    hint: GET_PEARL_HINT,
    details: { binary: name, searched: [...searchRoots(ctx, pearlHome), "PATH", "~/pearl/bin"] },
  });
}

/**
 * Run a native tool and return its exit code (128 + n when killed by signal n). On a terminal it
 * gets the terminal; otherwise its output is forwarded through `io` so it can be captured.
 */
export function runBinary(
  ctx: Ctx,
  file: string,
  args: string[],
  options: { capture?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const interactive = ctx.io.isTTY && !options.capture;
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(file, args, {
      env: { ...ctx.env, ...options.env } as NodeJS.ProcessEnv,
      cwd: ctx.io.cwd,
      stdio: interactive ? "inherit" : ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      if (options.capture) stdout += chunk;
      else ctx.io.stdout(chunk);
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      if (options.capture) stderr += chunk;
      else ctx.io.stderr(chunk);
    });
    const onAbort = () => child.kill("SIGINT");
    ctx.io.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (error) => {
      ctx.io.signal?.removeEventListener("abort", onAbort);
      rejectRun(
        new MiningError(ErrorCodes.IO, `cannot run ${file}: ${error.message}`, {
          hint: "check that the file is an executable for this machine",
          cause: error,
        }),
      );
    });
    child.on("close", (code, signal) => {
      ctx.io.signal?.removeEventListener("abort", onAbort);
      const signalNumber = signal ? (SIGNALS[signal] ?? 1) : 0;
      resolveRun({ code: code ?? 128 + signalNumber, stdout, stderr });
    });
  });
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
};
