import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * If `file` is larger than `maxBytes`, shift it to `file.1` (and `.1` → `.2` …, dropping the
 * oldest beyond `keep`). Returns whether it rotated. A process that still holds the old file open
 * keeps writing to `file.1`, so rotate before (re)starting the writer.
 */
export function rotateLogIfLarge(file: string, maxBytes: number, keep = 3): boolean {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  if (keep < 1) {
    rmSync(file, { force: true });
    return true;
  }
  rmSync(`${file}.${keep}`, { force: true });
  for (let index = keep - 1; index >= 1; index--) {
    if (existsSync(`${file}.${index}`)) renameSync(`${file}.${index}`, `${file}.${index + 1}`);
  }
  renameSync(file, `${file}.1`);
  return true;
}

/** The last `n` lines of a file (without reading all of a large file); [] when missing. */
export async function tailLines(file: string, n: number): Promise<string[]> {
  if (n <= 0) return [];
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const chunkSize = 64 * 1024;
    let position = size;
    let text = "";
    let newlines = 0;
    while (position > 0 && newlines <= n) {
      const length = Math.min(chunkSize, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      const chunk = buffer.toString("latin1");
      newlines += chunk.split("\n").length - 1;
      text = chunk + text;
    }
    const lines = Buffer.from(text, "latin1").toString("utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines.slice(-n).map((line) => line.replace(/\r$/, ""));
  } finally {
    await handle.close();
  }
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Start at the current end of the file (default) or at its beginning. */
  fromStart?: boolean;
  /** How often to look for new data (default 200 ms). */
  pollMs?: number;
}

/**
 * New complete lines appended to `file`, until `signal` aborts. Survives the file being created
 * later, truncated or rotated (it then reads the new file from the start).
 */
export async function* followFile(
  file: string,
  options: FollowOptions = {},
): AsyncGenerator<string> {
  const pollMs = options.pollMs ?? 200;
  const sizeOf = async () => {
    try {
      const info = await stat(file);
      return { size: info.size, ino: info.ino };
    } catch {
      return null;
    }
  };
  const initial = await sizeOf();
  let position = options.fromStart ? 0 : (initial?.size ?? 0);
  let ino = initial?.ino;
  let pending = "";
  while (!options.signal?.aborted) {
    const current = await sizeOf();
    if (current && (current.ino !== ino || current.size < position)) {
      position = 0;
      pending = "";
      ino = current.ino;
    }
    if (current && current.size > position) {
      const data = await readRange(file, position, current.size);
      position += data.length;
      pending += data.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (options.signal?.aborted) return;
        yield line.replace(/\r$/, "");
      }
      continue;
    }
    try {
      await sleep(pollMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
