/**
 * The supervisor's log: one file, every line redacted (the known password value and the
 * password patterns Pearl prints) before it is written, rotated when it grows past its bound.
 */
import * as fs from "node:fs";
import { redactSecrets, rotateLogIfLarge, stripAnsi } from "@openjarvis/mining-core";

/** Rotated files kept next to the live one (`.1`, `.2`): the log never exceeds 3× its bound. */
const KEEP_ROTATED = 2;

export class SupervisorLog {
  private size: number;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly secrets: readonly string[] = [],
  ) {
    try {
      this.size = fs.statSync(file).size;
    } catch {
      this.size = 0;
    }
  }

  /** Appends one line with a timestamp; never throws (a full disk must not stop mining). */
  write(level: "info" | "warn" | "error", message: string): void {
    const clean = redactSecrets(stripAnsi(message), this.secrets).replace(/\r?\n/g, " | ");
    const line = `${new Date().toISOString()} ${level} ${clean}\n`;
    try {
      if (this.size + Buffer.byteLength(line) > this.maxBytes) {
        rotateLogIfLarge(this.file, 0, KEEP_ROTATED);
        this.size = 0;
      }
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
}
