import { spawn } from "node:child_process";
import { readFile, statfs } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { ErrorCodes, MiningError } from "./errors.js";
import type { GpuInfo, HardwareInfo } from "./provider.js";

type Env = Readonly<Record<string, string | undefined>>;

const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Everything detection reads from the machine, so tests can substitute any part of it. */
export interface HardwareProbe {
  platform(): string;
  arch(): string;
  cpuModel(): string;
  cpuCount(): number;
  totalMemoryBytes(): number;
  /** File contents, or null when unreadable. */
  readText(file: string): Promise<string | null>;
  /** stdout of a command that exited 0 within the timeout, else null (missing, failed, slow). */
  run(
    command: string,
    args: string[],
    options: { timeoutMs: number; env: Env },
  ): Promise<string | null>;
}

export const systemProbe: HardwareProbe = {
  platform: () => process.platform,
  arch: () => process.arch,
  cpuModel: () => os.cpus()[0]?.model?.trim() ?? "",
  cpuCount: () => os.availableParallelism(),
  totalMemoryBytes: () => os.totalmem(),
  readText: (file) => readFile(file, "utf8").catch(() => null),
  run: (command, args, { timeoutMs, env }) =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const child = spawn(command, args, {
        env: env as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "ignore"],
      });
      // Resolve on our own timer: a hung tool's children could keep the pipe open past a kill.
      const timer = setTimeout(() => finish(null, true), timeoutMs);
      function finish(value: string | null, kill = false) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (kill) {
          child.kill("SIGKILL");
          child.stdout?.destroy();
        }
        resolve(value);
      }
      child.stdout?.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT_BYTES) finish(null, true);
        else chunks.push(chunk);
      });
      child.on("error", () => finish(null));
      child.on("close", (code) =>
        finish(code === 0 ? Buffer.concat(chunks).toString("utf8") : null),
      );
    }),
};

export interface DetectHardwareOptions {
  probe?: HardwareProbe;
  /** Environment for the probe commands (PATH decides which `nvidia-smi` runs). */
  env?: Env;
  /** Bound on each external command (default 10 s). */
  timeoutMs?: number;
}

const FLAGS_OF_INTEREST = [
  "sse4_1",
  "sse4_2",
  "avx",
  "avx2",
  "fma",
  "bmi2",
  "avx512f",
  "avx512bw",
  "avx512vl",
  "avx512_vnni",
  "avx_vnni",
  "neon",
  "asimd",
  "sve",
];

const round1 = (value: number) => Math.round(value * 10) / 10;
const MIB_PER_GIB = 1024;
const BYTES_PER_GIB = 1024 ** 3;

/** Parse `nvidia-smi --query-gpu=index,uuid,name,memory.total[,compute_cap] --format=csv,noheader,nounits`. */
export function parseNvidiaSmiCsv(text: string, withComputeCap: boolean): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.split(",").map((field) => field.trim());
    if (fields.length !== (withComputeCap ? 5 : 4)) continue;
    const [indexText, uuid, name, memoryText, computeCap] = fields;
    const index = Number(indexText);
    const memoryMiB = Number(memoryText);
    if (!/^\d+$/.test(indexText ?? "") || !name || !(memoryMiB > 0)) continue;
    const capability = withComputeCap && /^\d+\.\d+$/.test(computeCap ?? "") ? computeCap! : "";
    gpus.push({
      vendor: "nvidia",
      index,
      name,
      vramGb: round1(memoryMiB / MIB_PER_GIB),
      computeCapability: capability,
      ...(uuid && uuid !== "[N/A]" ? { uuid } : {}),
    });
  }
  return gpus.sort((a, b) => a.index - b.index);
}

async function detectNvidia(probe: HardwareProbe, env: Env, timeoutMs: number): Promise<GpuInfo[]> {
  const query = (fields: string) =>
    probe.run("nvidia-smi", [`--query-gpu=${fields}`, "--format=csv,noheader,nounits"], {
      timeoutMs,
      env,
    });
  const full = await query("index,uuid,name,memory.total,compute_cap");
  const gpus = full === null ? [] : parseNvidiaSmiCsv(full, true);
  if (gpus.length > 0) return gpus;
  // Drivers older than compute_cap reject the whole query; ask again without it.
  const basic = await query("index,uuid,name,memory.total");
  return basic === null ? [] : parseNvidiaSmiCsv(basic, false);
}

/** Parse `rocm-smi --showproductname --showmeminfo vram --json`. */
export function parseRocmSmiJson(text: string): GpuInfo[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof document !== "object" || document === null) return [];
  const gpus: GpuInfo[] = [];
  for (const [card, value] of Object.entries(document)) {
    const match = /^card(\d+)$/i.exec(card);
    if (!match || typeof value !== "object" || value === null) continue;
    const fields = value as Record<string, unknown>;
    const pick = (...keys: string[]) =>
      keys
        .map((key) => fields[key])
        .find((item) => typeof item === "string" && item.trim() !== "") as string | undefined;
    const name =
      pick("Marketing Name", "Card Series", "Card series", "Card SKU", "Card model") ?? "AMD GPU";
    const bytes = Number(pick("VRAM Total Memory (B)"));
    gpus.push({
      vendor: "amd",
      index: Number(match[1]),
      name: name.trim(),
      vramGb: Number.isFinite(bytes) && bytes > 0 ? round1(bytes / BYTES_PER_GIB) : 0,
      computeCapability: "",
    });
  }
  return gpus.sort((a, b) => a.index - b.index);
}

/** Parse `system_profiler SPDisplaysDataType -json`; Apple GPUs share system RAM. */
export function parseSystemProfilerJson(text: string, ramGb: number): GpuInfo[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [];
  }
  const displays = (document as { SPDisplaysDataType?: unknown })?.SPDisplaysDataType;
  if (!Array.isArray(displays)) return [];
  const gpus: GpuInfo[] = [];
  for (const item of displays) {
    const model = (item as { sppci_model?: unknown })?.sppci_model;
    if (typeof model !== "string" || !model.includes("Apple")) continue;
    gpus.push({
      vendor: "apple",
      index: gpus.length,
      name: model,
      vramGb: ramGb,
      computeCapability: "",
    });
  }
  return gpus;
}

function cpuInfoField(cpuinfo: string, field: string): string | undefined {
  const pattern = new RegExp(`^${field}\\s*:\\s*(.*)$`, "m");
  return pattern.exec(cpuinfo)?.[1]?.trim();
}

async function detectCpuFlags(
  probe: HardwareProbe,
  platform: string,
  arch: string,
  cpuinfo: string | null,
  env: Env,
  timeoutMs: number,
): Promise<string[]> {
  let raw: string[] = [];
  if (platform === "linux" && cpuinfo) {
    raw = (cpuInfoField(cpuinfo, "flags") ?? cpuInfoField(cpuinfo, "Features") ?? "").split(/\s+/);
  } else if (platform === "darwin" && arch === "x64") {
    const out = await probe.run(
      "sysctl",
      ["-n", "machdep.cpu.features", "machdep.cpu.leaf7_features"],
      {
        timeoutMs,
        env,
      },
    );
    raw = (out ?? "").toLowerCase().replace(/\./g, "_").split(/\s+/);
  }
  const flags = new Set(
    raw.map((flag) => flag.toLowerCase()).filter((flag) => FLAGS_OF_INTEREST.includes(flag)),
  );
  // Every arm64 core has Advanced SIMD; Linux calls it "asimd".
  if (arch === "arm64" || flags.has("asimd")) flags.add("neon");
  return FLAGS_OF_INTEREST.filter((flag) => flags.has(flag));
}

/**
 * Describe this machine: CPU, RAM and every GPU. Each external probe is bounded by `timeoutMs`;
 * missing tools, timeouts and garbage output mean "no GPU of that kind", never an exception.
 */
export async function detectHardware(options: DetectHardwareOptions = {}): Promise<HardwareInfo> {
  const probe = options.probe ?? systemProbe;
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const platform = probe.platform();
  const arch = probe.arch();
  const ramGb = round1(probe.totalMemoryBytes() / BYTES_PER_GIB);
  const cpuinfo = platform === "linux" ? await probe.readText("/proc/cpuinfo") : null;
  const cpuBrand =
    (cpuinfo ? cpuInfoField(cpuinfo, "model name") : undefined) || probe.cpuModel() || "unknown";
  const [cpuFlags, nvidia, amd, apple] = await Promise.all([
    detectCpuFlags(probe, platform, arch, cpuinfo, env, timeoutMs),
    platform === "darwin" ? Promise.resolve([]) : detectNvidia(probe, env, timeoutMs),
    platform === "linux"
      ? probe
          .run("rocm-smi", ["--showproductname", "--showmeminfo", "vram", "--json"], {
            timeoutMs,
            env,
          })
          .then((out) => (out === null ? [] : parseRocmSmiJson(out)))
      : Promise.resolve([]),
    platform === "darwin"
      ? probe
          .run("system_profiler", ["SPDisplaysDataType", "-json"], { timeoutMs, env })
          .then((out) => (out === null ? [] : parseSystemProfilerJson(out, ramGb)))
      : Promise.resolve([]),
  ]);
  return {
    platform,
    arch,
    cpuBrand,
    cpuCount: Math.max(1, probe.cpuCount()),
    cpuFlags,
    ramGb,
    gpus: [...nvidia, ...amd, ...apple],
  };
}

/** Free space (GiB, one decimal) available to us on the filesystem holding `target`. */
export async function freeDiskGb(target: string): Promise<number> {
  let current = path.resolve(target);
  for (;;) {
    try {
      const stats = await statfs(current);
      return round1((stats.bavail * stats.bsize) / BYTES_PER_GIB);
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || parent === current) {
        throw new MiningError(ErrorCodes.IO, `cannot read free disk space for ${target}`, {
          hint: "check that the path exists and is readable",
          details: { path: target },
          cause: error,
        });
      }
      current = parent;
    }
  }
}
