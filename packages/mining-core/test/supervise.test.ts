import { execFileSync, spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  isMiningError,
  isProcessAlive,
  type ProcessIdentity,
  readProcessStartTime,
  spawnDetached,
  stopProcess,
} from "../src/index.js";
import { childEntry, killAfterTest, onCleanup, tempDir } from "./helpers.js";

const PATH_ONLY = { PATH: process.env.PATH };

function detached(
  script: string,
  logFile: string,
  env: Record<string, string | undefined> = PATH_ONLY,
) {
  const identity = spawnDetached({ command: "sh", args: ["-c", script], env, logFile });
  killAfterTest(identity.pid);
  return identity;
}

async function waitForLog(logFile: string, text: string): Promise<void> {
  await vi.waitFor(
    () => {
      expect(readFileSync(logFile, "utf8")).toContain(text);
    },
    { timeout: 5_000, interval: 20 },
  );
}

function processGroupOf(pid: number): number {
  return Number(
    execFileSync("ps", ["-o", "pgid=", "-p", String(pid)], { encoding: "utf8" }).trim(),
  );
}

// Zombies count as gone: where PID 1 does not reap orphans they linger after death.
const pidAlive = (pid: number) => readProcessStartTime(pid) !== null;

describe("spawnDetached", () => {
  it("starts a child in its own process group with stdout+stderr appended to a private log", async () => {
    const logFile = path.join(tempDir(), "logs", "mining", "child.log");
    // Only the env we pass reaches the child, not ours.
    process.env.OJ_TEST_SECRET = "must-not-leak";
    onCleanup(() => {
      delete process.env.OJ_TEST_SECRET;
    });
    const first = detached("echo first-run", logFile);
    await vi.waitFor(() => expect(isProcessAlive(first)).toBe(false), { timeout: 5_000 });
    const identity = detached(
      'echo "to stdout $GREETING"; echo "to stderr" >&2; echo "secret=$OJ_TEST_SECRET."; sleep 30',
      logFile,
      { ...PATH_ONLY, GREETING: "hello" },
    );
    await waitForLog(logFile, "secret=");
    expect(processGroupOf(identity.pid)).toBe(identity.pid);
    expect(isProcessAlive(identity)).toBe(true);
    const log = readFileSync(logFile, "utf8");
    expect(log).toBe("first-run\nto stdout hello\nto stderr\nsecret=.\n");
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(logFile)).mode & 0o777).toBe(0o700);
    expect(await stopProcess(identity, { graceMs: 2_000 })).toBe(true);
    expect(isProcessAlive(identity)).toBe(false);
  });

  it("hands a secret over stdin, never argv or env, and can start the log empty", async () => {
    const dir = tempDir();
    const logFile = path.join(dir, "child.log");
    const secret = "s3cret-over-stdin";
    writeFileSync(logFile, "stale line\n");
    const identity = spawnDetached({
      command: "sh",
      args: [
        "-c",
        'read -r line; printf "got %s chars\\n" "$(printf %s "$line" | wc -c)"; sleep 30',
      ],
      env: PATH_ONLY,
      logFile,
      truncateLog: true,
      stdin: `${secret}\n`,
    });
    killAfterTest(identity.pid);
    await waitForLog(logFile, `got ${secret.length} chars`);
    expect(readFileSync(logFile, "utf8")).not.toContain("stale line");
    expect(readFileSync(`/proc/${identity.pid}/cmdline`, "utf8")).not.toContain(secret);
    expect(readFileSync(`/proc/${identity.pid}/environ`, "utf8")).not.toContain(secret);
    await stopProcess(identity, { graceMs: 500 });
  });

  it("reports a missing program as E_START_FAILED", () => {
    let caught: unknown;
    try {
      spawnDetached({
        command: "definitely-not-a-program-xyz",
        args: [],
        env: PATH_ONLY,
        logFile: path.join(tempDir(), "x.log"),
      });
    } catch (error) {
      caught = error;
    }
    expect(isMiningError(caught) && caught.code).toBe("E_START_FAILED");
  });

  it("keeps running after the process that started it exits", async () => {
    const dir = tempDir();
    const logFile = path.join(dir, "orphan.log");
    const parent = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { spawnDetached } = await import(process.env.ENTRY);
         const id = spawnDetached({ command: "sh", args: ["-c", "echo alive; sleep 30"], env: { PATH: process.env.PATH }, logFile: process.env.LOG });
         process.stdout.write(JSON.stringify(id));`,
      ],
      {
        env: { ...process.env, ENTRY: childEntry(), LOG: logFile },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    parent.stdout.on("data", (chunk) => {
      out += chunk;
    });
    const code = await new Promise((resolve) => parent.on("exit", resolve));
    expect(code).toBe(0);
    const identity = JSON.parse(out) as ProcessIdentity;
    killAfterTest(identity.pid);
    await waitForLog(logFile, "alive");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isProcessAlive(identity)).toBe(true);
    expect(await stopProcess(identity, { graceMs: 2_000 })).toBe(true);
    expect(isProcessAlive(identity)).toBe(false);
  });
});

describe("stopProcess", () => {
  it("escalates to SIGKILL after the grace period when SIGTERM is ignored", async () => {
    const logFile = path.join(tempDir(), "stubborn.log");
    const identity = detached(
      'trap "" TERM INT; echo ready; while :; do sleep 0.05; done',
      logFile,
    );
    await waitForLog(logFile, "ready");
    const started = Date.now();
    expect(await stopProcess(identity, { graceMs: 300 })).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(isProcessAlive(identity)).toBe(false);
  });

  it("stops the whole process group, including grandchildren", async () => {
    const dir = tempDir();
    const logFile = path.join(dir, "group.log");
    const identity = detached("sleep 30 & echo grandchild=$!; wait", logFile);
    await waitForLog(logFile, "grandchild=");
    const grandchild = Number(/grandchild=(\d+)/.exec(readFileSync(logFile, "utf8"))![1]);
    killAfterTest(grandchild);
    expect(pidAlive(grandchild)).toBe(true);
    expect(await stopProcess(identity, { graceMs: 2_000 })).toBe(true);
    await vi.waitFor(() => expect(pidAlive(grandchild)).toBe(false), { timeout: 2_000 });
  });

  it("never signals a process whose start time does not match, and resolves false", async () => {
    const logFile = path.join(tempDir(), "other.log");
    const identity = detached("echo up; sleep 30", logFile);
    await waitForLog(logFile, "up");
    const impostor = { pid: identity.pid, startTime: "1" };
    expect(await stopProcess(impostor, { graceMs: 100 })).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isProcessAlive(identity)).toBe(true);
    expect(await stopProcess(identity, { graceMs: 2_000 })).toBe(true);
    expect(await stopProcess(identity)).toBe(false);
  });
});
