import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  currentProcessIdentity,
  isProcessAlive,
  readProcessStartTime,
  signalProcess,
} from "../src/index.js";
import { killAfterTest, tempDir } from "./helpers.js";

function deadPid(): number {
  const result = spawnSync("true");
  return result.pid!;
}

function sleeper(command = "sleep") {
  const child = spawn(command, ["30"], { stdio: "ignore" });
  killAfterTest(child.pid!);
  return child;
}

describe("process identity", () => {
  it("reads a stable start time for a live process and none for a dead one", () => {
    const mine = readProcessStartTime(process.pid);
    expect(mine).toMatch(process.platform === "linux" ? /^\d+$/ : /./);
    expect(readProcessStartTime(process.pid)).toBe(mine);
    expect(readProcessStartTime(deadPid())).toBeNull();
    expect(readProcessStartTime(-1)).toBeNull();
    expect(currentProcessIdentity()).toEqual({ pid: process.pid, startTime: mine });
  });

  it.runIf(process.platform === "linux")(
    "parses /proc/<pid>/stat when the command name contains spaces and parentheses",
    () => {
      const weird = path.join(tempDir(), "a) b (c");
      copyFileSync(spawnSync("sh", ["-c", "command -v sleep"]).stdout.toString().trim(), weird);
      chmodSync(weird, 0o755);
      const normal = sleeper();
      const odd = sleeper(weird);
      const normalStart = Number(readProcessStartTime(normal.pid!));
      const oddStart = Number(readProcessStartTime(odd.pid!));
      // Both started within a second of each other (start times are in clock ticks, ~100/s).
      expect(Number.isInteger(oddStart)).toBe(true);
      expect(Math.abs(oddStart - normalStart)).toBeLessThan(500);
      expect(isProcessAlive({ pid: odd.pid!, startTime: String(oddStart) })).toBe(true);
    },
  );

  it("is alive only when the PID exists and the start time matches (PID reuse)", () => {
    const child = sleeper();
    const identity = { pid: child.pid!, startTime: readProcessStartTime(child.pid!)! };
    expect(isProcessAlive(identity)).toBe(true);
    expect(isProcessAlive({ ...identity, startTime: `${identity.startTime}1` })).toBe(false);
    expect(isProcessAlive({ pid: deadPid(), startTime: identity.startTime })).toBe(false);
  });

  it("never signals a process whose identity does not match", async () => {
    const child = sleeper();
    const startTime = readProcessStartTime(child.pid!)!;
    expect(signalProcess({ pid: child.pid!, startTime: "12345" }, "SIGTERM")).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    const exited = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    expect(signalProcess({ pid: child.pid!, startTime }, "SIGTERM")).toBe(true);
    expect(await exited).toBe("SIGTERM");
    expect(signalProcess({ pid: child.pid!, startTime }, "SIGTERM")).toBe(false);
  });
});
