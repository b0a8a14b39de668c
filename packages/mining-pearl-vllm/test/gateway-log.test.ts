import { describe, expect, it } from "vitest";
import { countGatewayOutcomes, gatewayFailureIn, vllmMetricsFrom } from "../src/index.js";

const E = "\u001b";
const line = (level: string, message: string, ts = "2026-11-23T10:00:00.5Z") =>
  `${ts} ${E}[32m2026-11-23 10:00:00${E}[0m - ${E}[1m${level}${E}[0m - ${message} - x.py:1`;

describe("gateway log", () => {
  it("counts outcomes from Gen B and Gen C wording, with the last proof time", async () => {
    const outcomes = await countGatewayOutcomes([
      line("INFO", "Received PlainProof submission for template time 1", "2026-11-23T10:00:01Z"),
      line("SUCCESS", "Block accepted by node!"),
      line("INFO", "Received PlainProof submission for template time 2", "2026-11-23T10:00:07.25Z"),
      line("ERROR", "Block rejected: rejected: high-hash"),
      line("WARNING", "Submitted block with old header. Skipping submission."),
      line("WARNING", "Job changed since submission was queued; dropping stale proof"),
      line("INFO", "Block already submitted, skipping"),
      line("ERROR", "Error submitting block: connection reset"),
      'INFO:     127.0.0.1:5000 - "GET /health HTTP/1.1" 200 OK',
    ]);
    expect(outcomes).toEqual({
      proofsReceived: 2,
      blocksAccepted: 1,
      blocksRejected: 1,
      staleProofs: 2,
      duplicates: 1,
      submitErrors: 1,
      templateFailures: 0,
      lastProofAt: Date.parse("2026-11-23T10:00:07.25Z"),
      lastBlockAt: Date.parse("2026-11-23T10:00:00.5Z"),
      linesRead: 9,
    });
  });

  it("finds the entrypoint's fatal lines and repeated template failures", () => {
    expect(
      gatewayFailureIn([
        "Starting pearl-gateway...",
        line("INFO", "Template refreshed successfully (height: 3)"),
      ]),
    ).toBeNull();
    expect(
      gatewayFailureIn([
        line("ERROR", "Failed to connect to Pearl node: refused"),
        "pearl-gateway exited before becoming ready",
      ]),
    ).toBe("pearl-gateway exited before becoming ready (Failed to connect to Pearl node: refused)");
    expect(
      gatewayFailureIn(["Timed out waiting for pearl-gateway socket at /tmp/pearlgw.sock"]),
    ).toMatch(/^Timed out/);
    const refresh = line("ERROR", "Failed to refresh template: HTTP 401");
    expect(gatewayFailureIn([refresh, refresh])).toBeNull();
    expect(gatewayFailureIn([refresh, refresh, refresh])).toBe(
      "Failed to refresh template: HTTP 401",
    );
    expect(
      gatewayFailureIn([
        refresh,
        refresh,
        line("INFO", "Template refreshed successfully (height: 4)"),
        refresh,
      ]),
    ).toBeNull();
  });
});

describe("vLLM metrics", () => {
  it("sums labelled series and derives histogram means; absent series stay null", () => {
    const m = vllmMetricsFrom(
      [
        'vllm:prompt_tokens_total{model_name="a"} 10',
        'vllm:prompt_tokens_total{model_name="b"} 5',
        'vllm:e2e_request_latency_seconds_sum{model_name="a"} 6',
        'vllm:e2e_request_latency_seconds_count{model_name="a"} 4',
        'vllm:kv_cache_usage_perc{model_name="a"} 0.5',
      ].join("\n"),
    );
    expect(m.promptTokens).toBe(15);
    expect(m.e2eLatencyMeanSeconds).toBe(1.5);
    expect(m.kvCacheUsage).toBe(0.5);
    expect(m.generationTokens).toBeNull();
    expect(m.timeToFirstTokenMeanSeconds).toBeNull();
  });
});
