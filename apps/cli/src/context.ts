/** What every command receives: the outside world (`io`), the global flags, and output helpers. */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Env, Io, Prompter } from "./io.js";
import { type Colors, createColors } from "./ui/colors.js";
import {
  type ProgressBar,
  type ProgressTarget,
  type Spinner,
  startProgress,
  startSpinner,
} from "./ui/progress.js";
import { renderTable } from "./ui/table.js";

export interface GlobalFlags {
  json: boolean;
  debug: boolean;
  color: boolean;
  home?: string;
  config?: string;
}

export interface Ctx {
  io: Io;
  flags: GlobalFlags;
  /** `io.env` with `--home` / `--config` applied as OPENJARVIS_HOME / OPENJARVIS_CONFIG. */
  env: Env;
  colors: Colors;
  now(): number;
  /** Human result text on stdout (suppressed with `--json`). */
  print(text: string): void;
  /** Notes, progress and warnings on stderr (suppressed with `--json`). */
  note(text: string): void;
  warn(text: string): void;
  /** Machine output: one JSON document on stdout, only with `--json`. */
  json(value: unknown): void;
  table(head: string[], rows: string[][]): string;
  spinner(message: string): Spinner;
  progress(): ProgressBar;
  /** Interactive prompts are possible: a TTY, input, and neither `--json` nor a test without one. */
  canPrompt: boolean;
  prompter?: Prompter;
}

export function createCtx(io: Io, flags: GlobalFlags): Ctx {
  const env: Record<string, string | undefined> = { ...io.env };
  if (flags.home) env.OPENJARVIS_HOME = resolveFrom(io.cwd, env, flags.home);
  if (flags.config) env.OPENJARVIS_CONFIG = resolveFrom(io.cwd, env, flags.config);
  const colors = createColors({ isTTY: io.isTTY, noColor: !flags.color, env });
  const target: ProgressTarget = {
    write: (text) => io.stderr(text),
    animate: io.isTTY,
    silent: flags.json,
  };
  const line = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);
  return {
    io,
    flags,
    env,
    colors,
    now: () => (io.now ? io.now() : Date.now()),
    print: (text) => {
      if (!flags.json) io.stdout(line(text));
    },
    note: (text) => {
      if (!flags.json) io.stderr(line(text));
    },
    warn: (text) => {
      if (!flags.json) io.stderr(line(`${colors.yellow("warning:")} ${text}`));
    },
    json: (value) => {
      if (flags.json) io.stdout(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
    },
    table: renderTable,
    spinner: (message) => startSpinner(target, message),
    progress: () => startProgress(target),
    canPrompt: Boolean(
      io.isTTY &&
        !flags.json &&
        (io.prompter || (io.stdin as { isTTY?: boolean } | undefined)?.isTTY),
    ),
    prompter: io.prompter,
  };
}

/** bigint (targets, heights from the wire) as decimal strings instead of a TypeError. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

function resolveFrom(cwd: string, env: Env, path: string): string {
  if (path === "~" || path.startsWith("~/")) return join(env.HOME ?? homedir(), path.slice(1));
  return resolve(cwd, path);
}
