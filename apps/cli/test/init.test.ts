import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Prompter, SelectPrompt, TextPrompt } from "../src/io.js";
import { jarvis, tempDir, WALLETS } from "./helpers.js";

let home: ReturnType<typeof tempDir>;
const env = () => ({ OPENJARVIS_HOME: home.path, PEARLD_RPC_PASSWORD: "s3cret" });
const configFile = () => join(home.path, "config.toml");

beforeEach(() => {
  home = tempDir();
});
afterEach(() => home.cleanup());

describe("jarvis mine init", () => {
  it("writes a cpu-pearl section non-interactively and it loads back", async () => {
    const result = await jarvis(
      [
        "--json",
        "mine",
        "init",
        "--provider",
        "cpu-pearl",
        "--wallet",
        WALLETS.mainnet,
        "--yes",
        "--threads",
        "2",
      ],
      { env: env() },
    );
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      ok: true,
      provider: "cpu-pearl",
      submitTarget: "solo",
      warnings: [],
    });
    const text = readFileSync(configFile(), "utf8");
    expect(text).toContain('provider = "cpu-pearl"');
    expect(text).toContain(`wallet_address = "${WALLETS.mainnet}"`);
    expect(text).toContain("threads = 2");
    expect(text).not.toContain("s3cret");
    const doctor = await jarvis(["--json", "mine", "doctor"], { env: env() });
    const rows = doctor.json<{ rows: { section: string; name: string; status: string }[] }>().rows;
    expect(rows.find((r) => r.section === "Config")?.status).toBe("ok");
  });

  it("refuses to clobber [mining] without --force and keeps the rest of the file with it", async () => {
    writeFileSync(
      configFile(),
      '# my settings\n[engine]\ndefault = "ollama"\n\n[mining]\nprovider = "cpu-pearl"\nwallet_address = "x"\n',
    );
    const refused = await jarvis(
      ["mine", "init", "--provider", "cpu-pearl", "--wallet", WALLETS.mainnet, "--yes"],
      { env: env() },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("already has a [mining] section");
    expect(refused.stderr).toContain("hint: pass --force");
    expect(readFileSync(configFile(), "utf8")).toContain('wallet_address = "x"');
    const forced = await jarvis(
      ["mine", "init", "--provider", "cpu-pearl", "--wallet", WALLETS.mainnet, "--yes", "--force"],
      { env: env() },
    );
    expect(forced.code).toBe(0);
    const text = readFileSync(configFile(), "utf8");
    expect(text.startsWith('# my settings\n[engine]\ndefault = "ollama"\n')).toBe(true);
    expect(text).toContain(WALLETS.mainnet);
    expect(text).not.toContain('wallet_address = "x"');
  });

  it("rejects a wallet with a bad checksum or for another network, naming the value", async () => {
    const typo = `${WALLETS.mainnet.slice(0, -1)}q`;
    const bad = await jarvis(
      ["--json", "mine", "init", "--provider", "cpu-pearl", "--wallet", typo, "--yes"],
      { env: env() },
    );
    expect(bad.code).toBe(1);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe("E_WALLET_INVALID");
    const wrongNet = await jarvis(
      ["mine", "init", "--provider", "cpu-pearl", "--wallet", WALLETS.testnet, "--yes"],
      { env: env() },
    );
    expect(wrongNet.code).toBe(1);
    expect(wrongNet.stderr).toMatch(/error: .*(network|testnet|mainnet)/);
    const accepted = await jarvis(
      [
        "mine",
        "init",
        "--provider",
        "cpu-pearl",
        "--wallet",
        WALLETS.testnet,
        "--network",
        "testnet",
        "--yes",
      ],
      { env: env() },
    );
    expect(accepted.code).toBe(0);
  });

  it("needs a wallet when it cannot ask, and warns about an unset password variable", async () => {
    const missing = await jarvis(["mine", "init", "--provider", "cpu-pearl"], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--wallet");
    const noPassword = await jarvis(
      ["mine", "init", "--provider", "cpu-pearl", "--wallet", WALLETS.mainnet, "--yes"],
      {
        env: { OPENJARVIS_HOME: home.path },
      },
    );
    expect(noPassword.code).toBe(0);
    expect(noPassword.stderr).toContain("$PEARLD_RPC_PASSWORD is not set");
  });

  it("rejects pool targets and unknown providers", async () => {
    const pool = await jarvis(
      [
        "mine",
        "init",
        "--provider",
        "cpu-pearl",
        "--wallet",
        WALLETS.mainnet,
        "--submit-target",
        "pool:https://p",
        "--yes",
      ],
      { env: env() },
    );
    expect(pool.code).toBe(2);
    expect(pool.stderr).toContain("pool mining is not implemented");
    const unknown = await jarvis(
      ["--json", "mine", "init", "--provider", "nope", "--wallet", WALLETS.mainnet, "--yes"],
      { env: env() },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.json<{ error: { code: string; hint: string } }>().error).toMatchObject({
      code: "E_PROVIDER_UNKNOWN",
    });
  });

  it("asks for missing values on a terminal and checks each answer as it is typed", async () => {
    const asked: string[] = [];
    const rejected: string[] = [];
    const answers: Record<string, string[]> = {
      wallet: ["prl1pnotvalid", WALLETS.mainnet],
      "pearld RPC URL": ["ftp://nope", "http://127.0.0.1:44107"],
      "pearld RPC user": ["rpcuser"],
      "Environment variable": ["1BAD", "MY_PW"],
    };
    const prompter: Prompter = {
      async text(prompt: TextPrompt) {
        asked.push(prompt.message);
        const key = Object.keys(answers).find((k) => prompt.message.includes(k))!;
        for (const answer of answers[key]!) {
          const problem = prompt.validate?.(answer);
          if (problem === undefined) return answer;
          rejected.push(`${answer}: ${problem}`);
        }
        throw new Error(`no acceptable answer for ${prompt.message}`);
      },
      async select<T extends string>(prompt: SelectPrompt<T>) {
        asked.push(prompt.message);
        return "cpu-pearl" as T;
      },
    };
    const result = await jarvis(["mine", "init"], { env: env(), isTTY: true, prompter });
    expect(result.code).toBe(0);
    expect(asked[0]).toBe("Mining provider");
    expect(rejected.map((r) => r.split(":")[0])).toEqual(["prl1pnotvalid", "ftp", "1BAD"]);
    const text = readFileSync(configFile(), "utf8");
    expect(text).toContain('pearld_rpc_password_env = "MY_PW"');
    expect(result.stderr).toContain("$MY_PW is not set");
  });

  it("writes a devnet section with a wallet of any network", async () => {
    const result = await jarvis(
      [
        "mine",
        "init",
        "--provider",
        "cpu-pearl",
        "--submit-target",
        "devnet",
        "--wallet",
        WALLETS.regtest,
        "--yes",
      ],
      { env: env() },
    );
    expect(result.code).toBe(0);
    expect(readFileSync(configFile(), "utf8")).toContain('submit_target = "devnet"');
  });
});

describe("jarvis mine init for vllm-pearl", () => {
  it("refuses a machine without a Hopper GPU unless --force, then writes the model's defaults", async () => {
    const args = [
      "mine",
      "init",
      "--provider",
      "vllm-pearl",
      "--wallet",
      WALLETS.mainnet,
      "--cuda-visible-devices",
      "0,1",
      "--yes",
    ];
    const refused = await jarvis(["--json", ...args], { env: { ...env(), PATH: "/nonexistent" } });
    expect(refused.code).toBe(1);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe("E_PROVIDER_UNSUPPORTED");
    expect(existsSync(configFile())).toBe(false);
    const forced = await jarvis([...args, "--force"], { env: { ...env(), PATH: "/nonexistent" } });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("not supported on this machine");
    const text = readFileSync(configFile(), "utf8");
    expect(text).toContain('model = "pearl-ai/Llama-3.3-70B-Instruct-pearl"');
    expect(text).toContain('cuda_visible_devices = "0,1"');
    expect(text).toContain("max_model_len = 8192");
    expect(text).not.toContain("docker_image_tag");
  });
});

describe("--provider auto", () => {
  it("picks vllm-pearl for Linux with an NVIDIA GPU and cpu-pearl otherwise", async () => {
    const { autoProvider } = await import("../src/commands/mine/init.js");
    const hw = {
      platform: "linux",
      arch: "x64",
      cpuBrand: "x",
      cpuCount: 8,
      cpuFlags: [],
      ramGb: 64,
      gpus: [],
    };
    const gpu = (vendor: "nvidia" | "amd" | "apple") => ({
      vendor,
      index: 0,
      name: "g",
      vramGb: 80,
      computeCapability: "",
    });
    expect(autoProvider({ ...hw, gpus: [gpu("nvidia")] })).toBe("vllm-pearl");
    expect(autoProvider(hw)).toBe("cpu-pearl");
    expect(autoProvider({ ...hw, gpus: [gpu("amd")] })).toBe("cpu-pearl");
    expect(autoProvider({ ...hw, platform: "darwin", gpus: [gpu("apple")] })).toBe("cpu-pearl");
    expect(autoProvider({ ...hw, platform: "win32", gpus: [gpu("nvidia")] })).toBe("cpu-pearl");
  });
});
