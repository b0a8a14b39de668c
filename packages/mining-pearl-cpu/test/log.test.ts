import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SupervisorLog } from "../src/log.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("SupervisorLog", () => {
  it("writes redacted, colourless single lines", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-pearl-log-"));
    dirs.push(dir);
    const file = path.join(dir, "cpu-pearl.log");
    const log = new SupervisorLog(file, 10_000, ["topsecret"]);
    log.info("password is topsecret\nPEARLD_RPC_PASSWORD=other \x1b[32mgreen\x1b[0m");
    const text = fs.readFileSync(file, "utf8");
    expect(text).toMatch(
      /^\d{4}-\d\d-\d\dT\S+ info password is \*\*\* \| PEARLD_RPC_PASSWORD=\*\*\* green\n$/,
    );
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
  });

  it("stays within its bound by rotating", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-pearl-log-"));
    dirs.push(dir);
    const file = path.join(dir, "cpu-pearl.log");
    const log = new SupervisorLog(file, 2_000);
    for (let i = 0; i < 200; i += 1) log.warn(`line ${i} ${"x".repeat(40)}`);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(2_000);
    expect(fs.statSync(`${file}.1`).size).toBeLessThanOrEqual(2_000);
    expect(fs.existsSync(`${file}.3`)).toBe(false);
    expect(fs.readFileSync(file, "utf8")).toContain("line 199");
  });

  it("never throws when the file cannot be written", () => {
    const log = new SupervisorLog("/proc/definitely/not/writable.log", 10_000);
    expect(() => log.error("still fine")).not.toThrow();
  });
});

describe("provider.logs", () => {
  it("tails the log and follows new lines until aborted", async () => {
    const { miningPaths } = await import("@openjarvis/mining-core");
    const { cpuPearlProvider } = await import("../src/index.js");
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-pearl-logs-"));
    dirs.push(home);
    const paths = miningPaths({ OPENJARVIS_HOME: home });
    fs.mkdirSync(paths.miningLogsDir, { recursive: true });
    const file = path.join(paths.miningLogsDir, "cpu-pearl.log");
    fs.writeFileSync(file, "one\ntwo\nthree\n");
    const abort = new AbortController();
    const seen: string[] = [];
    const logs = cpuPearlProvider.logs?.(
      { paths, env: {} },
      { tail: 2, follow: true, signal: abort.signal },
    );
    const reading = (async () => {
      for await (const line of logs ?? []) {
        seen.push(line);
        if (line === "four") fs.appendFileSync(file, "five\n");
        if (line === "five") abort.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    fs.appendFileSync(file, "four\n");
    await reading;
    expect(seen).toEqual(["two", "three", "four", "five"]);
  });
});
