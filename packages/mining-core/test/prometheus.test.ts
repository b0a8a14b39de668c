import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePrometheusText, sampleValue, sumSamples } from "../src/index.js";
import { fixture } from "./helpers.js";

const LLAMA70 = "pearl-ai/Llama-3.3-70B-Instruct-pearl";
const LLAMA8 = "pearl-ai/Llama-3.1-8B-Instruct-pearl";

describe("parsePrometheusText on a vLLM /metrics capture", () => {
  const { samples, families, invalidLines } = parsePrometheusText(
    readFileSync(fixture("vllm-metrics.txt"), "utf8"),
  );

  it("reads gauges and counters with ':' in names, per model", () => {
    expect(sampleValue(samples, "vllm:num_requests_running", { model_name: LLAMA70 })).toBe(3);
    expect(sampleValue(samples, "vllm:num_requests_running", { model_name: LLAMA8 })).toBe(1);
    expect(sumSamples(samples, "vllm:num_requests_waiting")).toBe(2);
    expect(sumSamples(samples, "vllm:prompt_tokens_total")).toBe(1_048_576 + 2048);
    expect(sumSamples(samples, "vllm:request_success_total", { model_name: LLAMA70 })).toBe(48);
    expect(sampleValue(samples, "process_start_time_seconds")).toBe(1_767_225_600.12);
    expect(sampleValue(samples, "vllm:gpu_cache_usage_perc", { model_name: LLAMA8 })).toBeNaN();
    expect(sampleValue(samples, "vllm:not_there")).toBeUndefined();
    expect(sumSamples(samples, "vllm:not_there")).toBeUndefined();
    expect(families["vllm:prompt_tokens_total"]?.type).toBe("counter");
    expect(families["vllm:num_requests_running"]?.help).toBe(
      "Number of requests in model execution batches.",
    );
  });

  it("groups labelled histograms per model, keeping buckets, sum and count", () => {
    const ttft = families["vllm:time_to_first_token_seconds"];
    expect(ttft?.type).toBe("histogram");
    expect(ttft?.samples).toHaveLength(12);
    expect(ttft?.series).toEqual([
      {
        labels: { engine: "0", model_name: LLAMA70 },
        buckets: [
          { le: 0.04, count: 2 },
          { le: 0.1, count: 10 },
          { le: 1, count: 40 },
          { le: Number.POSITIVE_INFINITY, count: 48 },
        ],
        quantiles: [],
        sum: 17.25,
        count: 48,
      },
      {
        labels: { engine: "0", model_name: LLAMA8 },
        buckets: [
          { le: 0.04, count: 1 },
          { le: 0.1, count: 3 },
          { le: 1, count: 3 },
          { le: Number.POSITIVE_INFINITY, count: 3 },
        ],
        quantiles: [],
        sum: 0.15,
        count: 3,
      },
    ]);
    expect(families["vllm:e2e_request_latency_seconds"]?.series?.[0]?.sum).toBe(311.5);
  });

  it("handles summaries, label escapes, timestamps, ±Inf and HELP escapes", () => {
    const rpc = families.rpc_duration_seconds;
    expect(rpc?.help).toBe(
      'A summary of RPC durations, with "quotes" and a \\ backslash.\nSecond line.',
    );
    expect(rpc?.series).toEqual([
      {
        labels: { service: 'a "quoted" name' },
        buckets: [],
        quantiles: [
          { quantile: 0.5, value: 0.012 },
          { quantile: 0.99, value: Number.POSITIVE_INFINITY },
        ],
        sum: 17.5,
        count: 1200,
      },
    ]);
    expect(rpc?.samples[0]?.timestamp).toBe(1_767_225_600_000);
    const weird = samples.find((sample) => sample.name === "weird_untyped_metric");
    expect(weird).toEqual({
      name: "weird_untyped_metric",
      labels: { path: "C:\\temp\\x", note: "line1\nline2" },
      value: Number.NEGATIVE_INFINITY,
    });
    expect(families.weird_untyped_metric?.type).toBe("untyped");
    expect(invalidLines).toBe(1);
  });
});

describe("parsePrometheusText edge cases", () => {
  it("skips malformed lines instead of throwing", () => {
    const { samples, invalidLines } = parsePrometheusText(
      [
        "ok 1",
        'bad{a="x" 1',
        "bad2 one",
        'bad3{a="x"} 1 2 3',
        "",
        "  # comment",
        "ok2 2.5e-3",
      ].join("\n"),
    );
    expect(samples.map((sample) => [sample.name, sample.value])).toEqual([
      ["ok", 1],
      ["ok2", 0.0025],
    ]);
    expect(invalidLines).toBe(3);
  });

  it("assigns OpenMetrics-style counter families (TYPE without _total)", () => {
    const { families } = parsePrometheusText(
      "# TYPE jobs counter\njobs_total 5\njobs_created 1.7e9\n",
    );
    expect(families.jobs?.samples.map((sample) => sample.name)).toEqual([
      "jobs_total",
      "jobs_created",
    ]);
  });
});
