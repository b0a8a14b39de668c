import { parsePrometheusText, sampleValue, sumSamples } from "@openjarvis/mining-core";

/** vLLM's own numbers from its `/metrics`; null when the series is absent (never a made-up 0). */
export interface VllmMetrics {
  requestsRunning: number | null;
  requestsWaiting: number | null;
  requestsSucceeded: number | null;
  promptTokens: number | null;
  generationTokens: number | null;
  /** Mean end-to-end request latency since vLLM started, seconds. */
  e2eLatencyMeanSeconds: number | null;
  /** Mean time to first token since vLLM started, seconds. */
  timeToFirstTokenMeanSeconds: number | null;
  /** KV-cache usage, 0..1. */
  kvCacheUsage: number | null;
  /** Unix seconds. */
  processStartTime: number | null;
}

const orNull = (n: number | undefined): number | null =>
  n === undefined || Number.isNaN(n) ? null : n;

/** Parses a vLLM `/metrics` exposition (all `model_name`/`engine` series summed). */
export function vllmMetricsFrom(text: string): VllmMetrics {
  const { samples } = parsePrometheusText(text);
  const mean = (family: string): number | null => {
    const sum = sumSamples(samples, `${family}_sum`);
    const count = sumSamples(samples, `${family}_count`);
    return sum === undefined || count === undefined || count === 0 ? null : sum / count;
  };
  return {
    requestsRunning: orNull(sumSamples(samples, "vllm:num_requests_running")),
    requestsWaiting: orNull(sumSamples(samples, "vllm:num_requests_waiting")),
    requestsSucceeded: orNull(sumSamples(samples, "vllm:request_success_total")),
    promptTokens: orNull(sumSamples(samples, "vllm:prompt_tokens_total")),
    generationTokens: orNull(sumSamples(samples, "vllm:generation_tokens_total")),
    e2eLatencyMeanSeconds: mean("vllm:e2e_request_latency_seconds"),
    timeToFirstTokenMeanSeconds: mean("vllm:time_to_first_token_seconds"),
    // Renamed in newer vLLM releases.
    kvCacheUsage: orNull(
      sampleValue(samples, "vllm:kv_cache_usage_perc") ??
        sampleValue(samples, "vllm:gpu_cache_usage_perc"),
    ),
    processStartTime: orNull(sampleValue(samples, "process_start_time_seconds")),
  };
}

/** `http://host:port/v1` → `http://host:port` (OpenAI base URL → server root). */
export function serverRoot(endpoint: string): string {
  return endpoint.replace(/\/+$/, "").replace(/\/v1$/, "");
}
