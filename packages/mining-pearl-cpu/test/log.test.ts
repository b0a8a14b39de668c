import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { redact, SupervisorLog, stripAnsi } from "../src/log.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("redact", () => {
  it("removes known secret values and password-shaped assignments", () => {
    const secret = "hunter2-S3cret";
    expect(redact(`auth with ${secret} failed`, [secret])).toBe("auth with *** failed");
    expect(redact("PEARLD_RPC_PASSWORD=abc123 next", [])).toBe("PEARLD_RPC_PASSWORD=*** next");
    expect(redact('{"rpc_password": "abc"}', [])).toBe('{"rpc_password": "***"}');
    expect(redact("http://user:pw@host:1/", [])).toBe("http://user:***@host:1/");
    expect(redact("nothing secret here", [])).toBe("nothing secret here");
  });

  it("strips ANSI colour codes", () => {
    expect(stripAnsi("\x1b[32mINFO\x1b[0m ok")).toBe("INFO ok");
  });
});

describe("SupervisorLog", () => {
  it("writes redacted single lines and rotates past its bound", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-pearl-log-"));
    dirs.push(dir);
    const file = path.join(dir, "cpu-pearl.log");
    const log = new SupervisorLog(file, 2_000, ["topsecret"]);
    log.info("password is topsecret\nsecond line");
    const first = fs.readFileSync(file, "utf8");
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\S+ info password is \*\*\* \| second line\n$/);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
    for (let i = 0; i < 100; i += 1) log.warn(`line ${i} ${"x".repeat(40)}`);
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(2_000);
    expect(fs.statSync(`${file}.1`).size).toBeLessThanOrEqual(2_000);
    expect(fs.readFileSync(file, "utf8")).toContain("line 99");
  });

  it("never throws when the file cannot be written", () => {
    const log = new SupervisorLog("/proc/definitely/not/writable.log", 10_000);
    expect(() => log.error("still fine")).not.toThrow();
  });
});
