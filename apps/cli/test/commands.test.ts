/** Success and failure paths of the mining commands, in-process with captured output. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jarvis, tempDir, WALLETS } from "./helpers.js";

let home: ReturnType<typeof tempDir>;
const env = (extra: Record<string, string> = {}) => ({ OPENJARVIS_HOME: home.path, ...extra });
beforeEach(() => {
  home = tempDir();
});
afterEach(() => home.cleanup());

describe("start / stop / status / logs without a miner", () => {
  it("status exits 3 and says how to start", async () => {
    const human = await jarvis(["mine", "status"], { env: env() });
    expect(human.code).toBe(3);
    expect(human.stdout).toContain("not running");
    expect(human.stdout).toContain("jarvis mine start --devnet");
    const machine = await jarvis(["--json", "mine", "status"], { env: env() });
    expect(machine.code).toBe(3);
    expect(machine.json()).toMatchObject({
      ok: false,
      running: false,
      error: { code: "E_NOT_RUNNING" },
    });
  });

  it("status on a stale session (dead pid) exits 3 and points at stop", async () => {
    writeFileSync(join(home.path, "config.toml"), "");
    const runtime = join(home.path, "runtime");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(runtime, { recursive: true });
    writeFileSync(
      join(runtime, "mining.json"),
      JSON.stringify({
        provider: "cpu-pearl",
        started_at: 1,
        wallet_address: "",
        pid: 999_999,
        process_start_time: "1",
      }),
    );
    const result = await jarvis(["--json", "mine", "status"], { env: env() });
    expect(result.code).toBe(3);
    expect(result.json()).toMatchObject({
      running: false,
      provider: "cpu-pearl",
      liveness: "dead",
    });
    expect(result.json<{ hint: string }>().hint).toContain("jarvis mine stop");
    const stop = await jarvis(["mine", "stop"], { env: env() });
    expect(stop.code).toBe(0);
    expect(existsSync(join(runtime, "mining.json"))).toBe(false);
  });

  it("stop with nothing running succeeds", async () => {
    const result = await jarvis(["--json", "mine", "stop"], { env: env() });
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ ok: true, stopped: false, provider: null });
  });

  it("start without a config says how to make one, and never prints a stack", async () => {
    const result = await jarvis(["mine", "start"], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: no config file at .*config\.toml\nhint: run `jarvis mine init`/,
    );
    expect(result.stderr).not.toContain("    at ");
    const debug = await jarvis(["--debug", "mine", "start"], { env: env() });
    expect(debug.stderr).toContain("    at ");
  });

  it("start with a broken config names the file, key and value", async () => {
    writeFileSync(
      join(home.path, "config.toml"),
      `[mining]\nprovider = "cpu-pearl"\nwallet_address = "${WALLETS.mainnet}"\nsubmit_target = "moon"\n`,
    );
    const result = await jarvis(["--json", "mine", "start"], { env: env() });
    expect(result.code).toBe(1);
    const { error } = result.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe("E_CONFIG_INVALID");
    expect(error.message).toContain("submit_target");
    expect(error.message).toContain("moon");
  });

  it("start with an unknown provider lists the known ones", async () => {
    writeFileSync(
      join(home.path, "config.toml"),
      `[mining]\nprovider = "gpu-magic"\nwallet_address = "${WALLETS.mainnet}"\n`,
    );
    const result = await jarvis(["--json", "mine", "start"], { env: env() });
    expect(result.code).toBe(1);
    expect(result.json()).toMatchObject({
      ok: false,
      error: { code: "E_PROVIDER_UNKNOWN", hint: expect.stringContaining("cpu-pearl") },
    });
  });

  it("logs without a session or config exits 3", async () => {
    const result = await jarvis(["--json", "mine", "logs"], { env: env() });
    expect(result.code).toBe(3);
    expect(result.json<{ error: { code: string } }>().error.code).toBe("E_NOT_RUNNING");
    const badTail = await jarvis(["mine", "logs", "-n", "-3"], { env: env() });
    expect(badTail.code).toBe(2);
    expect(badTail.stderr).toContain("--tail");
  });
});

describe("vllm-pearl commands", () => {
  it("models prints the registry as a table and as JSON", async () => {
    const human = await jarvis(["mine", "models"], { env: env() });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Status\s+Model\s+Base model\s+VRAM\s+Context/);
    expect(human.stdout).toMatch(/validated\s+pearl-ai\/Llama-3\.3-70B-Instruct-pearl/);
    const machine = await jarvis(["--json", "mine", "models"], { env: env() });
    const { models } = machine.json<{ models: { modelId: string; status: string }[] }>();
    expect(models.map((m) => m.status)).toEqual(["validated", "planned", "planned"]);
  });

  it("attach records a local miner, refuses a remote one, and stop clears it", async () => {
    const remote = await jarvis(
      [
        "mine",
        "attach",
        "--vllm-endpoint",
        "http://10.0.0.8:8000/v1",
        "--gateway-url",
        "http://127.0.0.1:8337",
      ],
      { env: env() },
    );
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain("not this machine");
    const ok = await jarvis(
      [
        "--json",
        "mine",
        "attach",
        "--vllm-endpoint",
        "http://127.0.0.1:8000/v1/",
        "--gateway-url",
        "http://127.0.0.1:8337",
        "--wallet",
        WALLETS.mainnet,
      ],
      { env: env() },
    );
    expect(ok.code).toBe(0);
    const sidecar = JSON.parse(readFileSync(join(home.path, "runtime", "mining.json"), "utf8"));
    expect(sidecar).toMatchObject({
      provider: "vllm-pearl",
      vllm_endpoint: "http://127.0.0.1:8000/v1",
      container_id: "external",
      wallet_address: WALLETS.mainnet,
    });
    const again = await jarvis(
      [
        "mine",
        "attach",
        "--vllm-endpoint",
        "http://127.0.0.1:8000/v1",
        "--gateway-url",
        "http://127.0.0.1:8337",
      ],
      { env: env() },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already recorded");
  });

  it("doctor for a vllm-pearl config shows container rows and no CPU gateway row", async () => {
    writeFileSync(
      join(home.path, "config.toml"),
      `[mining]\nprovider = "vllm-pearl"\nwallet_address = "${WALLETS.mainnet}"\nsubmit_target = "solo"\n\n[mining.extra]\npearld_rpc_url = "http://127.0.0.1:9"\n`,
    );
    const result = await jarvis(["--json", "mine", "doctor"], {
      env: env({ PATH: "/nonexistent", DOCKER_HOST: "unix:///nonexistent.sock" }),
    });
    expect(result.code).toBe(1);
    const { rows, ok } = result.json<{
      ok: boolean;
      rows: { section: string; name: string; status: string; next?: string }[];
    }>();
    expect(ok).toBe(false);
    expect(rows.some((r) => r.section === "vLLM miner")).toBe(true);
    expect(rows.some((r) => r.section === "Gateway")).toBe(false);
    for (const row of rows.filter((r) => r.status === "fail"))
      expect(row.next, row.name).toBeTruthy();
    expect(rows).toContainEqual(
      expect.objectContaining({ section: "pearld", name: "Reachable", status: "fail" }),
    );
  });

  it("inspect-model checks a local directory and writes the artifact even when it fails", async () => {
    const model = join(home.path, "model");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(model);
    writeFileSync(
      join(model, "config.json"),
      JSON.stringify({ quantization_config: { quant_method: "pearl" } }),
    );
    const output = join(home.path, "out", "inspect.json");
    const result = await jarvis(
      ["--json", "mine", "inspect-model", "--model", model, "--output", output],
      { env: env() },
    );
    expect(result.code).toBe(1);
    const body = result.json<{ ok: boolean; status: string; error: { code: string } }>();
    expect(body).toMatchObject({
      ok: false,
      status: "failed",
      error: { code: "E_MODEL_CHECKS_FAILED" },
    });
    const artifact = JSON.parse(readFileSync(output, "utf8"));
    expect(artifact.status).toBe("failed");
    expect(artifact.checks.find((c: { name: string }) => c.name === "Pearl quantization")?.ok).toBe(
      true,
    );
  });
});

describe("bench", () => {
  it("uses the devnet's real default difficulty", async () => {
    const { DEVNET_DEFAULT_NBITS } = await import("@openjarvis/pearl-devnet");
    const { DEVNET_NBITS } = await import("../src/commands/mine/bench.js");
    expect(DEVNET_NBITS).toBe(DEVNET_DEFAULT_NBITS);
  });

  it("measures attempts/s and the expected time to a devnet block", async () => {
    const result = await jarvis(["--json", "mine", "bench", "--seconds", "1", "--threads", "1"], {
      env: env(),
    });
    expect(result.code).toBe(0);
    const body = result.json<{
      attempts: number;
      attemptsPerSecond: number;
      effectiveGmacPerSecond: number;
      devnet: { expectedSecondsPerBlock: number };
      network: unknown;
    }>();
    expect(body.attempts).toBeGreaterThan(0);
    expect(body.attemptsPerSecond).toBeGreaterThan(0);
    expect(body.effectiveGmacPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(body.devnet.expectedSecondsPerBlock)).toBe(true);
    expect(body.network).toBeNull();
    const bad = await jarvis(["mine", "bench", "--seconds", "0"], { env: env() });
    expect(bad.code).toBe(2);
  });
});

describe("status rendering", () => {
  it("shows only the hashrate windows the miner has filled", async () => {
    const { hashrateText } = await import("../src/commands/mine/status.js");
    const base = {
      providerId: "x",
      running: true,
      hashrate: 5,
      hashrateWindows: { "10s": 5, "60s": 4, "15m": 3 },
      attempts: 1,
      proofsSubmitted: 0,
      proofsRejected: 0,
      blocksFound: 0,
      lastProofAt: null,
      lastError: null,
      payoutTarget: "devnet",
    };
    expect(hashrateText({ ...base, uptimeSeconds: 4 })).toBe("5.00 attempts/s (over 4s)");
    expect(hashrateText({ ...base, uptimeSeconds: 75 })).toBe(
      "5.00 attempts/s (10 s) · 4.00 attempts/s (60 s)",
    );
    expect(hashrateText({ ...base, uptimeSeconds: 3600 })).toContain("3.00 attempts/s (15 min)");
    expect(
      hashrateText({
        ...base,
        hashrate: null,
        hashrateWindows: undefined,
        uptimeSeconds: null,
      } as never),
    ).toBe("—");
  });
});

describe("blocks rendering", () => {
  it("explains proofs that did not become blocks", async () => {
    const { blocksText } = await import("../src/commands/mine/status.js");
    const stats = {
      providerId: "cpu-pearl",
      running: true,
      hashrate: 5,
      attempts: 100,
      proofsSubmitted: 5,
      proofsRejected: 0,
      blocksFound: 3,
      lastProofAt: null,
      uptimeSeconds: 10,
      lastError: null,
      payoutTarget: "devnet",
      details: { devnetProofs: { accepted: 3, stale: 2, duplicate: 0, invalid: 0 } },
    };
    expect(blocksText(stats)).toBe("3 found (each proof verified by the devnet); 2 stale");
    expect(blocksText({ ...stats, details: {} })).toBe(
      "3 found (each proof verified by the devnet)",
    );
  });
});

describe("colour", () => {
  it("colours only on a terminal, never with NO_COLOR or --no-color", async () => {
    const ansi = /\x1b\[/;
    expect((await jarvis(["mine", "status"], { env: env(), isTTY: true })).stdout).toMatch(ansi);
    expect((await jarvis(["mine", "status"], { env: env() })).stdout).not.toMatch(ansi);
    expect(
      (await jarvis(["mine", "status"], { env: env({ NO_COLOR: "1" }), isTTY: true })).stdout,
    ).not.toMatch(ansi);
    expect(
      (await jarvis(["--no-color", "mine", "status"], { env: env(), isTTY: true })).stdout,
    ).not.toMatch(ansi);
  });
});

describe("error rendering", () => {
  it("colours error:/hint: only on a terminal", async () => {
    const tty = await jarvis(["mine", "start"], { env: env(), isTTY: true });
    expect(tty.stderr).toMatch(/^\x1b\[31merror:\x1b\[39m /);
    const plain = await jarvis(["mine", "start"], { env: env({ NO_COLOR: "1" }), isTTY: true });
    expect(plain.stderr).toMatch(/^error: /);
  });
});
