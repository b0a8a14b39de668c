import { afterEach, describe, expect, it } from "vitest";
import {
  fetchStatus,
  renderMetrics,
  type StatusServer,
  type SupervisorStatus,
  startStatusServer,
} from "../src/status.js";

function status(overrides: Partial<SupervisorStatus> = {}): SupervisorStatus {
  return {
    provider: "cpu-pearl",
    state: "mining",
    pid: 1234,
    startedAt: 1_700_000_000_000,
    uptimeSeconds: 12.5,
    gateway: { mode: "devnet", address: "tcp://127.0.0.1:1" },
    payoutTarget: "devnet",
    threads: 1,
    lowPriority: true,
    attempts: 420,
    hashrate: { "10s": 3.5, "60s": 3.25, "15m": 3 },
    proofsFound: 2,
    proofsSubmitted: 2,
    proofsRejected: 1,
    devnetBlocksFound: 2,
    devnetProofs: { accepted: 2, stale: 1, duplicate: 0, invalid: 0 },
    lastProofAt: null,
    job: { height: 7, target: "123", certVersion: 3, receivedAt: 1 },
    expectedSecondsPerBlock: 4,
    restarts: { gateway: 1, workers: 2 },
    lastError: null,
    ...overrides,
  };
}

describe("metrics", () => {
  it("renders every documented series with HELP and TYPE", () => {
    const text = renderMetrics(status());
    expect(text).toContain("# TYPE openjarvis_mining_attempts_total counter");
    expect(text).toContain('openjarvis_mining_attempts_total{provider="cpu-pearl"} 420\n');
    expect(text).toContain('openjarvis_mining_hashrate{provider="cpu-pearl"} 3.25\n');
    expect(text).toContain('openjarvis_mining_proofs_submitted_total{provider="cpu-pearl"} 2\n');
    expect(text).toContain('openjarvis_mining_proofs_rejected_total{provider="cpu-pearl"} 1\n');
    expect(text).toContain('openjarvis_mining_devnet_blocks_found_total{provider="cpu-pearl"} 2\n');
    expect(text).toContain('openjarvis_mining_job_height{provider="cpu-pearl"} 7\n');
    expect(text).toContain('openjarvis_mining_uptime_seconds{provider="cpu-pearl"} 12.5\n');
    expect(text).toContain('openjarvis_mining_restarts_total{provider="cpu-pearl"} 3\n');
    expect(text).toContain('openjarvis_mining_up{provider="cpu-pearl"} 1\n');
  });

  it("leaves unknown values out instead of reporting zero", () => {
    const text = renderMetrics(
      status({
        devnetBlocksFound: null,
        job: null,
        hashrate: { "10s": null, "60s": null, "15m": null },
      }),
    );
    expect(text).not.toMatch(/^openjarvis_mining_devnet_blocks_found_total\{/m);
    expect(text).not.toMatch(/^openjarvis_mining_job_height\{/m);
    expect(text).not.toMatch(/^openjarvis_mining_hashrate\{/m);
    expect(text).toContain("# TYPE openjarvis_mining_hashrate gauge");
  });
});

describe("status server", () => {
  let server: StatusServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves /status and /metrics on loopback, 404 elsewhere", async () => {
    let attempts = 1;
    server = await startStatusServer(0, () => status({ attempts: attempts++ }));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const first = await fetchStatus(server.url);
    const second = await fetchStatus(server.url);
    expect(first?.attempts).toBe(1);
    expect(second?.attempts).toBe(2);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(await metrics.text()).toContain(
      'openjarvis_mining_attempts_total{provider="cpu-pearl"} 3',
    );
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/status`, { method: "POST" })).status).toBe(405);
  });

  it("fetchStatus gives null when nothing listens", async () => {
    server = await startStatusServer(0, () => status());
    const url = server.url;
    await server.close();
    server = undefined;
    expect(await fetchStatus(url, 500)).toBeNull();
  });
});
