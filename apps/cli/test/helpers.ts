import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Io, Prompter } from "../src/io.js";
import { type ProgramOptions, run } from "../src/program.js";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document. */
  json<T = Record<string, unknown>>(): T;
}

export interface JarvisOptions extends ProgramOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  isTTY?: boolean;
  stdin?: Readable;
  prompter?: Prompter;
  signal?: AbortSignal;
  now?: () => number;
}

/** Run `jarvis` in-process with captured output. */
export async function jarvis(argv: string[], options: JarvisOptions = {}): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    isTTY: options.isTTY ?? false,
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.prompter ? { prompter: options.prompter } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  const code = await run(argv, io, options.dispatch ? { dispatch: options.dispatch } : {});
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      return JSON.parse(stdout) as T;
    },
  };
}

export function tempDir(prefix = "jarvis-test-"): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Valid Taproot addresses (bech32m, witness v1, 32-byte program of 0x07s) per network. */
export const WALLETS = {
  mainnet: "prl1pqurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qursglmkpg",
  regtest: "rprl1pqurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qursefrsm4",
  testnet: "tprl1pqurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qursrslg7a",
} as const;
