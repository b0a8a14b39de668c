/** Reading the supervisor's log: the last lines, and following new ones as they are appended. */
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** The last `count` lines of a file (reads at most the final 1 MiB); [] when it is missing. */
export function lastLines(file: string, count: number): string[] {
  if (count <= 0) return [];
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 1024 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    if (length < size) lines.shift();
    return lines.slice(-count);
  } finally {
    fs.closeSync(fd);
  }
}

/** Yields lines appended after the call, until `signal` aborts. Survives rotation. */
export async function* followLines(file: string, signal?: AbortSignal): AsyncIterable<string> {
  let offset = (() => {
    try {
      return fs.statSync(file).size;
    } catch {
      return 0;
    }
  })();
  let partial = "";
  while (!signal?.aborted) {
    let size = 0;
    try {
      size = fs.statSync(file).size;
    } catch {
      size = 0;
    }
    if (size < offset) offset = 0;
    if (size > offset) {
      const fd = fs.openSync(file, "r");
      try {
        const buffer = Buffer.alloc(size - offset);
        fs.readSync(fd, buffer, 0, buffer.length, offset);
        offset = size;
        const lines = (partial + buffer.toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) yield line;
      } finally {
        fs.closeSync(fd);
      }
    }
    try {
      await sleep(200, undefined, { signal });
    } catch {
      return;
    }
  }
}
