import { describe, expect, it } from "vitest";
import { mapCliFailure } from "../src/index.js";

// Messages as the docker CLI prints them (Docker 28 and Podman 4.3 behind the Docker API).
const cases: Array<[string, string]> = [
  [
    'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.50/version": dial unix /var/run/docker.sock: connect: permission denied',
    "E_CONTAINER_PERMISSION",
  ],
  [
    "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
    "E_CONTAINER_ENGINE_UNAVAILABLE",
  ],
  [
    'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
    "E_CONTAINER_NO_GPU_RUNTIME",
  ],
  [
    "docker: Error response from daemon: unknown or invalid runtime name: nvidia.",
    "E_CONTAINER_NO_GPU_RUNTIME",
  ],
  [
    'docker: Error response from daemon: Conflict. The container name "/openjarvis-pearl-miner" is already in use by container "0123abcd". You have to remove (or rename) that container to be able to reuse that name.',
    "E_CONTAINER_NAME_IN_USE",
  ],
  [
    "Error response from daemon: pull access denied for openjarvis/pearl-miner, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    "E_CONTAINER_IMAGE_NOT_FOUND",
  ],
  [
    "Error response from daemon: failed to find image localhost/x:1: localhost/x:1: No such image",
    "E_CONTAINER_IMAGE_NOT_FOUND",
  ],
  ["Error response from daemon: some new failure", "E_CONTAINER_FAILED"],
  [
    "Step 9/30 : RUN --mount=type=cache,target=/root/.cache/uv uv sync\nthe --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/",
    "E_CONTAINER_FAILED",
  ],
];

describe("mapCliFailure", () => {
  it.each(cases)("maps %s", (stderr, code) => {
    const error = mapCliFailure({ command: "run", stderr, exitCode: 125 });
    expect(error.code).toBe(code);
    expect(error.hint).toBeTruthy();
    expect(error.details).toEqual({ command: "docker run", exitCode: 125 });
  });

  it("says what to install when BuildKit is missing", () => {
    const error = mapCliFailure({
      command: "build",
      stderr: "the --mount option requires BuildKit.",
      exitCode: 1,
    });
    expect(error.hint).toContain("docker-buildx-plugin");
  });

  it("names the missing CLI and picks the real error out of build noise", () => {
    expect(
      mapCliFailure({
        command: "version",
        stderr: "",
        exitCode: undefined,
        spawnErrorCode: "ENOENT",
      }),
    ).toMatchObject({
      code: "E_CONTAINER_ENGINE_UNAVAILABLE",
      message: "the `docker` command was not found on PATH",
    });
    const build = [
      "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.",
      "            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0",
      "            environment-variable.",
      "STEP 3/6: RUN make",
      'Error: building at STEP "RUN make": exit status 2',
    ].join("\n");
    expect(mapCliFailure({ command: "build", stderr: build, exitCode: 1 }).message).toBe(
      '`docker build` failed (exit 1): building at STEP "RUN make": exit status 2',
    );
  });
});
