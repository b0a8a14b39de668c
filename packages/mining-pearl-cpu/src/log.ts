/**
 * The supervisor's log: one file, every line redacted before it is written, rotated to `.1`
 * when it grows past its bound (so at most two bounded files exist).
 */
import fs from "node:fs";

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const PASSWORD_PATTERNS: RegExp[] = [
  /(PEARLD_RPC_PASSWORD\s*[=:]\s*)("?)[^\s"',}]+/gi,
  /("?(?:rpc_?password|rpcpass(?:word)?|password)"?\s*[=:]\s*"?)[^\s"',}]+/gi,
  /(\/\/[^\s/:@]+:)[^\s/@]+(?=@)/g,
];

/** Removes the given secret values and anything shaped like a password assignment. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 1) out = out.split(secret).join("***");
  }
  for (const pattern of PASSWORD_PATTERNS) {
    out = out.replace(pattern, (_match, prefix: string) => `${prefix}***`);
  }
  return out;
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

export class SupervisorLog {
  private size: number;
  private readonly secrets: string[];

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    secrets: readonly string[] = [],
  ) {
    this.secrets = secrets.filter((secret) => secret !== "");
    try {
      this.size = fs.statSync(file).size;
    } catch {
      this.size = 0;
    }
  }

  /** Appends one line with a timestamp; never throws (a full disk must not stop mining). */
  write(level: "info" | "warn" | "error", message: string): void {
    const clean = redact(stripAnsi(message), this.secrets).replace(/\r?\n/g, " | ");
    const line = `${new Date().toISOString()} ${level} ${clean}\n`;
    try {
      if (this.size + line.length > this.maxBytes) this.rotate();
      fs.appendFileSync(this.file, line, { mode: 0o600 });
      this.size += Buffer.byteLength(line);
    } catch {
      // Nothing sensible to do: the status endpoint still reports the last error.
    }
  }

  info(message: string): void {
    this.write("info", message);
  }

  warn(message: string): void {
    this.write("warn", message);
  }

  error(message: string): void {
    this.write("error", message);
  }

  private rotate(): void {
    try {
      fs.renameSync(this.file, `${this.file}.1`);
    } catch {
      // The file may already be gone; start a fresh one either way.
    }
    this.size = 0;
  }
}
