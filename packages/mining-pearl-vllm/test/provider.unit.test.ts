import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readSidecar, writeSidecar } from "@openjarvis/mining-core";
import { afterEach, describe, expect, it } from "vitest";
import {
  attachMiner,
  createVllmPearlProvider,
  DEFAULT_IMAGE_TAG,
  doctorChecks,
  ensureImage,
  MemoryEngine,
} from "../src/index.js";
import { makeConfig, makeContext, PASSWORD, removeContexts, WALLET } from "./helpers.js";

/** A fetch that says vLLM is healthy (the in-memory engine runs nothing). */
const healthyFetch: typeof fetch = async () => new Response("OK", { status: 200 });

function setup(extraEnv: Record<string, string> = {}) {
  const engine = new MemoryEngine();
  engine.images.add("localhost/test/miner:1");
  const ctx = makeContext(extraEnv);
  const provider = createVllmPearlProvider({
    engine: () => engine,
    fetch: healthyFetch,
    readyPollMs: 10,
    readyTimeoutMs: 2_000,
  });
  const config = makeConfig({ docker_image_tag: "localhost/test/miner:1" });
  return { engine, ctx, provider, config };
}

afterEach(removeContexts);

describe("vllm-pearl start/stop (in-memory engine)", () => {
  it("starts, writes the vllm sidecar shape, refuses a second start, stops idempotently", async () => {
    const { engine, ctx, provider, config } = setup();
    const record = await provider.start(config, ctx);
    expect(record).toMatchObject({
      provider: "vllm-pearl",
      vllm_endpoint: "http://127.0.0.1:8000/v1",
      model: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
      wallet_address: WALLET,
      container_name: "openjarvis-pearl-miner",
      pearld_rpc_password_env: "PEARLD_RPC_PASSWORD",
      schema_version: 1,
    });
    expect(Number.isInteger(record.started_at)).toBe(true);
    expect(JSON.stringify(readSidecar(ctx.paths.sidecarPath))).not.toContain(PASSWORD);
    const [container] = [...engine.containers.values()];
    expect(record.container_id).toBe(container?.id);
    expect(container?.spec.env.PEARLD_RPC_PASSWORD).toBe(PASSWORD);
    expect(container?.spec.argv.join(" ")).not.toContain(PASSWORD);
    expect(await provider.isRunning(ctx)).toBe(true);

    await expect(provider.start(config, ctx)).rejects.toMatchObject({ code: "E_ALREADY_RUNNING" });
    expect(engine.containers.size).toBe(1);

    await provider.stop(ctx);
    expect(engine.containers.size).toBe(0);
    expect(existsSync(ctx.paths.sidecarPath)).toBe(false);
    await provider.stop(ctx);
    expect(await provider.isRunning(ctx)).toBe(false);
  });

  it("rejects bad input before touching the engine", async () => {
    const { engine, ctx, provider, config } = setup();
    await expect(
      provider.start({ ...config, walletAddress: "prl1qqqqqqqqqqqqqqqqqq" }, ctx),
    ).rejects.toMatchObject({
      code: "E_WALLET_INVALID",
    });
    // A regtest address with a mainnet pearld (default port 44107): the gateway would pay it.
    await expect(
      provider.start(makeConfig({ pearld_rpc_url: "http://localhost:44107" }), ctx),
    ).rejects.toMatchObject({
      code: "E_WALLET_INVALID",
      message: expect.stringContaining("not mainnet"),
    });
    await expect(
      provider.start({ ...config, submitTarget: { kind: "pool", url: "https://p" } }, ctx),
    ).rejects.toMatchObject({
      code: "E_PROVIDER_UNSUPPORTED",
    });
    await expect(
      provider.start({ ...config, submitTarget: { kind: "devnet" } }, ctx),
    ).rejects.toMatchObject({
      code: "E_PROVIDER_UNSUPPORTED",
      hint: expect.stringContaining("cpu-pearl"),
    });
    await expect(
      provider.start(makeConfig({ local_model_path: join(ctx.home, "nope") }), ctx),
    ).rejects.toMatchObject({
      code: "E_CONFIG_INVALID",
      message: expect.stringContaining("does not exist"),
    });
    const noPassword = makeContext({ PEARLD_RPC_PASSWORD: "" });
    const error = await provider.start(config, noPassword).catch((e) => e);
    expect(error).toMatchObject({
      code: "E_SECRET_MISSING",
      message: expect.stringContaining("PEARLD_RPC_PASSWORD"),
    });
    expect(engine.containers.size).toBe(0);
    expect(existsSync(ctx.paths.sidecarPath)).toBe(false);
  });

  it("does not touch a foreign container with our name, and clears our dead one", async () => {
    const { engine, ctx, provider, config } = setup();
    await engine.run({
      argv: ["run", "--name", "openjarvis-pearl-miner", "localhost/test/miner:1"],
      env: {},
    });
    await expect(provider.start(config, ctx)).rejects.toMatchObject({
      code: "E_CONTAINER_NAME_IN_USE",
    });
    expect(engine.containers.size).toBe(1);
    await provider.stop(ctx);
    expect(engine.containers.size).toBe(1);

    engine.containers.clear();
    await engine.run({
      argv: [
        "run",
        "--name",
        "openjarvis-pearl-miner",
        "--label",
        "org.openjarvis.mining.managed=true",
        "localhost/test/miner:1",
      ],
      env: {},
    });
    for (const c of engine.containers.values())
      c.state = { ...c.state, running: false, status: "exited" };
    await provider.start(config, ctx);
    expect([...engine.containers.values()].map((c) => c.state.running)).toEqual([true]);
  });

  it("refuses while another provider's live miner owns the sidecar", async () => {
    const { ctx, provider, config } = setup();
    writeSidecar(ctx.paths.sidecarPath, {
      provider: "cpu-pearl",
      started_at: 1,
      wallet_address: WALLET,
    });
    await expect(provider.start(config, ctx)).rejects.toMatchObject({ code: "E_ALREADY_RUNNING" });
    await provider.stop(ctx);
    expect(readSidecar(ctx.paths.sidecarPath)?.provider).toBe("cpu-pearl");
  });

  it("removes the container and the sidecar when vLLM never becomes healthy", async () => {
    const engine = new MemoryEngine();
    engine.images.add("localhost/test/miner:1");
    const ctx = makeContext();
    const provider = createVllmPearlProvider({
      engine: () => engine,
      fetch: async () => new Response("loading", { status: 503 }),
      readyPollMs: 10,
      readyTimeoutMs: 100,
    });
    engine.onRun = (c) => c.logs.push("INFO: loading weights 12%");
    await expect(
      provider.start(makeConfig({ docker_image_tag: "localhost/test/miner:1" }), ctx),
    ).rejects.toMatchObject({
      code: "E_TIMEOUT",
    });
    expect(engine.containers.size).toBe(0);
    expect(existsSync(ctx.paths.sidecarPath)).toBe(false);
    expect(
      ctx.progress.some((p) => p.stage === "ready" && p.message.includes("loading weights 12%")),
    ).toBe(true);
  });

  it("reports gateway trouble after startup in stats.lastError", async () => {
    const { engine, ctx, provider, config } = setup();
    await provider.start(config, ctx);
    const [container] = [...engine.containers.values()];
    const refresh = "Failed to refresh template: Error communicating with Pearl node: HTTP 401";
    container?.logs.push(
      "Received PlainProof submission for template time 1",
      refresh,
      refresh,
      refresh,
    );
    const stats = await provider.stats(ctx);
    expect(stats).toMatchObject({ running: true, proofsSubmitted: 1, blocksFound: 0 });
    expect(stats.lastError).toContain(`gateway: ${refresh}`);
  });

  it("stops waiting, and removes the container, when the caller aborts", async () => {
    const engine = new MemoryEngine();
    engine.images.add("localhost/test/miner:1");
    const controller = new AbortController();
    const ctx = {
      ...makeContext(),
      signal: controller.signal,
      onProgress: () => controller.abort(),
    };
    const provider = createVllmPearlProvider({
      engine: () => engine,
      fetch: async () => new Response("loading", { status: 503 }),
      readyPollMs: 10,
    });
    await expect(
      provider.start(makeConfig({ docker_image_tag: "localhost/test/miner:1" }), ctx),
    ).rejects.toMatchObject({
      code: "E_ABORTED",
    });
    expect(engine.containers.size).toBe(0);
    expect(existsSync(ctx.paths.sidecarPath)).toBe(false);
  });

  it("fails fast, redacted, on the gateway's failure lines", async () => {
    const { engine, ctx, provider, config } = setup();
    engine.onRun = (c) => {
      c.logs.push(`rpc_password: ${PASSWORD}`, "pearl-gateway exited before becoming ready");
      c.restartCount = 1;
    };
    const error = await provider.start(config, ctx).catch((e) => e);
    expect(error).toMatchObject({
      code: "E_CONTAINER_RESTART_LOOP",
      message: expect.stringContaining("exited before becoming ready"),
    });
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
    expect(engine.containers.size).toBe(0);
  });
});

describe("image resolution (in-memory engine)", () => {
  it("uses a local image, then pulls, and refuses to build tags that are not ours", async () => {
    const engine = new MemoryEngine();
    const cacheDir = makeContext().paths.cacheDir;
    engine.images.add("repo/local:1");
    expect(await ensureImage({ engine, tag: "repo/local:1", cacheDir })).toBe("local");
    engine.registry.add("repo/remote:1");
    expect(await ensureImage({ engine, tag: "repo/remote:1", cacheDir })).toBe("pulled");
    await expect(ensureImage({ engine, tag: "repo/missing:1", cacheDir })).rejects.toMatchObject({
      code: "E_CONTAINER_IMAGE_NOT_FOUND",
      message: expect.stringContaining("repo/missing:1"),
      hint: expect.stringContaining(DEFAULT_IMAGE_TAG),
    });
    expect(engine.pulls).toEqual(["repo/remote:1", "repo/missing:1"]);
    expect(engine.builds).toEqual([]);
  });

  it("never pulls a localhost/ tag (no registry serves it)", async () => {
    const engine = new MemoryEngine();
    await expect(
      ensureImage({ engine, tag: "localhost/x:1", cacheDir: "/nonexistent" }),
    ).rejects.toMatchObject({
      code: "E_CONTAINER_IMAGE_NOT_FOUND",
    });
    expect(engine.pulls).toEqual([]);
  });
});

describe("attachMiner", () => {
  it("writes the attach sidecar shape with validated URLs and refuses a second miner", async () => {
    const ctx = makeContext();
    const record = await attachMiner(
      {
        vllmEndpoint: "http://127.0.0.1:8000/v1/",
        gatewayUrl: "http://127.0.0.1:8337",
        wallet: WALLET,
      },
      ctx,
    );
    expect(record).toMatchObject({
      provider: "vllm-pearl",
      vllm_endpoint: "http://127.0.0.1:8000/v1",
      gateway_url: "http://127.0.0.1:8337",
      container_id: "external",
      model: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
      wallet_address: WALLET,
    });
    expect(record.gateway_metrics_url).toBeUndefined();
    await expect(
      attachMiner({ vllmEndpoint: "http://127.0.0.1:1/v1", gatewayUrl: "http://127.0.0.1:2" }, ctx),
    ).rejects.toMatchObject({
      code: "E_ALREADY_RUNNING",
    });
  });

  it("rejects remote hosts (unless allowed), bad URLs, bad wallets and odd container ids", async () => {
    const ctx = makeContext();
    const ok = { vllmEndpoint: "http://127.0.0.1:8000/v1", gatewayUrl: "http://127.0.0.1:8337" };
    await expect(
      attachMiner({ ...ok, vllmEndpoint: "http://evil.example:8000/v1" }, ctx),
    ).rejects.toMatchObject({
      code: "E_USAGE",
      message: expect.stringContaining("evil.example"),
    });
    await expect(attachMiner({ ...ok, gatewayUrl: "not a url" }, ctx)).rejects.toMatchObject({
      code: "E_USAGE",
    });
    await expect(
      attachMiner({ ...ok, gatewayMetricsUrl: "ftp://127.0.0.1/x" }, ctx),
    ).rejects.toMatchObject({ code: "E_USAGE" });
    await expect(attachMiner({ ...ok, wallet: "prl1qxyz" }, ctx)).rejects.toMatchObject({
      code: "E_WALLET_INVALID",
    });
    await expect(attachMiner({ ...ok, containerId: "a b; rm" }, ctx)).rejects.toMatchObject({
      code: "E_USAGE",
    });
    expect(existsSync(ctx.paths.sidecarPath)).toBe(false);
    const remote = await attachMiner(
      { ...ok, vllmEndpoint: "http://10.1.2.3:8000/v1", allowRemote: true },
      ctx,
    );
    expect(remote.vllm_endpoint).toBe("http://10.1.2.3:8000/v1");
  });
});

describe("doctorChecks", () => {
  it("reports engine, GPU runtime, image, disk and model rows with next steps", async () => {
    const engine = new MemoryEngine();
    const ctx = makeContext();
    const rows = await doctorChecks(makeConfig({ model: "pearl-ai/Gemma-4-31B-it-pearl" }), {
      ...ctx,
      engine,
    });
    expect(rows.map((r) => [r.id, r.ok, r.required])).toEqual([
      ["container-engine", true, true],
      ["gpu-runtime", false, false],
      ["image", false, false],
      ["disk", expect.any(Boolean), true],
      ["model", false, true],
    ]);
    expect(rows.find((r) => r.id === "image")?.hint).toContain("builds it from Pearl 77fef91ed7a8");
    expect(rows.find((r) => r.id === "model")?.detail).toBe(
      "planned: pearl-ai/Gemma-4-31B-it-pearl",
    );

    engine.available = false;
    engine.runtimeNames.push("nvidia");
    const down = await doctorChecks(makeConfig(), { ...ctx, engine });
    expect(down[0]).toMatchObject({
      id: "container-engine",
      ok: false,
      hint: "start Docker or Podman",
    });
    expect(down.map((r) => r.id)).toEqual(["container-engine", "disk", "model"]);

    const bad = await doctorChecks(makeConfig({ vllm_port: "x" }), { ...ctx, engine });
    expect(bad).toEqual([
      expect.objectContaining({
        id: "config",
        ok: false,
        detail: expect.stringContaining("vllm_port"),
      }),
    ]);
  });

  it("checks a configured local model directory", async () => {
    const ctx = makeContext();
    const dir = join(ctx.home, "model");
    mkdirSync(dir);
    writeFileSync(join(dir, "config.json"), "{}");
    const rows = await doctorChecks(makeConfig({ local_model_path: dir }), {
      ...ctx,
      engine: new MemoryEngine(),
    });
    expect(rows.find((r) => r.id === "model")?.ok).toBe(true);
    expect(rows.find((r) => r.id === "disk")?.required).toBe(false);
  });
});
