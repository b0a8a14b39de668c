import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import type {
  BuildSpec,
  ContainerEngine,
  ContainerInfo,
  ContainerState,
  ContainerSummary,
  EngineVersion,
  LogStreamOptions,
  RunSpec,
} from "./types.js";

export interface MemoryContainer {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  spec: RunSpec;
  restartCount: number;
  state: ContainerState;
  logs: string[];
}

/**
 * An in-memory `ContainerEngine` for unit tests: it records what it was asked to do and lets
 * the test script the containers' state and logs. It runs nothing.
 */
export class MemoryEngine implements ContainerEngine {
  readonly images = new Set<string>();
  /** Refs that `pull` can fetch. */
  readonly registry = new Set<string>();
  readonly containers = new Map<string, MemoryContainer>();
  readonly builds: BuildSpec[] = [];
  readonly pulls: string[] = [];
  /** When false every call fails like a daemon that is not running. */
  available = true;
  runtimeNames = ["runc"];
  /** Called after `run` creates a container, e.g. to give it log lines. */
  onRun: ((container: MemoryContainer) => void) | undefined;
  #nextId = 1;

  #check(): void {
    if (!this.available) {
      throw new MiningError(
        ErrorCodes.CONTAINER_ENGINE_UNAVAILABLE,
        "the container engine is not running or not reachable",
        { hint: "start Docker or Podman" },
      );
    }
  }

  #find(nameOrId: string): MemoryContainer | undefined {
    for (const c of this.containers.values()) {
      if (c.name === nameOrId || c.id === nameOrId || c.id.startsWith(nameOrId)) return c;
    }
    return undefined;
  }

  async version(): Promise<EngineVersion> {
    this.#check();
    return { server: "memory", apiVersion: "1.41", flavour: "unknown" };
  }

  async runtimes(): Promise<string[]> {
    this.#check();
    return [...this.runtimeNames];
  }

  async imageExists(ref: string): Promise<boolean> {
    this.#check();
    return this.images.has(ref);
  }

  async pull(ref: string, onLine?: (line: string) => void): Promise<void> {
    this.#check();
    this.pulls.push(ref);
    if (!this.registry.has(ref)) {
      throw new MiningError(
        ErrorCodes.CONTAINER_IMAGE_NOT_FOUND,
        `the image is not available: ${ref}`,
      );
    }
    onLine?.(`${ref}: Pull complete`);
    this.images.add(ref);
  }

  async build(spec: BuildSpec): Promise<void> {
    this.#check();
    this.builds.push(spec);
    spec.onLine?.("STEP 1/1: FROM scratch");
    this.images.add(spec.tag);
  }

  async run(spec: RunSpec): Promise<string> {
    this.#check();
    const name = valueAfter(spec.argv, "--name") ?? `memory-${this.#nextId}`;
    if (this.#find(name)) {
      throw new MiningError(
        ErrorCodes.CONTAINER_NAME_IN_USE,
        `a container with that name already exists: ${name}`,
      );
    }
    const image = spec.argv.find((a) => this.images.has(a));
    if (!image) throw new MiningError(ErrorCodes.CONTAINER_IMAGE_NOT_FOUND, "no such image");
    const labels: Record<string, string> = {};
    spec.argv.forEach((arg, i) => {
      if (arg === "--label") {
        const [k, ...v] = (spec.argv[i + 1] ?? "").split("=");
        if (k) labels[k] = v.join("=");
      }
    });
    const id = String(this.#nextId++).padStart(64, "0");
    const container: MemoryContainer = {
      id,
      name,
      image,
      labels,
      spec,
      restartCount: 0,
      logs: [],
      state: {
        status: "running",
        running: true,
        restarting: false,
        exitCode: 0,
        startedAt: new Date().toISOString(),
        finishedAt: "0001-01-01T00:00:00Z",
        error: "",
      },
    };
    this.containers.set(id, container);
    this.onRun?.(container);
    return id;
  }

  async inspect(nameOrId: string): Promise<ContainerInfo | null> {
    this.#check();
    const c = this.#find(nameOrId);
    if (!c) return null;
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      labels: { ...c.labels },
      restartCount: c.restartCount,
      state: { ...c.state },
    };
  }

  async stop(nameOrId: string): Promise<void> {
    this.#check();
    const c = this.#find(nameOrId);
    if (c) c.state = { ...c.state, status: "exited", running: false, exitCode: 0 };
  }

  async remove(nameOrId: string): Promise<void> {
    this.#check();
    const c = this.#find(nameOrId);
    if (c) this.containers.delete(c.id);
  }

  async *logs(nameOrId: string, options: LogStreamOptions = {}): AsyncIterable<string> {
    this.#check();
    const c = this.#find(nameOrId);
    if (!c) throw new MiningError(ErrorCodes.CONTAINER_FAILED, `no such container: ${nameOrId}`);
    const lines = options.tail === undefined ? c.logs : c.logs.slice(-options.tail);
    for (const line of lines) yield options.timestamps ? `${c.state.startedAt} ${line}` : line;
  }

  async listByLabel(key: string, value: string): Promise<ContainerSummary[]> {
    this.#check();
    return [...this.containers.values()]
      .filter((c) => c.labels[key] === value)
      .map((c) => ({
        id: c.id,
        name: c.name,
        image: c.image,
        state: c.state.status,
        labels: c.labels,
      }));
  }
}

function valueAfter(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}
