import { describe, expect, it } from "vitest";
import { engineFromSidecar, type SidecarRecord } from "../src/index.js";

const base: SidecarRecord = {
  provider: "vllm-pearl",
  started_at: 1767225600,
  wallet_address: "prl1q",
};

describe("engineFromSidecar", () => {
  it("describes the vLLM engine of a vllm-pearl sidecar", () => {
    expect(
      engineFromSidecar({
        ...base,
        vllm_endpoint: "http://127.0.0.1:8000/v1",
        model: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
      }),
    ).toEqual({
      id: "vllm-pearl-mining",
      baseUrl: "http://127.0.0.1:8000",
      apiPrefix: "/v1",
      model: "pearl-ai/Llama-3.3-70B-Instruct-pearl",
    });
    expect(
      engineFromSidecar({ ...base, vllm_endpoint: "http://localhost:8000/v1/", model: "m" })
        ?.baseUrl,
    ).toBe("http://localhost:8000");
    expect(
      engineFromSidecar({ ...base, vllm_endpoint: "http://127.0.0.1:9000", model: "m" })?.baseUrl,
    ).toBe("http://127.0.0.1:9000");
  });

  it("returns null without vllm_endpoint and model (CPU providers, malformed attach)", () => {
    expect(engineFromSidecar(null)).toBeNull();
    expect(
      engineFromSidecar({
        ...base,
        provider: "cpu-pearl",
        metrics_url: "http://127.0.0.1:8339/metrics",
      }),
    ).toBeNull();
    expect(engineFromSidecar({ ...base, vllm_endpoint: "http://127.0.0.1:8000/v1" })).toBeNull();
    expect(engineFromSidecar({ ...base, vllm_endpoint: "", model: "m" })).toBeNull();
    expect(engineFromSidecar({ ...base, vllm_endpoint: "not a url", model: "m" })).toBeNull();
    expect(
      engineFromSidecar({ ...base, vllm_endpoint: "file:///etc/passwd", model: "m" }),
    ).toBeNull();
  });

  it("ignores a non-loopback endpoint unless remote endpoints are allowed", () => {
    const remote = { ...base, vllm_endpoint: "http://10.0.0.5:8000/v1", model: "m" };
    expect(engineFromSidecar(remote)).toBeNull();
    expect(engineFromSidecar(remote, { allowRemote: true })?.baseUrl).toBe("http://10.0.0.5:8000");
  });
});
