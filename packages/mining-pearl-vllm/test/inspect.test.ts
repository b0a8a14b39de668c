import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inspectModel } from "../src/index.js";
import { makeContext, removeContexts } from "./helpers.js";

const PEARL_CONFIG = {
  architectures: ["LlamaForCausalLM"],
  quantization_config: { quant_method: "pearl", format: "mixed-precision" },
};

/** A local stand-in for the Hugging Face Hub API: real HTTP, canned repositories. */
let server: Server;
let base: string;
const requests: Array<{ url: string; auth: string | undefined }> = [];

function reply(req: IncomingMessage): { status: number; body?: unknown } {
  const url = req.url ?? "";
  const auth = req.headers.authorization;
  if (url === "/api/models/pearl-ai/Llama-3.3-70B-Instruct-pearl") {
    return {
      status: 200,
      body: {
        id: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
        config: PEARL_CONFIG,
        siblings: [
          "config.json",
          "tokenizer.json",
          "model-00001-of-00002.safetensors",
          "weights/model-00002-of-00002.safetensors",
        ].map((rfilename) => ({ rfilename })),
      },
    };
  }
  if (url === "/api/models/pearl-ai/Gemma-4-31B-it-pearl") {
    // No siblings and a summary config: the tree and config.json are fetched separately.
    return {
      status: 200,
      body: {
        id: "pearl-ai/Gemma-4-31B-it-pearl",
        config: { architectures: ["Gemma4ForConditionalGeneration"] },
      },
    };
  }
  if (url === "/pearl-ai/Gemma-4-31B-it-pearl/resolve/main/config.json") {
    return {
      status: 200,
      body: { ...PEARL_CONFIG, architectures: ["Gemma4ForConditionalGeneration"] },
    };
  }
  if (url === "/api/models/pearl-ai/Gemma-4-31B-it-pearl/tree/main?recursive=true") {
    return {
      status: 200,
      body: [
        { type: "file", path: "config.json" },
        { type: "file", path: "tokenizer_config.json" },
        { type: "directory", path: "shards" },
        { type: "file", path: "shards/model.safetensors" },
        { type: "file", path: "processor_config.json" },
      ],
    };
  }
  if (url === "/api/models/meta-llama/Llama-3.3-70B-Instruct") {
    return {
      status: 200,
      body: {
        config: { architectures: ["LlamaForCausalLM"] },
        siblings: [{ rfilename: "config.json" }],
      },
    };
  }
  if (url === "/meta-llama/Llama-3.3-70B-Instruct/resolve/main/config.json") {
    return { status: 200, body: { architectures: ["LlamaForCausalLM"], torch_dtype: "bfloat16" } };
  }
  if (url.startsWith("/api/models/private/")) {
    return auth === "Bearer hf_secret_token_1234"
      ? { status: 200, body: { config: PEARL_CONFIG, siblings: [] } }
      : { status: 401 };
  }
  return { status: 404 };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", auth: req.headers.authorization });
    const { status, body } = reply(req);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body === undefined ? JSON.stringify({ error: "nope" }) : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  requests.length = 0;
  removeContexts();
});

const names = (a: { checks: Array<{ name: string; ok: boolean }> }) =>
  a.checks.map((c) => [c.name, c.ok]);

describe("inspectModel (Hugging Face over HTTP)", () => {
  it("passes a Pearl checkpoint, counting weights in sub-folders", async () => {
    const artifact = await inspectModel("pearl-ai/Llama-3.3-70B-Instruct-pearl", {
      hfBaseUrl: base,
      env: {},
    });
    expect(artifact).toMatchObject({
      schema_version: 1,
      source: "huggingface",
      status: "passed",
      hf_token_env: "HF_TOKEN",
    });
    expect(names(artifact)).toEqual([
      ["Model registry", true],
      ["HF model", true],
      ["HF file list", true],
      ["Pearl quantization", true],
      ["config.json", true],
      ["Tokenizer metadata", true],
      ["Weights", true],
    ]);
    expect(artifact.checks.find((c) => c.name === "Weights")?.info).toBe("2 files");
  });

  it("reads config.json and the recursive tree when the summary lacks them; checks Gemma processor files", async () => {
    const artifact = await inspectModel("pearl-ai/Gemma-4-31B-it-pearl", {
      hfBaseUrl: base,
      env: {},
      allowPlanned: true,
    });
    expect(artifact.checks.find((c) => c.name === "Pearl quantization")).toEqual({
      name: "Pearl quantization",
      ok: true,
      info: "pearl",
    });
    expect(artifact.checks.find((c) => c.name === "Gemma processor metadata")).toEqual({
      name: "Gemma processor metadata",
      ok: false,
      info: "missing preprocessor_config.json",
    });
    expect(artifact.status).toBe("failed");
  });

  it("fails a raw base model on registry and quantization", async () => {
    const artifact = await inspectModel("meta-llama/Llama-3.3-70B-Instruct", {
      hfBaseUrl: base,
      env: {},
    });
    expect(artifact.checks.find((c) => c.name === "Model registry")?.info).toBe(
      "raw model; planned Pearl variant pearl-ai/Llama-3.3-70B-Instruct-pearl",
    );
    expect(artifact.checks.find((c) => c.name === "Pearl quantization")).toMatchObject({
      ok: false,
      info: "missing quantization_config.quant_method",
    });
  });

  it("asks for a token on 401 and sends it, never echoing it, when set", async () => {
    const without = await inspectModel("private/model", { hfBaseUrl: base, env: {} });
    expect(without.checks.find((c) => c.name === "HF model")).toEqual({
      name: "HF model",
      ok: false,
      info: "HTTP 401; set $HF_TOKEN for gated/private models",
    });
    const token = "hf_secret_token_1234";
    const withToken = await inspectModel("private/model", {
      hfBaseUrl: base,
      env: { MY_HF: token },
      hfTokenEnv: "MY_HF",
    });
    expect(withToken.checks.find((c) => c.name === "HF model")?.ok).toBe(true);
    expect(requests.at(-1)?.auth).toBe(`Bearer ${token}`);
    expect(JSON.stringify(withToken)).not.toContain(token);
    const bad = await inspectModel("not a repo id", { hfBaseUrl: base, env: {} });
    expect(bad.checks.find((c) => c.name === "HF model")?.ok).toBe(false);
  });
});

describe("inspectModel (local directory)", () => {
  it("inspects files recursively, skipping .git", async () => {
    const dir = join(makeContext().home, "model");
    mkdirSync(join(dir, ".git"), { recursive: true });
    mkdirSync(join(dir, "shards"));
    writeFileSync(join(dir, "config.json"), JSON.stringify(PEARL_CONFIG));
    writeFileSync(join(dir, "tokenizer.json"), "{}");
    writeFileSync(join(dir, "shards", "a.safetensors"), "");
    writeFileSync(join(dir, ".git", "x.bin"), "");
    const artifact = await inspectModel(dir);
    expect(artifact).toMatchObject({ source: "local", status: "passed" });
    expect(artifact.checks.find((c) => c.name === "File list")?.info).toBe("3 files");
    expect(artifact.checks.find((c) => c.name === "Weights")?.info).toBe("1 files");
  });

  it("fails a directory without config.json and a non-Pearl quantization", async () => {
    const dir = join(makeContext().home, "empty");
    mkdirSync(dir);
    const missing = await inspectModel(dir);
    expect(missing.checks.find((c) => c.name === "Local artifact")).toMatchObject({
      ok: false,
      info: `missing ${join(dir, "config.json")}`,
    });
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({ quantization_config: { quant_method: "fp8" } }),
    );
    const fp8 = await inspectModel(dir);
    expect(fp8.checks.find((c) => c.name === "Pearl quantization")).toMatchObject({
      ok: false,
      info: "fp8",
    });
    expect(fp8.status).toBe("failed");
  });
});
