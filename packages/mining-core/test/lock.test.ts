import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, currentProcessIdentity, isMiningError, withLock } from "../src/index.js";
import { childEntry, killAfterTest, tempDir } from "./helpers.js";

function lockFile(): string {
  return path.join(tempDir(), "runtime", "mining.lock");
}

async function codeOf(promise: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await promise;
    return {};
  } catch (error) {
    return isMiningError(error)
      ? { code: error.code, message: error.message }
      : { message: String(error) };
  }
}

function writeLock(file: string, owner: { pid: number; startTime: string }): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ owner, nonce: "stale", acquiredAt: 0 }));
}

// A child that races for the lock at a shared instant, holds it briefly, and reports.
const RACER = `
const { acquireLock } = await import(process.env.ENTRY);
const startAt = Number(process.env.START_AT);
while (Date.now() < startAt) {}
try {
  const handle = await acquireLock(process.env.LOCK, { timeoutMs: 0 });
  process.stdout.write("won");
  await new Promise((r) => setTimeout(r, Number(process.env.HOLD_MS)));
  await handle.release();
} catch (error) {
  process.stdout.write(error.code ?? String(error));
}
`;

async function race(file: string, racers: number): Promise<string[]> {
  const startAt = Date.now() + 1000;
  const children = Array.from({ length: racers }, () => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", RACER], {
      env: {
        ...process.env,
        ENTRY: childEntry(),
        LOCK: file,
        START_AT: String(startAt),
        HOLD_MS: "1000",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    killAfterTest(child.pid!);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    return new Promise<string>((resolve) => child.on("exit", () => resolve(out)));
  });
  return Promise.all(children);
}

describe("acquireLock", () => {
  it("is exclusive within a process and reusable after release", async () => {
    const file = lockFile();
    const first = await acquireLock(file);
    const second = await codeOf(acquireLock(file));
    expect(second.code).toBe("E_LOCKED");
    expect(second.message).toContain(`process ${process.pid}`);
    await first.release();
    await first.release();
    const again = await acquireLock(file);
    await again.release();
    expect(existsSync(file)).toBe(false);
  });

  it("waits up to timeoutMs for the holder to release", async () => {
    const file = lockFile();
    const first = await acquireLock(file);
    setTimeout(() => void first.release(), 150);
    const second = await acquireLock(file, { timeoutMs: 5_000 });
    await second.release();
  });

  it("recovers a lock whose owner is dead", async () => {
    const file = lockFile();
    const dead = spawnSync("true").pid!;
    writeLock(file, { pid: dead, startTime: "1" });
    const handle = await acquireLock(file);
    await handle.release();
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });

  it("recovers a lock whose PID was reused by another process (start time differs)", async () => {
    const file = lockFile();
    writeLock(file, { pid: process.pid, startTime: `${currentProcessIdentity().startTime}0` });
    const handle = await acquireLock(file);
    await handle.release();
  });

  it("does not steal a lock held by a live process and names its PID", async () => {
    const file = lockFile();
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { acquireLock } = await import(process.env.ENTRY);
         await acquireLock(process.env.LOCK);
         process.stdout.write("held");
         setTimeout(() => {}, 30000);`,
      ],
      {
        env: { ...process.env, ENTRY: childEntry(), LOCK: file },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    killAfterTest(holder.pid!);
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    const result = await codeOf(acquireLock(file, { timeoutMs: 200 }));
    expect(result.code).toBe("E_LOCKED");
    expect(result.message).toContain(`process ${holder.pid}`);
    // Once the holder dies, its lock is stale and recovered.
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    holder.kill("SIGKILL");
    await exited;
    const handle = await acquireLock(file);
    await handle.release();
  });

  it("treats a fresh empty lock as held (a writer mid-create) and an old one as stale", async () => {
    const file = lockFile();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "");
    expect((await codeOf(acquireLock(file))).code).toBe("E_LOCKED");
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const handle = await acquireLock(file);
    await handle.release();
  });

  it("clears the marker of a recoverer that crashed mid-recovery", async () => {
    const file = lockFile();
    writeLock(file, { pid: spawnSync("true").pid!, startTime: "1" });
    writeFileSync(`${file}.recover`, "");
    expect((await codeOf(acquireLock(file))).code).toBe("E_LOCKED");
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.recover`, old, old);
    const handle = await acquireLock(file, { timeoutMs: 2_000 });
    await handle.release();
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });

  it("lets exactly one of several racing processes win", async () => {
    const results = await race(lockFile(), 5);
    expect(results.filter((r) => r === "won")).toHaveLength(1);
    expect(results.filter((r) => r === "E_LOCKED")).toHaveLength(4);
  });

  it("lets exactly one of several processes win when they all find the same stale lock", async () => {
    const file = lockFile();
    writeLock(file, { pid: spawnSync("true").pid!, startTime: "1" });
    const results = await race(file, 5);
    expect(results.filter((r) => r === "won")).toHaveLength(1);
    expect(results.filter((r) => r === "E_LOCKED")).toHaveLength(4);
  });
});

describe("withLock", () => {
  it("releases the lock when the function throws", async () => {
    const file = lockFile();
    await expect(
      withLock(file, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await withLock(file, () => 42)).toBe(42);
    expect(existsSync(file)).toBe(false);
  });
});
