/**
 * Everything a command may touch in the outside world. Commands receive this instead of reading
 * `process`, so tests run them in-process with captured output and a fake environment.
 */
import type { Readable } from "node:stream";

export type Env = Readonly<Record<string, string | undefined>>;

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Input for interactive prompts; absent means "never prompt". */
  stdin?: Readable;
  env: Env;
  cwd: string;
  /** Whether a person is watching: colours, spinners, in-place refresh and prompts need it. */
  isTTY: boolean;
  /** Terminal width, when known. */
  columns?: number;
  /** Unix milliseconds; injectable so output with times is testable. */
  now?(): number;
  /** Aborted on Ctrl-C (or by a test) to end `--watch`, `logs -f` and long-running work. */
  signal?: AbortSignal;
  /** Replaces the @clack/prompts prompter (tests script the answers). */
  prompter?: Prompter;
}

export interface TextPrompt {
  message: string;
  initialValue?: string;
  placeholder?: string;
  /** Returns an error message, or undefined when the value is acceptable. */
  validate?(value: string): string | undefined;
}

export interface SelectPrompt<T extends string> {
  message: string;
  options: { value: T; label: string; hint?: string }[];
  initialValue?: T;
}

/** The prompts `init` needs. Implementations throw E_ABORTED when the person cancels. */
export interface Prompter {
  text(prompt: TextPrompt): Promise<string>;
  select<T extends string>(prompt: SelectPrompt<T>): Promise<T>;
}

/** The real process: used by `bin.ts` only. */
export function processIo(): Io {
  const controller = new AbortController();
  // The first Ctrl-C asks the command to wind down; a second one gets Node's default (exit).
  const abort = () => controller.abort();
  process.once("SIGINT", abort);
  process.once("SIGTERM", abort);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY && process.stderr.isTTY),
    columns: process.stdout.columns,
    now: () => Date.now(),
    signal: controller.signal,
  };
}
