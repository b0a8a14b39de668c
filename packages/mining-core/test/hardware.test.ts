import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  detectHardware,
  freeDiskGb,
  type HardwareProbe,
  parseNvidiaSmiCsv,
  systemProbe,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

/** Put fake tools first on PATH. Each maps "args contain X" → stdout, or `fail` → exit 2. */
function fakeTools(tools: Record<string, string>): Record<string, string | undefined> {
  const bin = path.join(tempDir(), "bin");
  mkdirSync(bin);
  for (const [name, script] of Object.entries(tools)) {
    const file = path.join(bin, name);
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
  }
  return { PATH: `${bin}:/usr/bin:/bin` };
}

function nvidiaSmi(withCap: string | null, withoutCap: string): string {
  const first =
    withCap === null
      ? `echo 'Field "compute_cap" is not a valid field to query.' >&2; exit 2`
      : `cat <<'OUT'\n${withCap}\nOUT`;
  return `case "$*" in\n  *compute_cap*)\n${first}\n;;\n  *)\ncat <<'OUT'\n${withoutCap}\nOUT\n;;\nesac`;
}

const H100 = "0, GPU-5c1c3f4e-aaaa-bbbb-cccc-000000000001, NVIDIA H100 80GB HBM3, 81559, 9.0";
const RTX4090 = "0, GPU-9d8e7f6a-aaaa-bbbb-cccc-000000000002, NVIDIA GeForce RTX 4090, 24564, 8.9";

async function gpusWith(env: Record<string, string | undefined>, timeoutMs = 5_000) {
  return (await detectHardware({ env, timeoutMs })).gpus;
}

describe("detectHardware with fake nvidia-smi / rocm-smi on PATH", () => {
  it("reads an H100 80GB (81559 MiB → 79.6 GiB, compute 9.0)", async () => {
    const gpus = await gpusWith(fakeTools({ "nvidia-smi": nvidiaSmi(H100, "") }));
    expect(gpus).toEqual([
      {
        vendor: "nvidia",
        index: 0,
        name: "NVIDIA H100 80GB HBM3",
        vramGb: 79.6,
        computeCapability: "9.0",
        uuid: "GPU-5c1c3f4e-aaaa-bbbb-cccc-000000000001",
      },
    ]);
  });

  it("reads an RTX 4090", async () => {
    const gpus = await gpusWith(fakeTools({ "nvidia-smi": nvidiaSmi(RTX4090, "") }));
    expect(gpus).toMatchObject([
      { name: "NVIDIA GeForce RTX 4090", vramGb: 24, computeCapability: "8.9" },
    ]);
  });

  it("reports every GPU of a two-GPU host in index order", async () => {
    const rows = `1, GPU-b, NVIDIA H100 80GB HBM3, 81559, 9.0\n0, GPU-a, NVIDIA H100 80GB HBM3, 81559, 9.0\n`;
    const gpus = await gpusWith(fakeTools({ "nvidia-smi": nvidiaSmi(rows, "") }));
    expect(gpus.map((gpu) => [gpu.index, gpu.uuid])).toEqual([
      [0, "GPU-a"],
      [1, "GPU-b"],
    ]);
  });

  it("falls back to a query without compute_cap on old drivers", async () => {
    const old = "0, GPU-old, Tesla V100-SXM2-32GB, 32510";
    const gpus = await gpusWith(fakeTools({ "nvidia-smi": nvidiaSmi(null, old) }));
    expect(gpus).toMatchObject([
      { name: "Tesla V100-SXM2-32GB", vramGb: 31.7, computeCapability: "" },
    ]);
  });

  it("treats garbage output as no GPU, never an exception", async () => {
    const garbage = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.";
    expect(await gpusWith(fakeTools({ "nvidia-smi": nvidiaSmi(garbage, garbage) }))).toEqual([]);
    expect(await gpusWith(fakeTools({ "nvidia-smi": "head -c 3000 /dev/urandom" }))).toEqual([]);
    expect(await gpusWith(fakeTools({ "rocm-smi": "echo '{not json'" }))).toEqual([]);
  });

  it("bounds a hanging tool by the timeout", async () => {
    const env = fakeTools({ "nvidia-smi": "sleep 20 & sleep 20; wait" });
    const started = Date.now();
    expect(await gpusWith(env, 300)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("reads AMD GPUs from rocm-smi JSON", async () => {
    const json = JSON.stringify({
      card0: { "Card Series": "AMD Instinct MI300X", "VRAM Total Memory (B)": "206141652992" },
      card1: { "Card Series": "AMD Instinct MI300X", "VRAM Total Memory (B)": "206141652992" },
      system: { "Driver version": "6.8.5" },
    });
    const gpus = await gpusWith(fakeTools({ "rocm-smi": `echo '${json}'` }));
    expect(gpus).toEqual([
      { vendor: "amd", index: 0, name: "AMD Instinct MI300X", vramGb: 192, computeCapability: "" },
      { vendor: "amd", index: 1, name: "AMD Instinct MI300X", vramGb: 192, computeCapability: "" },
    ]);
  });

  it("describes this machine's CPU and RAM", async () => {
    const info = await detectHardware({ env: fakeTools({}) });
    expect(info.platform).toBe(process.platform);
    expect(info.arch).toBe(process.arch);
    expect(info.cpuCount).toBeGreaterThanOrEqual(1);
    expect(info.ramGb).toBeGreaterThan(0);
    expect(info.cpuBrand).not.toBe("");
    expect(info.gpus).toEqual([]);
  });
});

describe("detectHardware through an injected probe", () => {
  function probe(overrides: Partial<HardwareProbe>): HardwareProbe {
    return {
      ...systemProbe,
      platform: () => "linux",
      arch: () => "x64",
      cpuModel: () => "fallback model",
      cpuCount: () => 16,
      totalMemoryBytes: () => 64 * 1024 ** 3,
      readText: async () => null,
      run: async () => null,
      ...overrides,
    };
  }

  it("takes the brand and SIMD flags from /proc/cpuinfo", async () => {
    const cpuinfo =
      "processor\t: 0\nmodel name\t: AMD EPYC 9654 96-Core Processor\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni\n";
    const info = await detectHardware({ probe: probe({ readText: async () => cpuinfo }) });
    expect(info).toMatchObject({
      cpuBrand: "AMD EPYC 9654 96-Core Processor",
      cpuCount: 16,
      ramGb: 64,
      cpuFlags: ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni"],
    });
  });

  it("reports NEON on arm64 and Apple GPUs from system_profiler on macOS", async () => {
    const profiler = JSON.stringify({
      SPDisplaysDataType: [{ sppci_model: "Apple M2 Max", sppci_cores: "38" }],
    });
    const info = await detectHardware({
      probe: probe({
        platform: () => "darwin",
        arch: () => "arm64",
        run: async (command) => (command === "system_profiler" ? profiler : null),
      }),
    });
    expect(info.cpuBrand).toBe("fallback model");
    expect(info.cpuFlags).toEqual(["neon"]);
    expect(info.gpus).toEqual([
      { vendor: "apple", index: 0, name: "Apple M2 Max", vramGb: 64, computeCapability: "" },
    ]);
  });

  it("parses nvidia-smi rows strictly", () => {
    expect(parseNvidiaSmiCsv("0, GPU-x, Name, [N/A], 9.0", true)).toEqual([]);
    expect(parseNvidiaSmiCsv("x, GPU-x, Name, 1024, 9.0", true)).toEqual([]);
    expect(parseNvidiaSmiCsv("0, [N/A], Name, 1024, [N/A]", true)).toEqual([
      { vendor: "nvidia", index: 0, name: "Name", vramGb: 1, computeCapability: "" },
    ]);
  });
});

describe("freeDiskGb", () => {
  it("reports free space for a path, walking up to an existing directory", async () => {
    const dir = tempDir();
    const free = await freeDiskGb(dir);
    expect(free).toBeGreaterThan(0);
    expect(await freeDiskGb(path.join(dir, "not", "yet", "created"))).toBeCloseTo(free, 0);
  });
});
