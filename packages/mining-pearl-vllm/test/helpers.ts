import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type GpuInfo,
  type HardwareInfo,
  type MiningConfig,
  miningPaths,
  type ProgressEvent,
  type ProviderContext,
} from "@openjarvis/mining-core";
import { encodeTaprootAddress } from "@openjarvis/pearl";
import type { DockerCliEngine } from "../src/index.js";

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "fake-vllm");
export const TEST_LABEL = "org.openjarvis.test";
export const WALLET = encodeTaprootAddress("regtest", new Uint8Array(32).fill(7));
export const PASSWORD = "pw-Sup3r-s3cret-value";

/** DOCKER_HOST of the real engine: from the environment (`pnpm test`), else started here. */
export function dockerHost(): string {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
  const out = execFileSync("bash", [join(root, ".ci", "container-engine.sh"), "up"], {
    encoding: "utf8",
  });
  const host = /^DOCKER_HOST=(.+)$/m.exec(out)?.[1];
  if (!host) throw new Error(`.ci/container-engine.sh up printed no DOCKER_HOST: ${out}`);
  process.env.DOCKER_HOST = host;
  return host;
}

/** Builds the busybox "vLLM" image through the engine under test; the tag follows the fixture. */
export async function buildFakeImage(engine: DockerCliEngine): Promise<string> {
  const hash = createHash("sha256");
  for (const name of readdirSync(FIXTURE_DIR).sort())
    hash.update(readFileSync(join(FIXTURE_DIR, name)));
  hash.update(readFileSync("/bin/busybox"));
  const tag = `localhost/openjarvis-test/fake-vllm:${hash.digest("hex").slice(0, 12)}`;
  if (await engine.imageExists(tag)) return tag;
  const context = mkdtempSync(join(tmpdir(), "oj-fake-vllm-"));
  try {
    for (const name of readdirSync(FIXTURE_DIR))
      copyFileSync(join(FIXTURE_DIR, name), join(context, name));
    copyFileSync("/bin/busybox", join(context, "busybox"));
    await engine.build({ contextDir: context, dockerfile: "Dockerfile", tag });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export function runId(): string {
  return randomBytes(4).toString("hex");
}

export interface TestContext extends ProviderContext {
  home: string;
  progress: ProgressEvent[];
}

const homes: string[] = [];

/** Removes every home `makeContext` created. */
export function removeContexts(): void {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
}

export function makeContext(extraEnv: Record<string, string> = {}): TestContext {
  const home = mkdtempSync(join(tmpdir(), "oj-vllm-home-"));
  homes.push(home);
  const env = {
    ...process.env,
    OPENJARVIS_HOME: home,
    HF_HOME: join(home, "hf"),
    PEARLD_RPC_PASSWORD: PASSWORD,
    ...extraEnv,
  };
  const progress: ProgressEvent[] = [];
  return { home, env, paths: miningPaths(env), progress, onProgress: (e) => progress.push(e) };
}

export function makeConfig(
  extra: Record<string, unknown> = {},
  overrides: Partial<MiningConfig> = {},
): MiningConfig {
  return {
    provider: "vllm-pearl",
    walletAddress: WALLET,
    submitTarget: { kind: "solo", pearldRpcUrl: "http://127.0.0.1:18334" },
    feeBps: 0,
    feePayoutAddress: null,
    extra,
    providers: [],
    ...overrides,
  };
}

export function gpu(index: number, overrides: Partial<GpuInfo> = {}): GpuInfo {
  return {
    vendor: "nvidia",
    index,
    name: "NVIDIA H100 80GB HBM3",
    vramGb: 79.6,
    computeCapability: "9.0",
    uuid: `GPU-0000000${index}-aaaa-bbbb-cccc-000000000000`,
    ...overrides,
  };
}

export function hardware(gpus: GpuInfo[]): HardwareInfo {
  return {
    platform: "linux",
    arch: "x64",
    cpuBrand: "test",
    cpuCount: 2,
    cpuFlags: [],
    ramGb: 64,
    gpus,
  };
}
