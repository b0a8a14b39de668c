import { mkdirSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ensurePrivateDir, maxSocketPathBytes, miningPaths, safeSocketPath } from "../src/index.js";
import { tempDir } from "./helpers.js";

describe("miningPaths", () => {
  it("prefers OPENJARVIS_HOME, then XDG_DATA_HOME, then ~/.openjarvis", () => {
    expect(miningPaths({ OPENJARVIS_HOME: "/a/home", XDG_DATA_HOME: "/x" }).home).toBe("/a/home");
    expect(miningPaths({ XDG_DATA_HOME: "/x" }).home).toBe("/x/openjarvis");
    expect(miningPaths({ HOME: "/u/me" }).home).toBe("/u/me/.openjarvis");
  });

  it("lays out every path under home", () => {
    const paths = miningPaths({ OPENJARVIS_HOME: "/h" });
    expect(paths).toEqual({
      home: "/h",
      runtimeDir: "/h/runtime",
      logsDir: "/h/logs",
      miningLogsDir: "/h/logs/mining",
      configPath: "/h/config.toml",
      sidecarPath: "/h/runtime/mining.json",
      lockPath: "/h/runtime/mining.lock",
      telemetryDir: "/h/telemetry",
      cacheDir: "/h/cache",
    });
    expect(
      miningPaths({ OPENJARVIS_HOME: "/h", OPENJARVIS_CONFIG: "/etc/oj.toml" }).configPath,
    ).toBe("/etc/oj.toml");
  });

  it("reads the environment at call time, not at import time", () => {
    const before = process.env.OPENJARVIS_HOME;
    try {
      process.env.OPENJARVIS_HOME = "/first";
      expect(miningPaths().home).toBe("/first");
      process.env.OPENJARVIS_HOME = "/second";
      expect(miningPaths().sidecarPath).toBe("/second/runtime/mining.json");
    } finally {
      if (before === undefined) delete process.env.OPENJARVIS_HOME;
      else process.env.OPENJARVIS_HOME = before;
    }
  });
});

describe("ensurePrivateDir", () => {
  it("creates nested directories with mode 0700 and tightens an existing one", () => {
    const root = tempDir();
    const dir = ensurePrivateDir(path.join(root, "a", "b"));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(root, "a")).mode & 0o777).toBe(0o700);
    const loose = path.join(root, "loose");
    mkdirSync(loose, { mode: 0o755 });
    ensurePrivateDir(loose);
    expect(statSync(loose).mode & 0o777).toBe(0o700);
  });
});

describe("safeSocketPath", () => {
  it("keeps a short path and replaces one over the OS limit with a stable short one", () => {
    expect(safeSocketPath("/tmp/x.sock")).toBe("/tmp/x.sock");
    const long = `/home/${"very-long-directory-name/".repeat(6)}runtime/gateway.sock`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(maxSocketPathBytes());
    const short = safeSocketPath(long);
    expect(Buffer.byteLength(short)).toBeLessThanOrEqual(maxSocketPathBytes());
    expect(short.startsWith(os.tmpdir()) || short.startsWith("/tmp/")).toBe(true);
    expect(short).toMatch(/ojx-\d+-[0-9a-f]{16}\.sock$/);
    expect(safeSocketPath(long)).toBe(short);
    expect(safeSocketPath(`${long}2`)).not.toBe(short);
    expect(maxSocketPathBytes("linux")).toBe(107);
    expect(maxSocketPathBytes("darwin")).toBe(103);
  });

  it("returns a path a real Unix socket can listen on", async () => {
    const net = await import("node:net");
    const root = tempDir();
    const deep = path.join(root, "d".repeat(60), "e".repeat(60), "gateway.sock");
    mkdirSync(path.dirname(deep), { recursive: true });
    const socketPath = safeSocketPath(deep);
    expect(socketPath).not.toBe(deep);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
