import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  defineProvider,
  isMiningError,
  type MiningConfig,
  type MiningError,
  miningPaths,
  PROVIDER_API_VERSION,
  ProviderRegistry,
  readSidecar,
  validateProvider,
} from "../src/index.js";
import { childEntry, tempDir } from "./helpers.js";

const EXAMPLE = fileURLToPath(
  new URL("../../../examples/third-party-provider/index.js", import.meta.url),
);

function provider(id: string) {
  return defineProvider({
    id,
    displayName: `Provider ${id}`,
    detect: () => ({ supported: true }),
    start: async () => ({ provider: id, started_at: 0, wallet_address: "" }),
    stop: async () => {},
    isRunning: async () => false,
    stats: async () => {
      throw new Error("unused");
    },
  });
}

function errorOf(fn: () => unknown): MiningError {
  try {
    fn();
  } catch (error) {
    if (isMiningError(error)) return error;
    throw error;
  }
  throw new Error("expected a MiningError");
}

describe("ProviderRegistry", () => {
  it("registers, looks up and lists providers in insertion order", () => {
    const registry = new ProviderRegistry();
    registry.register(provider("vllm-pearl"));
    registry.register(provider("cpu-pearl"));
    expect(registry.keys()).toEqual(["vllm-pearl", "cpu-pearl"]);
    expect(registry.contains("cpu-pearl")).toBe(true);
    expect(registry.contains("gpu")).toBe(false);
    expect(registry.get("cpu-pearl").displayName).toBe("Provider cpu-pearl");
    registry.clear();
    expect(registry.keys()).toEqual([]);
  });

  it("rejects a duplicate id but ensureRegistered is idempotent", () => {
    const registry = new ProviderRegistry();
    const first = registry.register(provider("cpu-pearl"));
    expect(errorOf(() => registry.register(provider("cpu-pearl"))).code).toBe(
      "E_PROVIDER_DUPLICATE",
    );
    expect(registry.ensureRegistered(provider("cpu-pearl"))).toBe(first);
    expect(registry.ensureRegistered(provider("hello")).id).toBe("hello");
    expect(registry.keys()).toEqual(["cpu-pearl", "hello"]);
  });

  it("names the known ids when an id is unknown", () => {
    const registry = new ProviderRegistry();
    registry.register(provider("vllm-pearl"));
    registry.register(provider("cpu-pearl"));
    const error = errorOf(() => registry.get("apple-mps-pearl"));
    expect(error.code).toBe("E_PROVIDER_UNKNOWN");
    expect(error.message).toContain('"apple-mps-pearl"');
    expect(error.hint).toBe("known providers: vllm-pearl, cpu-pearl");
    expect(error.details).toMatchObject({ known: ["vllm-pearl", "cpu-pearl"] });
  });

  it("keeps registries independent (no module singleton)", () => {
    const a = new ProviderRegistry();
    const b = new ProviderRegistry();
    a.register(provider("x"));
    expect(b.contains("x")).toBe(false);
  });
});

describe("validateProvider", () => {
  it("accepts a provider, or a module whose default export is one", () => {
    const valid = provider("cpu-pearl");
    expect(validateProvider(valid)).toBe(valid);
    expect(validateProvider({ default: valid })).toBe(valid);
  });

  it("accepts a structurally valid plain object (another copy of mining-core made it)", () => {
    const plain = { ...provider("copy"), apiVersion: 1 };
    expect(validateProvider(plain).id).toBe("copy");
  });

  it("says what is wrong", () => {
    const wrongVersion = errorOf(() => validateProvider({ ...provider("old"), apiVersion: 0 }));
    expect(wrongVersion.code).toBe("E_PROVIDER_INVALID");
    expect(wrongVersion.message).toContain(
      `apiVersion is 0, but this mining-core supports ${PROVIDER_API_VERSION}`,
    );
    const { stats: _stats, ...withoutStats } = provider("partial");
    const missing = errorOf(() => validateProvider({ ...withoutStats, id: "Bad Id", logs: 3 }));
    expect(missing.message).toContain("stats must be a function");
    expect(missing.message).toContain("id must be a short lowercase string");
    expect(missing.message).toContain("logs, when present, must be a function");
    const badKeys = errorOf(() => validateProvider({ ...provider("keys"), extraKeys: [1] }));
    expect(badKeys.message).toContain("extraKeys, when present, must be an array of strings");
    expect(validateProvider({ ...provider("keys"), extraKeys: ["threads"] }).extraKeys).toEqual([
      "threads",
    ]);
    expect(errorOf(() => validateProvider(null)).message).toContain("got null");
    expect(errorOf(() => validateProvider({ default: 42 })).code).toBe("E_PROVIDER_INVALID");
  });
});

describe("the example third-party provider", () => {
  const config = (): MiningConfig => ({
    provider: "hello",
    walletAddress: "prl1qexampleaddress",
    submitTarget: { kind: "devnet" },
    feeBps: 0,
    feePayoutAddress: null,
    extra: {},
    providers: [],
  });

  it("validates, registers and runs a start/stats/stop cycle", async () => {
    const hello = validateProvider(await import(EXAMPLE));
    const registry = new ProviderRegistry();
    registry.register(hello);
    expect(
      registry.get("hello").detect(
        {
          platform: "linux",
          arch: "x64",
          cpuBrand: "",
          cpuCount: 2,
          cpuFlags: [],
          ramGb: 1,
          gpus: [],
        },
        "",
        "",
      ),
    ).toEqual({
      supported: true,
      estimatedHashrate: null,
    });
    const env = { OPENJARVIS_HOME: tempDir() };
    const ctx = { paths: miningPaths(env), env };
    expect(await hello.isRunning(ctx)).toBe(false);
    const record = await hello.start(config(), ctx);
    expect(record).toMatchObject({
      provider: "hello",
      wallet_address: "prl1qexampleaddress",
      schema_version: 1,
    });
    expect(await hello.isRunning(ctx)).toBe(true);
    const stats = await hello.stats(ctx);
    expect(stats).toMatchObject({
      providerId: "hello",
      running: true,
      payoutTarget: "devnet",
      hashrate: null,
    });
    expect(stats.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(stats.uptimeSeconds).toBeLessThan(60);
    await hello.stop(ctx);
    expect(readSidecar(ctx.paths.sidecarPath)).toBeNull();
    expect((await hello.stats(ctx)).uptimeSeconds).toBeNull();
  });

  it("is accepted by a separately bundled copy of mining-core in plain Node", () => {
    const result = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const core = await import(process.env.ENTRY);
         const provider = core.validateProvider(await import(process.env.EXAMPLE));
         process.stdout.write(provider.id + " " + provider.apiVersion);`,
      ],
      { env: { ...process.env, ENTRY: childEntry(), EXAMPLE }, encoding: "utf8", timeout: 20_000 },
    );
    // Outside vitest the example resolves @openjarvis/mining-core to the package's built dist.
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("hello 1");
  });
});
