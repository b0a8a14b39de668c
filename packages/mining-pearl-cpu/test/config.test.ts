import {
  MINING_EXTRA_DEFAULTS,
  type MiningConfig,
  type MiningError,
} from "@openjarvis/mining-core";
import { encodeTaprootAddress, MAINNET_SHAPE, OPENJARVIS_SHAPE } from "@openjarvis/pearl";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../src/config.js";

const paths = {
  runtimeDir: "/home/u/.openjarvis/runtime",
  sidecarPath: "/home/u/.openjarvis/runtime/mining.json",
  miningLogsDir: "/home/u/.openjarvis/logs/mining",
  cacheDir: "/home/u/.openjarvis/cache",
};
const mainnetWallet = encodeTaprootAddress("mainnet", new Uint8Array(32).fill(7));
const regtestWallet = encodeTaprootAddress("regtest", new Uint8Array(32).fill(9));

function config(overrides: Partial<MiningConfig> = {}, extra: Record<string, unknown> = {}) {
  return {
    provider: "cpu-pearl",
    walletAddress: mainnetWallet,
    submitTarget: { kind: "solo", pearldRpcUrl: "http://localhost:44107" },
    feeBps: 0,
    feePayoutAddress: null,
    providers: [],
    ...overrides,
    extra: { ...MINING_EXTRA_DEFAULTS, ...extra },
  } as MiningConfig;
}

const env = { PEARLD_RPC_PASSWORD: "s3cret-pass" };

function failure(fn: () => unknown): MiningError {
  try {
    fn();
  } catch (error) {
    return error as MiningError;
  }
  throw new Error("expected a MiningError");
}

describe("resolveSettings", () => {
  it("resolves a solo config into a spawned gateway with documented defaults", () => {
    const settings = resolveSettings(config(), { env, paths, cpuCount: 4 });
    expect(settings.gateway).toEqual({
      kind: "spawn",
      command: ["pearl-gateway"],
      port: 8337,
      pearldRpcUrl: "http://localhost:44107",
      pearldRpcUser: "rpcuser",
      passwordEnv: "PEARLD_RPC_PASSWORD",
    });
    expect(settings.threads).toBe(4);
    expect(settings.lowPriority).toBe(true);
    expect(settings.statusPort).toBe(0);
    expect(settings.shape).toEqual({ ...MAINNET_SHAPE });
    expect(settings.walletAddress).toBe(mainnetWallet);
    expect(settings.paths.logFile).toBe("/home/u/.openjarvis/logs/mining/cpu-pearl.log");
    // The settings travel to the supervisor in a file: no secret may be in them.
    expect(JSON.stringify(settings)).not.toContain("s3cret-pass");
  });

  it("caps threads at the core count and honours low_priority = false", () => {
    const settings = resolveSettings(config({}, { threads: 64, low_priority: false }), {
      env,
      paths,
      cpuCount: 2,
    });
    expect(settings.threads).toBe(2);
    expect(settings.lowPriority).toBe(false);
  });

  it("devnet needs no wallet and no password and accepts the OpenJarvis rank-32 shape", () => {
    const settings = resolveSettings(
      config(
        { walletAddress: "", submitTarget: { kind: "devnet" } },
        { ...OPENJARVIS_SHAPE, rows_pattern: OPENJARVIS_SHAPE.rows },
      ),
      { env: {}, paths },
    );
    expect(settings.gateway).toEqual({ kind: "devnet" });
    expect(settings.walletAddress).toBeNull();
    expect(settings.payoutTarget).toBe("devnet");
    expect(settings.shape.rank).toBe(32);
  });

  it("accepts any network's Taproot address on the devnet", () => {
    const settings = resolveSettings(
      config({ walletAddress: regtestWallet, submitTarget: { kind: "devnet" } }),
      { env: {}, paths },
    );
    expect(settings.walletAddress).toBe(regtestWallet);
  });

  it("external gateways by socket path or host:port", () => {
    expect(
      resolveSettings(config({}, { gateway_socket: "/run/pearl/pearlgw.sock" }), {
        env: {},
        paths,
      }).gateway,
    ).toEqual({ kind: "socket", path: "/run/pearl/pearlgw.sock" });
    expect(
      resolveSettings(config({}, { gateway_url: "127.0.0.1:9000" }), { env: {}, paths }).gateway,
    ).toEqual({ kind: "tcp", host: "127.0.0.1", port: 9000 });
  });

  it.each([
    [
      { walletAddress: "prl1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080" },
      "E_WALLET_INVALID",
      "mining.wallet_address",
    ],
    [
      { walletAddress: `${mainnetWallet.slice(0, -1)}q` },
      "E_WALLET_INVALID",
      "mining.wallet_address",
    ],
    [{ walletAddress: "" }, "E_WALLET_INVALID", "mining.wallet_address"],
    [{ provider: "vllm-pearl" }, "E_CONFIG_INVALID", "mining.provider"],
    [
      { submitTarget: { kind: "pool", url: "https://pool.example" } },
      "E_CONFIG_INVALID",
      "mining.submit_target",
    ],
  ] as const)("refuses %j with %s naming %s", (overrides, code, key) => {
    const error = failure(() =>
      resolveSettings(config(overrides as Partial<MiningConfig>), { env, paths }),
    );
    expect(error.code).toBe(code);
    expect(error.details?.key).toBe(key);
    expect(error.hint).toBeTruthy();
  });

  it.each([
    [{ threads: 0 }, "E_CONFIG_INVALID", "mining.extra.threads"],
    [{ threads: "4" }, "E_CONFIG_INVALID", "mining.extra.threads"],
    [{ low_priority: "yes" }, "E_CONFIG_INVALID", "mining.extra.low_priority"],
    [{ gateway_port: 70_000 }, "E_CONFIG_INVALID", "mining.extra.gateway_port"],
    [{ status_port: 8337 }, "E_CONFIG_INVALID", "mining.extra.status_port"],
    [{ gateway_url: "nonsense" }, "E_CONFIG_INVALID", "mining.extra.gateway_url"],
    [{ gateway_socket: "relative.sock" }, "E_CONFIG_INVALID", "mining.extra.gateway_socket"],
    [{ gateway_command: [] }, "E_CONFIG_INVALID", "mining.extra.gateway_command"],
    [{ pearld_rpc_url: "localhost:44107" }, "E_CONFIG_INVALID", "mining.extra.pearld_rpc_url"],
    [
      { pearld_rpc_password_env: "hunter2 is my password" },
      "E_CONFIG_INVALID",
      "mining.extra.pearld_rpc_password_env",
    ],
    [{ rank: 32, k: 1024 }, "E_SHAPE_INVALID", "mining.extra"],
    [{ k: 1000 }, "E_SHAPE_INVALID", "mining.extra"],
  ] as const)("refuses extra %j with %s naming %s", (extra, code, key) => {
    const error = failure(() => resolveSettings(config({}, extra), { env, paths }));
    expect(error.code).toBe(code);
    expect(error.details?.key).toBe(key);
    expect(error.message).not.toContain("s3cret-pass");
  });

  it("requires the password variable to be set, naming it but never a value", () => {
    const error = failure(() =>
      resolveSettings(config({}, { pearld_rpc_password_env: "MY_PEARLD_PASS" }), { env, paths }),
    );
    expect(error.code).toBe("E_SECRET_MISSING");
    expect(error.message).toContain("MY_PEARLD_PASS");
    expect(error.hint).toContain("MY_PEARLD_PASS");
  });
});
