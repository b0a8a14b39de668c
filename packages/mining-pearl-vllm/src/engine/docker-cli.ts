import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { execa } from "execa";
import { z } from "zod";
import { mapCliFailure } from "./errors.js";
import type {
  BuildSpec,
  ContainerEngine,
  ContainerInfo,
  ContainerSummary,
  EngineVersion,
  LogStreamOptions,
  RunSpec,
} from "./types.js";

export interface DockerCliEngineOptions {
  /**
   * The docker CLI's environment (PATH, HOME, DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG…).
   * Defaults to `process.env`. Nothing else leaks in: secrets are added per `run` only.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** The CLI binary; "docker" by default. */
  binary?: string;
  /** Upper bound for short commands (inspect, version…), in ms. */
  timeoutMs?: number;
}

const VersionSchema = z.object({
  Version: z.string().default("unknown"),
  ApiVersion: z.string().default("unknown"),
  Components: z
    .array(z.object({ Name: z.string() }).loose())
    .nullish()
    .transform((c) => c ?? []),
});

const InspectSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  RestartCount: z.number().default(0),
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    Restarting: z.boolean().default(false),
    ExitCode: z.number().default(0),
    StartedAt: z.string().default(""),
    FinishedAt: z.string().default(""),
    Error: z.string().default(""),
  }),
  Config: z.object({
    Image: z.string().default(""),
    Labels: z
      .record(z.string(), z.string())
      .nullish()
      .transform((l) => l ?? {}),
  }),
});

const NO_SUCH = /No such (object|container)|no container with name or ID/i;
const NO_SUCH_IMAGE = /No such image|image not known|failed to find image/i;

/** A `ContainerEngine` over the `docker` CLI: works with Docker and with Podman's Docker API. */
export class DockerCliEngine implements ContainerEngine {
  readonly #env: Record<string, string>;
  readonly #binary: string;
  readonly #timeoutMs: number;
  #flavour: EngineVersion["flavour"] | undefined;

  constructor(options: DockerCliEngineOptions = {}) {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env ?? process.env)) {
      if (value !== undefined) env[key] = value;
    }
    // The CLI's "What's next" hints would end up in our error messages.
    env.DOCKER_CLI_HINTS = "false";
    this.#env = env;
    this.#binary = options.binary ?? "docker";
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  async #exec(
    command: string,
    args: string[],
    options: { env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<{ ok: boolean; stdout: string; stderr: string; exitCode: number | undefined }> {
    const result = await execa(this.#binary, args, {
      env: { ...this.#env, ...options.env },
      extendEnv: false,
      reject: false,
      stdin: "ignore",
      timeout: options.timeoutMs ?? this.#timeoutMs,
    });
    if (result.timedOut) {
      throw new MiningError(
        ErrorCodes.CONTAINER_ENGINE_UNAVAILABLE,
        `\`docker ${command}\` did not answer within ${Math.round((options.timeoutMs ?? this.#timeoutMs) / 1000)} s`,
        { hint: "the container engine looks hung; restart it and run `jarvis mine doctor`" },
      );
    }
    if (result.failed && result.exitCode === undefined) {
      throw mapCliFailure({
        command,
        stderr: String(result.stderr ?? ""),
        exitCode: undefined,
        spawnErrorCode: (result as { code?: string }).code,
      });
    }
    return {
      ok: !result.failed,
      stdout: String(result.stdout),
      stderr: String(result.stderr),
      exitCode: result.exitCode,
    };
  }

  async #must(
    command: string,
    args: string[],
    options?: { env?: Record<string, string>; timeoutMs?: number },
  ): Promise<string> {
    const { ok, stdout, stderr, exitCode } = await this.#exec(command, args, options);
    if (!ok) throw mapCliFailure({ command, stderr, exitCode });
    return stdout;
  }

  /** A docker child whose stdout and stderr are read together, line by line, as they come. */
  #spawnLines(
    args: string[],
    options: { cwd?: string; env?: Record<string, string>; signal?: AbortSignal },
  ) {
    return execa(this.#binary, args, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { ...this.#env, ...options.env },
      extendEnv: false,
      reject: false,
      stdin: "ignore",
      all: true,
      buffer: false,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
  }

  /** Runs a long command, handing every output line to `onLine`; keeps the tail for errors. */
  async #stream(
    command: string,
    args: string[],
    options: {
      cwd?: string;
      env?: Record<string, string>;
      onLine?: (line: string) => void;
      signal?: AbortSignal;
    },
  ): Promise<void> {
    const child = this.#spawnLines(args, options);
    const tail: string[] = [];
    try {
      for await (const line of child.iterable({ from: "all" })) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        options.onLine?.(line);
      }
    } catch {
      // The result below says what happened.
    }
    const result = await child;
    if (result.isCanceled) {
      throw new MiningError(ErrorCodes.ABORTED, `\`docker ${command}\` was cancelled`);
    }
    if (result.failed) {
      throw mapCliFailure({
        command,
        stderr: tail.join("\n"),
        exitCode: result.exitCode,
        spawnErrorCode: (result as { code?: string }).code,
      });
    }
  }

  async version(): Promise<EngineVersion> {
    const out = await this.#must("version", ["version", "--format", "{{json .Server}}"]);
    const parsed = VersionSchema.safeParse(JSON.parse(out.trim() || "null"));
    if (!parsed.success) {
      throw new MiningError(
        ErrorCodes.CONTAINER_ENGINE_UNAVAILABLE,
        "the container engine did not report a server version",
        { hint: "check DOCKER_HOST / `docker context ls` and run `docker version`" },
      );
    }
    const podman = parsed.data.Components.some((c) => /podman/i.test(c.Name));
    this.#flavour = podman ? "podman" : "docker";
    return {
      server: parsed.data.Version,
      apiVersion: parsed.data.ApiVersion,
      flavour: this.#flavour,
    };
  }

  async runtimes(): Promise<string[]> {
    const out = await this.#must("info", ["info", "--format", "{{json .Runtimes}}"]);
    const parsed = z
      .record(z.string(), z.unknown())
      .nullable()
      .safeParse(JSON.parse(out.trim() || "null"));
    return parsed.success && parsed.data ? Object.keys(parsed.data) : [];
  }

  async imageExists(ref: string): Promise<boolean> {
    const { ok, stderr } = await this.#exec("image inspect", [
      "image",
      "inspect",
      "--format",
      "{{.Id}}",
      ref,
    ]);
    if (ok) return true;
    if (NO_SUCH_IMAGE.test(stderr)) return false;
    throw mapCliFailure({ command: "image inspect", stderr, exitCode: 1 });
  }

  async pull(ref: string, onLine?: (line: string) => void): Promise<void> {
    await this.#stream("pull", ["pull", ref], { ...(onLine ? { onLine } : {}) });
  }

  async build(spec: BuildSpec): Promise<void> {
    // Pearl's Dockerfile needs BuildKit (`RUN --mount=type=cache`): on Docker that is buildx;
    // Podman's own builder understands it through the classic build endpoint. Asking the
    // server which one it is costs seconds on Podman, so only when buildx is installed.
    const hasBuildx = (await this.#exec("buildx", ["buildx", "version"])).ok;
    const useBuildx = hasBuildx && (this.#flavour ?? (await this.version()).flavour) === "docker";
    const args = useBuildx ? ["buildx", "build", "--load", "--progress", "plain"] : ["build"];
    args.push(...(spec.flags ?? []), "-t", spec.tag, "-f", spec.dockerfile, ".");
    await this.#stream(useBuildx ? "buildx build" : "build", args, {
      cwd: spec.contextDir,
      env: useBuildx ? {} : { DOCKER_BUILDKIT: "0" },
      ...(spec.onLine ? { onLine: spec.onLine } : {}),
      ...(spec.signal ? { signal: spec.signal } : {}),
    });
  }

  async run(spec: RunSpec): Promise<string> {
    const out = await this.#must(
      "run",
      spec.argv[0] === "run" ? spec.argv : ["run", ...spec.argv],
      {
        env: spec.env,
        timeoutMs: 120_000,
      },
    );
    const id = out.trim().split("\n").pop() ?? "";
    if (!/^[0-9a-f]{12,64}$/.test(id)) {
      throw new MiningError(
        ErrorCodes.CONTAINER_FAILED,
        "`docker run` did not print a container id",
        {
          hint: "run `docker ps -a` to see what the engine created",
        },
      );
    }
    return id;
  }

  async inspect(nameOrId: string): Promise<ContainerInfo | null> {
    const { ok, stdout, stderr } = await this.#exec("inspect", [
      "inspect",
      "--type",
      "container",
      "--format",
      "{{json .}}",
      nameOrId,
    ]);
    if (!ok) {
      if (NO_SUCH.test(stderr)) return null;
      throw mapCliFailure({ command: "inspect", stderr, exitCode: 1 });
    }
    const first = stdout.trim().split("\n")[0] ?? "";
    return toContainerInfo(JSON.parse(first));
  }

  async stop(nameOrId: string, timeoutSeconds: number): Promise<void> {
    const { ok, stderr } = await this.#exec(
      "stop",
      ["stop", "-t", String(timeoutSeconds), nameOrId],
      {
        timeoutMs: (timeoutSeconds + 30) * 1000,
      },
    );
    if (!ok && !NO_SUCH.test(stderr)) throw mapCliFailure({ command: "stop", stderr, exitCode: 1 });
  }

  async remove(nameOrId: string): Promise<void> {
    // A container caught between restarts can survive one `rm --force`; look again.
    for (let attempt = 1; ; attempt++) {
      const { ok, stderr } = await this.#exec("rm", ["rm", "--force", nameOrId], {
        timeoutMs: 60_000,
      });
      if (!ok && NO_SUCH.test(stderr)) return;
      if (ok && (await this.inspect(nameOrId)) === null) return;
      if (attempt === 3)
        throw mapCliFailure({
          command: "rm",
          stderr: stderr || "the container is still there",
          exitCode: 1,
        });
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }

  async *logs(nameOrId: string, options: LogStreamOptions = {}): AsyncIterable<string> {
    const args = ["logs"];
    if (options.tail !== undefined) args.push("--tail", String(options.tail));
    if (options.follow) args.push("--follow");
    if (options.timestamps) args.push("--timestamps");
    args.push(nameOrId);
    const child = this.#spawnLines(args, options);
    let last = "";
    let finished = false;
    try {
      for await (const line of child.iterable({ from: "all" })) {
        last = line;
        yield line;
      }
      finished = true;
    } catch (error) {
      if (!options.signal?.aborted) throw error;
    } finally {
      // Stopping early (break, abort) must not leave a `docker logs --follow` behind.
      if (!finished) child.kill();
      await child;
    }
    const result = await child;
    if (result.failed && !options.signal?.aborted) {
      // The CLI prints its own error last. Only that line is used: the others are the
      // container's output, which may hold secrets.
      throw mapCliFailure({ command: "logs", stderr: last, exitCode: result.exitCode });
    }
  }

  async listByLabel(key: string, value: string): Promise<ContainerSummary[]> {
    const ids = (
      await this.#must("ps", [
        "ps",
        "--all",
        "--quiet",
        "--no-trunc",
        "--filter",
        `label=${key}=${value}`,
      ])
    )
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean);
    const found: ContainerSummary[] = [];
    for (const id of ids) {
      const info = await this.inspect(id);
      if (info) {
        found.push({
          id: info.id,
          name: info.name,
          image: info.image,
          state: info.state.status,
          labels: info.labels,
        });
      }
    }
    return found;
  }
}

function toContainerInfo(raw: unknown): ContainerInfo {
  const parsed = InspectSchema.safeParse(raw);
  if (!parsed.success) {
    throw new MiningError(
      ErrorCodes.CONTAINER_FAILED,
      "`docker inspect` returned an unexpected shape",
      { hint: "update Docker/Podman; the Docker Engine API 1.41 or newer is needed" },
    );
  }
  const d = parsed.data;
  return {
    id: d.Id,
    name: d.Name.replace(/^\//, ""),
    image: d.Config.Image,
    labels: d.Config.Labels,
    restartCount: d.RestartCount,
    state: {
      status: d.State.Status,
      running: d.State.Running,
      restarting: d.State.Restarting,
      exitCode: d.State.ExitCode,
      startedAt: d.State.StartedAt,
      finishedAt: d.State.FinishedAt,
      error: d.State.Error,
    },
  };
}
