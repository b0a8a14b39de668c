/**
 * Against a real Docker-API engine (Podman here, from .ci/container-engine.sh): the busybox
 * "vLLM" image stands in for Pearl's miner. No GPU flags (Podman ignores them; the argv tests
 * pin them), host networking on loopback ports, and every container is labelled and removed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSidecar } from "@openjarvis/mining-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createVllmPearlProvider,
  DockerCliEngine,
  doctorChecks,
  ensureImage,
  validateModel,
} from "../src/index.js";
import {
  buildFakeImage,
  dockerHost,
  freePort,
  makeConfig,
  makeContext,
  PASSWORD,
  removeContexts,
  runId,
  TEST_LABEL,
} from "./helpers.js";

const RUN = runId();
let host: string;
let engine: DockerCliEngine;
let image: string;

function docker(args: string[]): string {
  return execFileSync("docker", args, {
    encoding: "utf8",
    env: { ...process.env, DOCKER_HOST: host },
  });
}

beforeAll(async () => {
  host = dockerHost();
  engine = new DockerCliEngine({ env: { ...process.env, DOCKER_HOST: host } });
  image = await buildFakeImage(engine);
});

afterEach(async () => {
  for (const c of await engine.listByLabel(TEST_LABEL, RUN)) await engine.remove(c.id);
  removeContexts();
});

afterAll(async () => {
  for (const c of await engine.listByLabel(TEST_LABEL, RUN)) await engine.remove(c.id);
});

function setup(extraEnv: Record<string, string> = {}) {
  const ctx = makeContext({ DOCKER_HOST: host, ...extraEnv });
  const provider = createVllmPearlProvider({
    containerName: `oj-test-miner-${RUN}-${runId()}`,
    labels: { [TEST_LABEL]: RUN },
    requestGpus: false,
    readyTimeoutMs: 20_000,
    readyPollMs: 200,
    stopTimeoutSeconds: 5,
  });
  return { ctx, provider };
}

async function config(vllmArgs: string[] = []) {
  return makeConfig({ docker_image_tag: image, vllm_port: await freePort(), vllm_args: vllmArgs });
}

describe("vllm-pearl against a real container engine", () => {
  it("start → ready → stats → redacted logs → validate → stop → removed", async () => {
    const { ctx, provider } = setup();
    const cfg = await config(["--fake-delay", "1"]);
    const record = await provider.start(cfg, ctx);
    const id = String(record.container_id);

    // Readiness reported progress while "vLLM" loaded.
    expect(
      ctx.progress.some((p) => p.stage === "ready" && p.message.startsWith("waiting for vLLM")),
    ).toBe(true);
    expect(readSidecar(ctx.paths.sidecarPath)).toMatchObject({
      provider: "vllm-pearl",
      container_id: id,
      model: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
    });
    expect(readFileSync(ctx.paths.sidecarPath, "utf8")).not.toContain(PASSWORD);
    expect(await provider.isRunning(ctx)).toBe(true);

    // The launch contract as the engine recorded it.
    const hostConfig = JSON.parse(docker(["inspect", "--format", "{{json .HostConfig}}", id]));
    expect(hostConfig.RestartPolicy.Name).toBe("unless-stopped");
    expect(hostConfig.NetworkMode).toBe("host");
    expect(hostConfig.ShmSize).toBe(8 * 1024 ** 3);
    const env: string[] = JSON.parse(docker(["inspect", "--format", "{{json .Config.Env}}", id]));
    expect(env).toContain(`PEARLD_RPC_PASSWORD=${PASSWORD}`); // reached the container via `-e NAME`
    expect(env.some((e) => e.startsWith("MINER_RPC_"))).toBe(false);
    const args: string[] = JSON.parse(docker(["inspect", "--format", "{{json .Args}}", id]));
    expect(args.join(" ")).not.toContain(PASSWORD);
    expect(args).toContain("127.0.0.1"); // vLLM bound to loopback

    const stats = await provider.stats(ctx);
    expect(stats).toMatchObject({
      providerId: "vllm-pearl",
      running: true,
      hashrate: null,
      proofsSubmitted: 3,
      blocksFound: 1,
      proofsRejected: 1,
      lastError: null,
    });
    expect(stats.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(stats.lastProofAt).toBeGreaterThan(Date.now() - 120_000);
    expect(stats.details).toMatchObject({
      container: { restartCount: 0, state: "running" },
      vllm: {
        promptTokens: 48213,
        generationTokens: 9120,
        requestsSucceeded: 42,
        requestsRunning: 2,
        requestsWaiting: 1,
        e2eLatencyMeanSeconds: 2.5,
        timeToFirstTokenMeanSeconds: 0.2,
        kvCacheUsage: 0.25,
      },
      gateway: { proofsReceived: 3, blocksAccepted: 1, blocksRejected: 1, staleProofs: 1 },
    });

    // The raw log holds the password four ways; ours shows none of them.
    const raw: string[] = [];
    for await (const line of engine.logs(id)) raw.push(line);
    expect(raw.filter((l) => l.includes(PASSWORD))).toHaveLength(4);
    const lines: string[] = [];
    for await (const line of provider.logs!(ctx, { tail: 200, stripAnsi: true })) lines.push(line);
    const text = lines.join("\n");
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("\u001b[");
    expect(text).toContain("rpc_password: ***");
    expect(text).toContain("PEARLD_RPC_PASSWORD=***");
    expect(text).toContain('"PEARLD_RPC_PASSWORD": "***"');
    expect(text).toContain("retrying node login as rpcuser:***");
    expect(text).toContain("Block accepted by node!");
    const tail2: string[] = [];
    for await (const line of provider.logs!(ctx, { tail: 2 })) tail2.push(line);
    expect(tail2).toHaveLength(2);

    // Follow ends promptly when aborted, leaving no `docker logs -f` behind.
    const controller = new AbortController();
    const followed: string[] = [];
    for await (const line of provider.logs!(ctx, {
      tail: 1,
      follow: true,
      signal: controller.signal,
    })) {
      followed.push(line);
      controller.abort();
    }
    expect(followed.length).toBeGreaterThanOrEqual(1);

    const artifact = await validateModel({ prompt: "hello", engine }, ctx);
    expect(artifact.checks.map((c) => [c.name, c.ok])).toEqual([
      ["Model registry", true],
      ["Sidecar", true],
      ["Sidecar model", true],
      ["vLLM /models", true],
      ["Chat completion", true],
      ["Gateway log", true],
      ["Mining proven", true],
    ]);
    expect(artifact).toMatchObject({ status: "passed", mining_proven: true, prompt_ran: true });

    await provider.stop(ctx);
    expect(await engine.inspect(id)).toBeNull();
    expect(existsSync(ctx.paths.sidecarPath)).toBe(false);
    expect(await provider.isRunning(ctx)).toBe(false);
    const after = await provider.stats(ctx);
    expect(after).toMatchObject({ running: false, proofsSubmitted: null, uptimeSeconds: null });
  });

  it("detects a container whose gateway cannot start and cleans it up", async () => {
    const { ctx, provider } = setup();
    const error = await provider.start(await config(["--fake-mode", "crash"]), ctx).catch((e) => e);
    expect(error.code).toMatch(/^E_CONTAINER_(RESTART_LOOP|FAILED)$/);
    expect(error.message).toContain("pearl-gateway exited before becoming ready");
    expect(error.message).toContain("Failed to connect to Pearl node");
    expect(error.hint).toContain("pearld");
    expect(await engine.listByLabel(TEST_LABEL, RUN)).toEqual([]);
    expect(existsSync(ctx.paths.sidecarPath)).toBe(false);
  });

  it("reports a crash-looping container with its last log line", async () => {
    const { ctx, provider } = setup();
    const error = await provider.start(await config(["--fake-mode", "exit"]), ctx).catch((e) => e);
    expect(error).toMatchObject({ code: "E_CONTAINER_RESTART_LOOP" });
    expect(error.message).toContain("CUDA out of memory");
    expect(error.message).toMatch(/last exit code 1/);
    expect(await engine.listByLabel(TEST_LABEL, RUN)).toEqual([]);
  });

  it("refuses a second start, also when two race", async () => {
    const { ctx, provider } = setup();
    const cfg = await config();
    const results = await Promise.allSettled([provider.start(cfg, ctx), provider.start(cfg, ctx)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason.code).toMatch(/^E_(LOCKED|ALREADY_RUNNING)$/);
    await expect(provider.start(cfg, ctx)).rejects.toMatchObject({
      code: "E_ALREADY_RUNNING",
      hint: expect.stringContaining("jarvis mine stop"),
    });
    const ours = await engine.listByLabel(TEST_LABEL, RUN);
    expect(ours.map((c) => c.state)).toEqual(["running"]);
    await provider.stop(ctx);
    expect(await engine.listByLabel(TEST_LABEL, RUN)).toEqual([]);
  });

  it("names a dead daemon socket as an unavailable engine, before any side effect", async () => {
    const dead = `unix://${join(tmpdir(), `oj-no-daemon-${runId()}.sock`)}`;
    const { ctx, provider } = setup({ DOCKER_HOST: dead });
    const error = await provider.start(await config(), ctx).catch((e) => e);
    expect(error).toMatchObject({
      code: "E_CONTAINER_ENGINE_UNAVAILABLE",
      message: expect.stringContaining("not running"),
    });
    expect(error.hint).toContain("DOCKER_HOST");
    expect(existsSync(ctx.paths.sidecarPath)).toBe(false);
    await expect(
      new DockerCliEngine({ env: { ...process.env, DOCKER_HOST: dead } }).version(),
    ).rejects.toMatchObject({
      code: "E_CONTAINER_ENGINE_UNAVAILABLE",
    });
    const rows = await doctorChecks(makeConfig(), ctx);
    expect(rows[0]).toMatchObject({ id: "container-engine", ok: false, required: true });
    const noCli = new DockerCliEngine({
      env: { ...process.env, DOCKER_HOST: host },
      binary: "docker-not-installed-here",
    });
    await expect(noCli.version()).rejects.toMatchObject({
      code: "E_CONTAINER_ENGINE_UNAVAILABLE",
      message: expect.stringContaining("not found"),
    });
  });

  it("maps engine errors: missing image, name in use, unknown container", async () => {
    await expect(
      ensureImage({ engine, tag: "127.0.0.1:9/openjarvis-test/missing:1", cacheDir: tmpdir() }),
    ).rejects.toMatchObject({
      code: "E_CONTAINER_IMAGE_NOT_FOUND",
      hint: expect.stringContaining("docker_image_tag"),
    });
    expect(await engine.imageExists("localhost/openjarvis-test/absent:1")).toBe(false);
    expect(await engine.inspect(`oj-absent-${runId()}`)).toBeNull();
    const name = `oj-test-name-${runId()}`;
    const spec = {
      argv: [
        "run",
        "--detach",
        "--name",
        name,
        "--label",
        `${TEST_LABEL}=${RUN}`,
        "--network",
        "host",
        image,
        "m",
        "--fake-mode",
        "crash",
      ],
      env: {},
    };
    await engine.run(spec);
    await expect(engine.run(spec)).rejects.toMatchObject({ code: "E_CONTAINER_NAME_IN_USE" });
    const absent: string[] = [];
    await expect(
      (async () => {
        for await (const line of engine.logs(`oj-absent-${runId()}`)) absent.push(line);
      })(),
    ).rejects.toMatchObject({
      code: "E_CONTAINER_FAILED",
      message: expect.stringMatching(/no such container/i),
    });
    await engine.stop(`oj-absent-${runId()}`, 1);
    await engine.remove(`oj-absent-${runId()}`);
  });

  it("builds the image from a pinned git commit with streamed progress", async () => {
    const repo = mkdtempSync(join(tmpdir(), "oj-pearl-src-"));
    const cache = mkdtempSync(join(tmpdir(), "oj-cache-"));
    const tag = `localhost/openjarvis-test/built:${RUN}`;
    try {
      const git = (args: string[]) =>
        execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
      // A small Pearl stand-in: the same Dockerfile path, built on top of the fake image.
      mkdirSync(join(repo, "miner", "vllm-miner"), { recursive: true });
      writeFileSync(join(repo, "VERSION"), "pinned\n");
      writeFileSync(
        join(repo, "miner", "vllm-miner", "Dockerfile"),
        `FROM ${image}\nCOPY VERSION /VERSION\n`,
      );
      git(["init", "-q"]);
      git(["-c", "user.email=t@t", "-c", "user.name=t", "add", "."]);
      git(["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "pinned"]);
      const pinned = git(["rev-parse", "HEAD"]);
      // A later commit on the branch must not be what gets built.
      writeFileSync(join(repo, "later.txt"), "x");
      git(["-c", "user.email=t@t", "-c", "user.name=t", "add", "."]);
      git(["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "later"]);

      const progress: string[] = [];
      const origin = await ensureImage({
        engine,
        tag,
        cacheDir: join(cache, "not-yet-created"),
        buildable: true,
        buildFlags: [],
        source: { repoUrl: repo, commit: pinned, dockerfile: "miner/vllm-miner/Dockerfile" },
        onProgress: (e) => progress.push(e.message),
      });
      expect(origin).toBe("built");
      expect(await engine.imageExists(tag)).toBe(true);
      expect(
        execFileSync("git", ["rev-parse", "HEAD"], {
          cwd: join(cache, "not-yet-created", "pearl"),
          encoding: "utf8",
        }).trim(),
      ).toBe(pinned);
      expect(existsSync(join(cache, "not-yet-created", "pearl", "later.txt"))).toBe(false);
      expect(progress.some((m) => /STEP|Step/.test(m))).toBe(true);
      expect(progress.some((m) => m === "git fetch")).toBe(true);

      await expect(
        ensureImage({
          engine,
          tag: `${tag}-other`,
          cacheDir: cache,
          buildable: true,
          source: { repoUrl: join(repo, "missing"), commit: "0".repeat(40), dockerfile: "x" },
        }),
      ).rejects.toMatchObject({
        code: "E_CONTAINER_IMAGE_NOT_FOUND",
        message: expect.stringContaining("git fetch"),
        hint: expect.stringContaining("docker build"),
      });
    } finally {
      docker(["rmi", "--force", tag]);
      rmSync(repo, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
