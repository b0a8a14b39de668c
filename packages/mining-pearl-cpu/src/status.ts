/**
 * The supervisor's loopback status endpoint: `/status` (JSON) and `/metrics` (Prometheus text).
 * The metric names are OpenJarvis' own contract (Pearl's gateway exposes no metrics at all).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export type SupervisorState = "starting" | "waiting" | "mining" | "stopping";

export interface StatusJob {
  /** Chain height of the job when the source knows it (the devnet does; a gateway does not). */
  height: number | null;
  /** Decimal digits of the 256-bit target. */
  target: string;
  certVersion: number;
  receivedAt: number;
}

/** What `/status` returns. Numbers that are not known are null, never an invented zero. */
export interface SupervisorStatus {
  provider: "cpu-pearl";
  state: SupervisorState;
  pid: number;
  /** Unix milliseconds. */
  startedAt: number;
  uptimeSeconds: number;
  gateway: { mode: string; address: string };
  payoutTarget: string;
  threads: number;
  lowPriority: boolean;
  attempts: number;
  hashrate: { "10s": number | null; "60s": number | null; "15m": number | null };
  proofsFound: number;
  proofsSubmitted: number;
  proofsRejected: number;
  /** Only on the devnet, which verifies what it receives; null elsewhere. */
  devnetBlocksFound: number | null;
  /** The devnet's verdict on every proof it received (a stale one lost the race to a new job). */
  devnetProofs: DevnetVerdicts | null;
  lastProofAt: number | null;
  job: StatusJob | null;
  expectedSecondsPerBlock: number | null;
  restarts: { gateway: number; workers: number };
  lastError: string | null;
}

export interface DevnetVerdicts {
  accepted: number;
  stale: number;
  duplicate: number;
  invalid: number;
}

interface MetricSpec {
  name: string;
  type: "counter" | "gauge";
  help: string;
  value: (status: SupervisorStatus) => number | null;
}

/** Documented in the README; names never change once published. */
export const METRICS: readonly MetricSpec[] = [
  {
    name: "openjarvis_mining_attempts_total",
    type: "counter",
    help: "Mining attempts (one A matrix against the job's B) tried by the workers.",
    value: (s) => s.attempts,
  },
  {
    name: "openjarvis_mining_hashrate",
    type: "gauge",
    help: "Attempts per second over the last 60 seconds (10 seconds until 60 have passed).",
    value: (s) => s.hashrate["60s"] ?? s.hashrate["10s"],
  },
  {
    name: "openjarvis_mining_proofs_found_total",
    type: "counter",
    help: "Winning proofs found by the workers.",
    value: (s) => s.proofsFound,
  },
  {
    name: "openjarvis_mining_proofs_submitted_total",
    type: "counter",
    help: 'Proofs the gateway took ("submitted"; not the same as accepted by the node).',
    value: (s) => s.proofsSubmitted,
  },
  {
    name: "openjarvis_mining_proofs_rejected_total",
    type: "counter",
    help: "Proofs the gateway refused or that could not be delivered.",
    value: (s) => s.proofsRejected,
  },
  {
    name: "openjarvis_mining_devnet_blocks_found_total",
    type: "counter",
    help: "Blocks the local devnet verified and accepted (worth nothing).",
    value: (s) => s.devnetBlocksFound,
  },
  {
    name: "openjarvis_mining_job_height",
    type: "gauge",
    help: "Chain height of the current job, when known.",
    value: (s) => s.job?.height ?? null,
  },
  {
    name: "openjarvis_mining_expected_seconds_per_block",
    type: "gauge",
    help: "Expected seconds to a block at the current target and measured hashrate.",
    value: (s) => s.expectedSecondsPerBlock,
  },
  {
    name: "openjarvis_mining_uptime_seconds",
    type: "gauge",
    help: "Seconds since the supervisor started.",
    value: (s) => s.uptimeSeconds,
  },
  {
    name: "openjarvis_mining_restarts_total",
    type: "counter",
    help: "Restarts of the gateway and of the worker pool.",
    value: (s) => s.restarts.gateway + s.restarts.workers,
  },
  {
    name: "openjarvis_mining_up",
    type: "gauge",
    help: "1 while workers have a job, 0 otherwise.",
    value: (s) => (s.state === "mining" ? 1 : 0),
  },
];

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** Prometheus text exposition 0.0.4. Unknown values are left out rather than reported as 0. */
export function renderMetrics(status: SupervisorStatus): string {
  const lines: string[] = [];
  for (const metric of METRICS) {
    const value = metric.value(status);
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    if (value !== null) lines.push(`${metric.name}{provider="cpu-pearl"} ${formatNumber(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

export interface StatusServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the status on 127.0.0.1 only. */
export async function startStatusServer(
  port: number,
  snapshot: () => SupervisorStatus,
): Promise<StatusServer> {
  const server = http.createServer((request, response) => {
    const route = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (route === "/status") {
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(`${JSON.stringify(snapshot())}\n`);
    } else if (route === "/metrics") {
      response
        .writeHead(200, { "content-type": "text/plain; version=0.0.4" })
        .end(renderMetrics(snapshot()));
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET `/status` with a deadline; null when nothing answers. */
export async function fetchStatus(
  baseUrl: string,
  timeoutMs = 2_000,
): Promise<SupervisorStatus | null> {
  try {
    const response = await fetch(`${baseUrl}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    const body = (await response.json()) as SupervisorStatus;
    return body && body.provider === "cpu-pearl" ? body : null;
  } catch {
    return null;
  }
}
