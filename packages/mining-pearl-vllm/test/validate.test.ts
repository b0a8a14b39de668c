import { createServer, type Server } from "node:http";
import { writeSidecar } from "@openjarvis/mining-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { attachMiner, createVllmPearlProvider, MemoryEngine, validateModel } from "../src/index.js";
import { makeContext, PASSWORD, removeContexts, WALLET } from "./helpers.js";

const MODEL = "pearl-ai/Llama-3.3-70B-Instruct-pearl";
let server: Server;
let endpoint: string;

beforeAll(async () => {
  // A real HTTP server answering like vLLM's OpenAI API.
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/v1/models") {
      res.end(JSON.stringify({ object: "list", data: [{ id: MODEL, object: "model" }] }));
    } else if (req.url === "/v1/chat/completions" && req.method === "POST") {
      res.end(
        JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "hi" } }] }),
      );
    } else if (req.url === "/health") {
      res.end("");
    } else if (req.url === "/metrics") {
      res.setHeader("content-type", "text/plain");
      res.end('vllm:generation_tokens_total{model_name="m"} 77\n');
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(removeContexts);

async function withContainer(logs: string[]) {
  const engine = new MemoryEngine();
  engine.images.add("img");
  const id = await engine.run({ argv: ["run", "--name", "miner", "img"], env: {} });
  engine.containers.get(id)?.logs.push(...logs);
  const ctx = makeContext();
  writeSidecar(ctx.paths.sidecarPath, {
    provider: "vllm-pearl",
    started_at: 1,
    wallet_address: WALLET,
    vllm_endpoint: endpoint,
    model: MODEL,
    container_id: id,
  });
  return { engine, ctx };
}

describe("validateModel", () => {
  it("does not pass on a vLLM answer alone", async () => {
    const { engine, ctx } = await withContainer([
      "Starting pearl-gateway...",
      `rpc_password: ${PASSWORD}`,
      "INFO: Application startup complete.",
    ]);
    const artifact = await validateModel({ prompt: "hi", engine }, ctx);
    expect(artifact.checks.map((c) => [c.name, c.ok])).toEqual([
      ["Model registry", true],
      ["Sidecar", true],
      ["Sidecar model", true],
      ["vLLM /models", true],
      ["Chat completion", true],
      ["Gateway log", true],
      ["Mining proven", false],
    ]);
    expect(artifact).toMatchObject({
      status: "failed",
      mining_proven: false,
      vllm_endpoint: endpoint,
      prompt_ran: true,
    });
    expect(JSON.stringify(artifact)).not.toContain(PASSWORD);
  });

  it("passes once the gateway log shows proofs", async () => {
    const { engine, ctx } = await withContainer([
      "Received PlainProof submission for template time 5",
      "Block accepted by node!",
    ]);
    const artifact = await validateModel({ engine }, ctx);
    expect(artifact).toMatchObject({ status: "passed", mining_proven: true, prompt_ran: false });
    expect(artifact.gateway).toMatchObject({ proofsReceived: 1, blocksAccepted: 1 });
  });

  it("fails without a sidecar, a reachable endpoint or a container to read", async () => {
    const ctx = makeContext();
    const none = await validateModel({ engine: new MemoryEngine() }, ctx);
    expect(none.checks.map((c) => [c.name, c.ok, c.info])).toEqual([
      ["Model registry", true, `validated: ${MODEL}`],
      ["Sidecar", false, "absent - run `jarvis mine start` first"],
      ["vLLM endpoint", false, "missing"],
      [
        "Gateway log",
        false,
        "no container to read the gateway log from (pass the container id or name)",
      ],
      [
        "Mining proven",
        false,
        "no proof has reached the gateway yet; vLLM answering alone does not prove mining",
      ],
    ]);
    await attachMiner(
      { vllmEndpoint: endpoint.replace(/\d+\/v1$/, "1/v1"), gatewayUrl: "http://127.0.0.1:8337" },
      ctx,
    );
    const dead = await validateModel({ engine: new MemoryEngine(), timeoutMs: 2_000 }, ctx);
    expect(dead.checks.find((c) => c.name === "vLLM /models")?.ok).toBe(false);
    expect(dead.container).toBeNull();
  });
});

describe("an attached (external) miner", () => {
  it("is running while its vLLM answers, with vLLM's counters in stats", async () => {
    const ctx = makeContext();
    const engine = new MemoryEngine();
    const provider = createVllmPearlProvider({ engine: () => engine });
    await attachMiner({ vllmEndpoint: endpoint, gatewayUrl: "http://127.0.0.1:8337" }, ctx);
    expect(await provider.isRunning(ctx)).toBe(true);
    const stats = await provider.stats(ctx);
    expect(stats).toMatchObject({
      running: true,
      proofsSubmitted: null,
      details: { vllm: { generationTokens: 77 } },
    });
    await provider.stop(ctx);
    expect(await provider.isRunning(ctx)).toBe(false);
  });
});
