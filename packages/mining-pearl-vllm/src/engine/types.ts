/**
 * The few container operations the provider needs. `DockerCliEngine` implements them over the
 * `docker` CLI (Docker or Podman's Docker API); `MemoryEngine` implements them in memory for
 * unit tests. Errors are `MiningError`s with `E_CONTAINER_*` codes.
 */

export interface EngineVersion {
  /** Server version as the daemon reports it, e.g. "28.2.2" or "4.3.1". */
  server: string;
  /** Docker API version the server speaks, e.g. "1.41". */
  apiVersion: string;
  /** "docker" or "podman" (Podman names itself in the server components). */
  flavour: "docker" | "podman" | "unknown";
}

export interface ContainerState {
  /** created | running | restarting | paused | exited | dead | removing */
  status: string;
  running: boolean;
  restarting: boolean;
  exitCode: number;
  /** ISO time; the zero time ("0001-01-01…") when never started. */
  startedAt: string;
  finishedAt: string;
  error: string;
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  restartCount: number;
  state: ContainerState;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
}

/** `docker run` arguments (everything after `run`) plus the values of `-e NAME` secrets. */
export interface RunSpec {
  argv: string[];
  /** Secret values, given only to the docker CLI process's environment, never its argv. */
  env: Record<string, string>;
}

export interface BuildSpec {
  contextDir: string;
  /** Relative to `contextDir`. */
  dockerfile: string;
  tag: string;
  /** Extra `docker build` flags, e.g. `--ulimit nofile=…`. */
  flags?: string[];
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface LogStreamOptions {
  /** Last N lines; all when undefined. */
  tail?: number;
  follow?: boolean;
  /** Prefix each line with the engine's RFC 3339 timestamp and a space. */
  timestamps?: boolean;
  signal?: AbortSignal;
}

export interface ContainerEngine {
  /** Daemon reachable? Throws E_CONTAINER_ENGINE_UNAVAILABLE / E_CONTAINER_PERMISSION. */
  version(): Promise<EngineVersion>;
  /** Names of the OCI runtimes the daemon knows (e.g. "runc", "nvidia"). */
  runtimes(): Promise<string[]>;
  imageExists(ref: string): Promise<boolean>;
  pull(ref: string, onLine?: (line: string) => void): Promise<void>;
  build(spec: BuildSpec): Promise<void>;
  /** Creates and starts a detached container; resolves with its id. */
  run(spec: RunSpec): Promise<string>;
  /** null when no such container. */
  inspect(nameOrId: string): Promise<ContainerInfo | null>;
  stop(nameOrId: string, timeoutSeconds: number): Promise<void>;
  remove(nameOrId: string): Promise<void>;
  /** Lines of stdout and stderr interleaved, without trailing newlines. */
  logs(nameOrId: string, options?: LogStreamOptions): AsyncIterable<string>;
  /** Containers (running or not) carrying `key=value`. */
  listByLabel(key: string, value: string): Promise<ContainerSummary[]>;
}
