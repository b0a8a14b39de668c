import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { HardwareInfo } from "@openjarvis/mining-core";
import { afterEach, describe, expect, it } from "vitest";
import provider, { cpuPearlProvider, hasWasmSimd, writeCalibration } from "../src/index.js";

const hardware: HardwareInfo = {
  platform: "linux",
  arch: "x64",
  cpuBrand: "Test CPU",
  cpuCount: 2,
  cpuFlags: [],
  ramGb: 8,
  gpus: [],
};

const saved = process.env.OPENJARVIS_HOME;
const dirs: string[] = [];
afterEach(() => {
  if (saved === undefined) delete process.env.OPENJARVIS_HOME;
  else process.env.OPENJARVIS_HOME = saved;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function freshHome(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-pearl-detect-"));
  dirs.push(dir);
  process.env.OPENJARVIS_HOME = dir;
  return dir;
}

describe("detect", () => {
  it("is the default and the named export, built for the current contract", () => {
    expect(provider).toBe(cpuPearlProvider);
    expect(provider.id).toBe("cpu-pearl");
    expect(provider.apiVersion).toBe(1);
    // Keys it reads, so loading a config does not warn about them.
    expect(provider.extraKeys).toEqual(
      expect.arrayContaining(["threads", "low_priority", "gateway_socket", "gateway_url"]),
    );
  });

  it("this Node has WebAssembly SIMD, so Linux, macOS and Windows are supported", () => {
    expect(hasWasmSimd()).toBe(true);
    freshHome();
    for (const platform of ["linux", "darwin", "win32"]) {
      const result = provider.detect({ ...hardware, platform }, "vllm", "any-model");
      expect(result).toEqual({ supported: true, estimatedHashrate: null });
    }
  });

  it("names the platform it does not support", () => {
    const result = provider.detect({ ...hardware, platform: "aix" }, "", "");
    expect(result.supported).toBe(false);
    expect(result.reason).toContain("'aix'");
  });

  it("estimates from a cached calibration without computing or writing anything", () => {
    const home = freshHome();
    const before = fs.readdirSync(home);
    expect(provider.detect(hardware, "", "").estimatedHashrate).toBeNull();
    expect(fs.readdirSync(home)).toEqual(before);
    writeCalibration(path.join(home, "cache"), {
      attemptsPerSecond: 12.5,
      threads: 2,
      shape: { m: 256, n: 128, k: 2048, rank: 128 },
      measuredAt: new Date().toISOString(),
      source: "bench",
    });
    expect(provider.detect(hardware, "", "").estimatedHashrate).toBe(12.5);
    fs.writeFileSync(path.join(home, "cache", "cpu-pearl", "calibration.json"), "{corrupt");
    expect(provider.detect(hardware, "", "").estimatedHashrate).toBeNull();
  });
});
