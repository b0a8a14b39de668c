import { ErrorCodes, MiningError } from "@openjarvis/mining-core";

/** What the docker CLI said, after the fact. */
export interface CliFailure {
  /** The docker subcommand, e.g. "run" or "image inspect" (never its arguments: they may hold paths). */
  command: string;
  stderr: string;
  exitCode: number | undefined;
  /** Set when the `docker` binary itself could not be started. */
  spawnErrorCode?: string;
}

interface Rule {
  pattern: RegExp;
  code: (typeof ErrorCodes)[keyof typeof ErrorCodes];
  message: string;
  hint: string;
}

const RULES: Rule[] = [
  {
    pattern: /permission denied while trying to connect|connect: permission denied/i,
    code: ErrorCodes.CONTAINER_PERMISSION,
    message: "permission denied on the container engine's socket",
    hint: "add your user to the `docker` group (`sudo usermod -aG docker $USER`, then log in again), or point DOCKER_HOST at a socket you may use",
  },
  {
    pattern:
      /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|dial unix .*(no such file|connection refused)/i,
    code: ErrorCodes.CONTAINER_ENGINE_UNAVAILABLE,
    message: "the container engine is not running or not reachable",
    hint: "start Docker (`sudo systemctl start docker`) or Podman's Docker API (`podman system service`), and check DOCKER_HOST / `docker context ls`",
  },
  {
    pattern:
      /could not select device driver .* capabilities: \[\[gpu\]\]|unknown or invalid runtime name: nvidia|nvidia-container-cli|NVIDIA Container Runtime|no known GPU vendor found/i,
    code: ErrorCodes.CONTAINER_NO_GPU_RUNTIME,
    message: "the container engine cannot give GPUs to containers",
    hint: "install the NVIDIA Container Toolkit and configure the engine (`sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker`)",
  },
  {
    pattern:
      /is already in use by container|container name .* is already in use|name is already in use|Conflict\. The container name/i,
    code: ErrorCodes.CONTAINER_NAME_IN_USE,
    message: "a container with that name already exists",
    hint: "stop the miner with `jarvis mine stop`, or remove the old container with `docker rm -f <name>`",
  },
  {
    pattern: /requires BuildKit|BuildKit is required|unknown flag: --mount/i,
    code: ErrorCodes.CONTAINER_FAILED,
    message: "Pearl's Dockerfile needs BuildKit, which this docker CLI does not have",
    hint: "install the buildx plugin (`sudo apt-get install docker-buildx-plugin`), then run `jarvis mine start` again",
  },
  {
    pattern:
      /No such image|image not known|Unable to find image|pull access denied|manifest unknown|manifest for .* not found|repository does not exist|failed to resolve reference|not found: manifest|requested access to the resource is denied|pinging container registry|reading manifest/i,
    code: ErrorCodes.CONTAINER_IMAGE_NOT_FOUND,
    message: "the image is not available",
    hint: "check [mining.extra].docker_image_tag; `jarvis mine start` builds the default image from the pinned Pearl checkout",
  },
];

/** Lines the CLI prints on its own account (deprecation notices, hints), never the error. */
const NOISE =
  /legacy builder is deprecated|BuildKit is currently disabled|^\s*environment-variable\.?$|DEPRECATED|buildx component|Install the buildx/i;

/**
 * The line of CLI output that states the failure: the last one that reads like an error (a
 * build prints its error after pages of progress), else the first one that says anything.
 */
export function firstMeaningfulLine(output: string): string {
  const lines = output
    .split("\n")
    .map((raw) => raw.trim())
    .filter((line) => line !== "" && !NOISE.test(line));
  const errorLine = [...lines]
    .reverse()
    .find((l) => /error|failed|denied|not found|no such|unknown/i.test(l));
  return (errorLine ?? lines[0] ?? "").replace(
    /^((Error response from daemon|Error|docker):\s*)+/i,
    "",
  );
}

/**
 * Maps a docker CLI failure to a `MiningError` with a stable code and the next step. The raw
 * subprocess error is deliberately not kept as `cause`: it carries the whole command line.
 */
export function mapCliFailure(failure: CliFailure): MiningError {
  if (failure.spawnErrorCode === "ENOENT") {
    return new MiningError(
      ErrorCodes.CONTAINER_ENGINE_UNAVAILABLE,
      "the `docker` command was not found on PATH",
      {
        hint: "install the Docker CLI (it also talks to Podman through DOCKER_HOST), then run `jarvis mine doctor`",
      },
    );
  }
  const detail = firstMeaningfulLine(failure.stderr);
  for (const rule of RULES) {
    if (rule.pattern.test(failure.stderr)) {
      return new MiningError(rule.code, `${rule.message}: ${detail}`, {
        hint: rule.hint,
        details: { command: `docker ${failure.command}`, exitCode: failure.exitCode },
      });
    }
  }
  return new MiningError(
    ErrorCodes.CONTAINER_FAILED,
    `\`docker ${failure.command}\` failed${failure.exitCode === undefined ? "" : ` (exit ${failure.exitCode})`}: ${detail || "no error output"}`,
    {
      hint: "run `jarvis mine doctor`; `docker ps -a` and `docker logs <container>` show the daemon's side",
      details: { command: `docker ${failure.command}`, exitCode: failure.exitCode },
    },
  );
}
