import { copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import {
  formatSubmitTarget,
  isMiningError,
  loadMiningConfig,
  MINING_EXTRA_DEFAULTS,
  type MiningError,
  parseSubmitTarget,
  readSecret,
  resolveConfigPath,
  tryLoadMiningConfig,
  writeMiningSection,
} from "../src/index.js";
import { fixture, tempDir } from "./helpers.js";

function errorOf(fn: () => unknown): MiningError {
  try {
    fn();
  } catch (error) {
    if (isMiningError(error)) return error;
    throw error;
  }
  throw new Error("expected a MiningError");
}

function configFile(text: string): string {
  const file = path.join(tempDir(), "config.toml");
  writeFileSync(file, text);
  return file;
}

const VALID = `[mining]
provider = "cpu-pearl"
wallet_address = "prl1qexampleaddress"
`;

describe("resolveConfigPath", () => {
  it("uses the explicit path, else OPENJARVIS_CONFIG, else <home>/config.toml", () => {
    const env = { OPENJARVIS_HOME: "/h", OPENJARVIS_CONFIG: "/etc/oj.toml" };
    expect(resolveConfigPath({ path: "/x/c.toml", env })).toBe("/x/c.toml");
    expect(resolveConfigPath({ env })).toBe("/etc/oj.toml");
    expect(resolveConfigPath({ env: { OPENJARVIS_HOME: "/h" } })).toBe("/h/config.toml");
  });
});

describe("loadMiningConfig", () => {
  it("loads OpenJarvis' config_minimal.toml unchanged, with the documented defaults", () => {
    const file = fixture("config_minimal.toml");
    const { config, warnings, path: loadedFrom } = loadMiningConfig({ path: file });
    expect(loadedFrom).toBe(file);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      provider: "vllm-pearl",
      walletAddress: "prl1qexampleaddress",
      submitTarget: { kind: "solo", pearldRpcUrl: "http://localhost:44107" },
      feeBps: 0,
      feePayoutAddress: null,
      providers: [],
      configPath: file,
    });
    expect(config.extra).toEqual({
      ...MINING_EXTRA_DEFAULTS,
      model: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
      pearld_rpc_url: "http://localhost:44107",
      pearld_rpc_user: "rpcuser",
      pearld_rpc_password_env: "PEARLD_RPC_PASSWORD",
    });
    expect(config.explicitExtraKeys).toEqual([
      "model",
      "pearld_rpc_url",
      "pearld_rpc_user",
      "pearld_rpc_password_env",
    ]);
  });

  it("loads config_pool_v2.toml into a pool target", () => {
    const { config } = loadMiningConfig({ path: fixture("config_pool_v2.toml") });
    expect(config.submitTarget).toEqual({ kind: "pool", url: "https://pool.openjarvis.ai/submit" });
  });

  it("loads a file with other sections, a devnet target and third-party providers", () => {
    const { config, warnings } = loadMiningConfig({ path: fixture("config_full.toml") });
    expect(config.provider).toBe("cpu-pearl");
    expect(config.submitTarget).toEqual({ kind: "devnet" });
    expect(config.providers).toEqual(["@acme/mining-provider-acme"]);
    expect(config.extra).toMatchObject({ gateway_port: 18337, k: 2048, rank: 128, threads: 2 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("mining.extra.threads");
    const quiet = loadMiningConfig({
      path: fixture("config_full.toml"),
      knownExtraKeys: ["threads"],
    });
    expect(quiet.warnings).toEqual([]);
  });

  it("finds the file through OPENJARVIS_CONFIG and OPENJARVIS_HOME", () => {
    const file = configFile(VALID);
    expect(loadMiningConfig({ env: { OPENJARVIS_CONFIG: file } }).path).toBe(file);
    expect(loadMiningConfig({ env: { OPENJARVIS_HOME: path.dirname(file) } }).path).toBe(file);
  });

  it("fails with E_CONFIG_NOT_FOUND for a missing file", () => {
    const file = path.join(tempDir(), "nope.toml");
    const error = errorOf(() => loadMiningConfig({ path: file }));
    expect(error.code).toBe("E_CONFIG_NOT_FOUND");
    expect(error.message).toContain(file);
    expect(error.hint).toContain("jarvis mine init");
  });

  it("fails with E_CONFIG_PARSE naming the line and column", () => {
    const file = configFile('[engine]\ndefault = "ollama"\n\n[mining]\nprovider = "cpu-pearl\n');
    const error = errorOf(() => loadMiningConfig({ path: file }));
    expect(error.code).toBe("E_CONFIG_PARSE");
    expect(error.message).toContain(`${file}:5:`);
    expect(error.details).toMatchObject({ file, line: 5 });
  });

  it("fails with E_CONFIG_MISSING_SECTION when there is no [mining]", () => {
    const file = configFile('[engine]\ndefault = "ollama"\n');
    const error = errorOf(() => loadMiningConfig({ path: file }));
    expect(error.code).toBe("E_CONFIG_MISSING_SECTION");
    expect(error.message).toContain(file);
  });

  it("needs no wallet_address on the devnet, where nothing is paid", () => {
    const file = configFile('[mining]\nprovider = "cpu-pearl"\nsubmit_target = "devnet"\n');
    expect(loadMiningConfig({ path: file }).config.walletAddress).toBe("");
    const solo = configFile('[mining]\nprovider = "cpu-pearl"\nwallet_address = " "\n');
    expect(errorOf(() => loadMiningConfig({ path: solo })).message).toContain(
      'mining.wallet_address = " " is invalid: must not be empty',
    );
  });

  it("names the file, key, value and fix for a missing wallet_address", () => {
    const file = configFile('[mining]\nprovider = "cpu-pearl"\n');
    const error = errorOf(() => loadMiningConfig({ path: file }));
    expect(error.code).toBe("E_CONFIG_INVALID");
    expect(error.message).toContain(file);
    expect(error.message).toContain("mining.wallet_address is missing");
    expect(error.hint).toContain('wallet_address = "prl1');
    expect(error.details).toMatchObject({ key: "mining.wallet_address" });
  });

  it("rejects a bad submit_target with the value and the grammar", () => {
    const file = configFile(`${VALID}submit_target = "p00l:https://x"\n`);
    const error = errorOf(() => loadMiningConfig({ path: file }));
    expect(error.code).toBe("E_CONFIG_INVALID");
    expect(error.message).toContain('mining.submit_target = "p00l:https://x"');
    expect(error.message).toContain("'solo', 'pool:<url>' or 'devnet'");
    expect(error.hint).toContain(file);
  });

  it.each([
    ["gateway_port", "70000", "mining.extra.gateway_port = 70000", "gateway_port = 8337"],
    ["gpu_memory_utilization", "1.5", "mining.extra.gpu_memory_utilization = 1.5", "0.96"],
    ["pearld_rpc_password_env", '"MY PASSWORD"', "pearld_rpc_password_env", "PEARLD_RPC_PASSWORD"],
    ["k", "-5", "mining.extra.k = -5", "k = 2048"],
    ["vllm_args", "42", "mining.extra.vllm_args = 42", "vllm_args = []"],
    ["cuda_visible_devices", '"0;1"', "cuda_visible_devices", '""'],
  ])(
    "rejects [mining.extra].%s = %s with its key path and default",
    (key, value, inMessage, inHint) => {
      const file = configFile(`${VALID}\n[mining.extra]\n${key} = ${value}\n`);
      const error = errorOf(() => loadMiningConfig({ path: file }));
      expect(error.code).toBe("E_CONFIG_INVALID");
      expect(error.message).toContain(inMessage);
      expect(error.message).toContain(file);
      expect(error.hint).toContain(inHint);
    },
  );

  it("rejects fee_bps outside 0..10000 and accepts OpenJarvis' numeric strings", () => {
    expect(
      errorOf(() => loadMiningConfig({ path: configFile(`${VALID}fee_bps = 20000\n`) })).message,
    ).toContain("mining.fee_bps = 20000");
    expect(loadMiningConfig({ path: configFile(`${VALID}fee_bps = "25"\n`) }).config.feeBps).toBe(
      25,
    );
  });

  it("warns about unknown keys instead of failing", () => {
    const file = configFile(`${VALID}colour = "blue"\n\n[mining.extra]\nfancy = true\n`);
    const { warnings, config } = loadMiningConfig({ path: file });
    expect(warnings).toHaveLength(2);
    expect(warnings.join("\n")).toContain("mining.colour");
    expect(warnings.join("\n")).toContain("mining.extra.fancy");
    expect(config.extra.fancy).toBe(true);
  });

  it("accepts CUDA device selectors by index, UUID and MIG id", () => {
    const selectors = '"0, GPU-8f6d2c1e, MIG-GPU-8f6d2c1e/1/0"';
    const file = configFile(`${VALID}\n[mining.extra]\ncuda_visible_devices = ${selectors}\n`);
    expect(loadMiningConfig({ path: file }).config.extra.cuda_visible_devices).toBe(
      "0, GPU-8f6d2c1e, MIG-GPU-8f6d2c1e/1/0",
    );
  });

  it("does not warn about keys a provider declares", () => {
    const file = configFile(`${VALID}\n[mining.extra]\nthreads = 2\n`);
    expect(loadMiningConfig({ path: file }).warnings).toHaveLength(1);
    expect(loadMiningConfig({ path: file, knownExtraKeys: ["threads"] }).warnings).toEqual([]);
  });

  it("tryLoadMiningConfig reports instead of throwing (a broken [mining] breaks only mining)", () => {
    const broken = tryLoadMiningConfig({
      path: configFile('[mining]\nprovider = "x"\n[engine]\na = 1\n'),
    });
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error.code).toBe("E_CONFIG_INVALID");
    const good = tryLoadMiningConfig({ path: configFile(VALID) });
    expect(good.ok && good.value.config.provider).toBe("cpu-pearl");
  });
});

describe("submit targets and secrets", () => {
  it("parses and formats solo, pool and devnet", () => {
    expect(parseSubmitTarget("solo", { pearld_rpc_url: "http://10.0.0.2:44107" })).toEqual({
      kind: "solo",
      pearldRpcUrl: "http://10.0.0.2:44107",
    });
    expect(parseSubmitTarget(undefined, {})).toEqual({
      kind: "solo",
      pearldRpcUrl: "http://localhost:44107",
    });
    for (const text of ["solo", "devnet", "pool:https://pool.example/submit"]) {
      expect(formatSubmitTarget(parseSubmitTarget(text, {}))).toBe(text);
    }
    for (const bad of ["", "SOLO", "pool:", "pool:not a url", 7]) {
      expect(errorOf(() => parseSubmitTarget(bad, {})).code).toBe("E_CONFIG_INVALID");
    }
  });

  it("readSecret returns the named variable's value or undefined", () => {
    expect(readSecret({ PEARLD_RPC_PASSWORD: "hunter22" }, "PEARLD_RPC_PASSWORD")).toBe("hunter22");
    expect(readSecret({ PEARLD_RPC_PASSWORD: "" }, "PEARLD_RPC_PASSWORD")).toBe("");
    expect(readSecret({}, "PEARLD_RPC_PASSWORD")).toBeUndefined();
    expect(readSecret({ "A B": "x" }, "A B")).toBeUndefined();
  });
});

describe("writeMiningSection", () => {
  const section = {
    provider: "cpu-pearl",
    wallet_address: "prl1qnewaddress",
    submit_target: "devnet",
    extra: { gateway_port: 9000, k: 2048, vllm_args: ["--foo", "bar"] },
  };

  it("replaces [mining] and [mining.extra] and keeps every other byte", () => {
    const file = path.join(tempDir(), "config.toml");
    copyFileSync(fixture("config_full.toml"), file);
    const before = readFileSync(file, "utf8");
    writeMiningSection(file, section);
    const after = readFileSync(file, "utf8");
    const head = before.slice(0, before.indexOf('[mining]\nprovider = "cpu-pearl"'));
    const tail = before.slice(before.indexOf("# Telemetry settings follow"));
    expect(after.startsWith(head)).toBe(true);
    expect(after.endsWith(tail)).toBe(true);
    expect(after.slice(head.length, after.length - tail.length)).toBe(
      [
        "[mining]",
        'provider = "cpu-pearl"',
        'wallet_address = "prl1qnewaddress"',
        'submit_target = "devnet"',
        "fee_bps = 0",
        'fee_payout_address = ""',
        "",
        "[mining.extra]",
        "gateway_port = 9000",
        "k = 2048",
        'vllm_args = ["--foo", "bar"]',
        "",
        "",
      ].join("\n"),
    );
    const { config } = loadMiningConfig({ path: file });
    expect(config.walletAddress).toBe("prl1qnewaddress");
    expect(config.extra.gateway_port).toBe(9000);
    const document = parse(after) as Record<string, Record<string, unknown>>;
    expect(document.intelligence?.system_prompt).toContain(
      'provider = "this is not a table header"',
    );
    expect(document.telemetry?.path).toBe("C:\\Users\\me\\jarvis.db");
  });

  it("creates a missing file with mode 0600", () => {
    const file = path.join(tempDir(), "home", "config.toml");
    writeMiningSection(file, section);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMiningConfig({ path: file }).config.submitTarget).toEqual({ kind: "devnet" });
  });

  it("appends to a file without [mining], leaving the original as a prefix", () => {
    const original = '# mine\n[engine]\ndefault = "ollama"';
    const file = configFile(original);
    writeMiningSection(file, section);
    const after = readFileSync(file, "utf8");
    expect(after.startsWith(`${original}\n\n[mining]\n`)).toBe(true);
    expect(loadMiningConfig({ path: file }).config.provider).toBe("cpu-pearl");
  });

  it("merges a split [mining] / [mining.extra] into one block and keeps CRLF line endings", () => {
    const original = [
      "[mining.extra]",
      "model = 'old'",
      "",
      "[engine]",
      'default = "ollama"',
      "",
      "[mining]",
      'provider = "vllm-pearl"',
      'wallet_address = "prl1qold"',
      "",
    ].join("\r\n");
    const file = configFile(original);
    writeMiningSection(file, section);
    const after = readFileSync(file, "utf8");
    expect(after.match(/\[mining\]/g)).toHaveLength(1);
    expect(after.match(/\[mining\.extra\]/g)).toHaveLength(1);
    expect(after).toContain('\r\n[engine]\r\ndefault = "ollama"\r\n');
    expect(after.replace(/\r\n/g, "")).not.toContain("\n");
    expect(loadMiningConfig({ path: file }).config.extra.model).toBe(MINING_EXTRA_DEFAULTS.model);
  });

  it("round-trips values that need escaping", () => {
    const file = path.join(tempDir(), "config.toml");
    const nasty =
      'a "quoted" \\ back\\slash\nnew line\ttab \u0001 \u007f ünïcødé 🚀 ]\n[evil]\nx = "';
    writeMiningSection(file, {
      provider: "cpu-pearl",
      wallet_address: nasty,
      extra: { "key with space": nasty, list: [nasty, 1, true], gateway_host: "127.0.0.1" },
    });
    const document = parse(readFileSync(file, "utf8")) as {
      mining: { wallet_address: string; extra: Record<string, unknown> };
    };
    expect(Object.keys(document)).toEqual(["mining"]);
    expect(document.mining.wallet_address).toBe(nasty);
    expect(document.mining.extra["key with space"]).toBe(nasty);
    expect(document.mining.extra.list).toEqual([nasty, 1, true]);
  });

  it("refuses input that would not load, leaving the file untouched", () => {
    const file = configFile(VALID);
    const error = errorOf(() => writeMiningSection(file, { ...section, submit_target: "moon" }));
    expect(error.code).toBe("E_CONFIG_INVALID");
    expect(readFileSync(file, "utf8")).toBe(VALID);
  });

  it("refuses to edit a broken file or mining keys it cannot replace safely", () => {
    const broken = configFile('[engine\nx = "');
    expect(errorOf(() => writeMiningSection(broken, section)).code).toBe("E_CONFIG_PARSE");
    expect(readFileSync(broken, "utf8")).toBe('[engine\nx = "');
    const inline = configFile('mining = { provider = "x", wallet_address = "y" }\n');
    expect(errorOf(() => writeMiningSection(inline, section)).code).toBe("E_CONFIG_INVALID");
    expect(readFileSync(inline, "utf8")).toBe(
      'mining = { provider = "x", wallet_address = "y" }\n',
    );
  });
});
