import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

const cleanups: Array<() => void> = [];

afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

/** A fresh temporary directory removed after the test. */
export function tempDir(prefix = "mc-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Kill this process group after the test, whatever happened. */
export function killAfterTest(pid: number): void {
  cleanups.push(() => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // gone
      }
    }
  });
}

export function onCleanup(fn: () => void): void {
  cleanups.push(fn);
}

/** Path of the bundled package for plain-Node child processes (built by global-setup). */
export function childEntry(): string {
  const entry = process.env.MINING_CORE_CHILD_ENTRY;
  if (!entry) throw new Error("global setup did not build the child bundle");
  return entry;
}

export const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
