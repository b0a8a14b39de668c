import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  currentProcessIdentity,
  isMiningError,
  isProcessAlive,
  readSidecar,
  removeSidecar,
  SIDECAR_SCHEMA_VERSION,
  sidecarProcessIdentity,
  writeSidecar,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

// The three shapes OpenJarvis writes (OPENJARVIS-MINING §1.7), byte for byte as Python emits them.
const VLLM_START = `{
  "container_id": "3f2a9c",
  "gateway_metrics_url": "http://127.0.0.1:8339",
  "gateway_url": "http://127.0.0.1:8337",
  "model": "pearl-ai/Llama-3.3-70B-Instruct-pearl",
  "provider": "vllm-pearl",
  "started_at": 1767225600,
  "vllm_endpoint": "http://127.0.0.1:8000/v1",
  "wallet_address": "prl1qexampleaddress"
}`;
const ATTACH = `{
  "container_id": "external",
  "gateway_metrics_url": "http://127.0.0.1:8339",
  "gateway_url": "http://127.0.0.1:8337",
  "model": "pearl-ai/Llama-3.3-70B-Instruct-pearl",
  "provider": "vllm-pearl",
  "started_at": 1767225600,
  "vllm_endpoint": "http://10.0.0.5:8000/v1",
  "wallet_address": ""
}`;
const CPU_START = `{
  "gateway_pid": 4242,
  "gateway_url": "http://127.0.0.1:8337",
  "metrics_url": "http://127.0.0.1:8339/metrics",
  "miner_loop_pid": null,
  "provider": "cpu-pearl",
  "started_at": 1767225600.5321,
  "wallet_address": "prl1qexampleaddress"
}`;

function sidecarFile(): string {
  return path.join(tempDir(), "runtime", "mining.json");
}

describe("readSidecar", () => {
  it("reads all three OpenJarvis shapes", () => {
    const file = sidecarFile();
    mkdirSync(path.dirname(file));
    writeFileSync(file, VLLM_START);
    expect(readSidecar(file)).toMatchObject({
      provider: "vllm-pearl",
      started_at: 1767225600,
      vllm_endpoint: "http://127.0.0.1:8000/v1",
      container_id: "3f2a9c",
    });
    writeFileSync(file, ATTACH);
    expect(readSidecar(file)).toMatchObject({ container_id: "external", wallet_address: "" });
    writeFileSync(file, CPU_START);
    const cpu = readSidecar(file);
    expect(cpu?.started_at).toBe(1767225600.5321);
    expect(cpu?.gateway_pid).toBe(4242);
    expect(cpu?.miner_loop_pid).toBeNull();
    expect(cpu?.vllm_endpoint).toBeUndefined();
    expect(cpu?.schema_version).toBeUndefined();
  });

  it("returns null for missing, corrupt, non-object and wrongly shaped files", () => {
    const file = sidecarFile();
    expect(readSidecar(file)).toBeNull();
    mkdirSync(path.dirname(file));
    for (const text of [
      '{"provider": "cpu-pearl", "started_at": 1',
      "[1, 2, 3]",
      "null",
      '"cpu-pearl"',
      '{"started_at": 1}',
      '{"provider": "cpu-pearl", "started_at": "yesterday"}',
      '{"provider": "cpu-pearl", "started_at": 1, "gateway_pid": "4242"}',
      "",
    ]) {
      writeFileSync(file, text);
      expect(readSidecar(file), text).toBeNull();
    }
  });

  it("keeps unknown keys", () => {
    const file = sidecarFile();
    mkdirSync(path.dirname(file));
    writeFileSync(file, JSON.stringify({ provider: "x", started_at: 1, future_key: { a: 1 } }));
    expect(readSidecar(file)?.future_key).toEqual({ a: 1 });
  });
});

describe("writeSidecar", () => {
  it("writes sorted 2-space JSON with schema_version, 0600 in a 0700 directory, and reads it back", () => {
    const file = sidecarFile();
    writeSidecar(file, {
      wallet_address: "prl1qexampleaddress",
      provider: "cpu-pearl",
      started_at: 1767225600.25,
      pid: 1234,
      process_start_time: "987654",
      extra_info: { zeta: 1, alpha: 2 },
    });
    const text = readFileSync(file, "utf8");
    expect(text).toBe(`{
  "extra_info": {
    "alpha": 2,
    "zeta": 1
  },
  "pid": 1234,
  "process_start_time": "987654",
  "provider": "cpu-pearl",
  "schema_version": ${SIDECAR_SCHEMA_VERSION},
  "started_at": 1767225600.25,
  "wallet_address": "prl1qexampleaddress"
}
`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const back = readSidecar(file);
    expect(sidecarProcessIdentity(back)).toEqual({ pid: 1234, startTime: "987654" });
    // No temp files are left next to it.
    expect(readdirSync(path.dirname(file))).toEqual(["mining.json"]);
  });

  it("replaces an existing file atomically (readers never see a partial file)", () => {
    const file = sidecarFile();
    for (let round = 0; round < 50; round++) {
      writeSidecar(file, {
        provider: "p",
        started_at: round,
        wallet_address: "w".repeat(round * 100),
      });
      expect(readSidecar(file)?.started_at).toBe(round);
    }
    expect(readdirSync(path.dirname(file))).toEqual(["mining.json"]);
  });

  it("refuses a record that would not read back", () => {
    const file = sidecarFile();
    let caught: unknown;
    try {
      writeSidecar(file, { provider: "", started_at: 1, wallet_address: "" });
    } catch (error) {
      caught = error;
    }
    expect(isMiningError(caught) && caught.code).toBe("E_SHAPE_INVALID");
    expect(readSidecar(file)).toBeNull();
  });
});

describe("removeSidecar", () => {
  it("is idempotent", () => {
    const file = sidecarFile();
    writeSidecar(file, { provider: "p", started_at: 1, wallet_address: "" });
    removeSidecar(file);
    expect(readSidecar(file)).toBeNull();
    expect(() => removeSidecar(file)).not.toThrow();
  });
});

describe("stale sidecars", () => {
  it("a sidecar whose process is dead, or whose PID was reused, is not alive", () => {
    const file = sidecarFile();
    const dead = spawnSync("true").pid!;
    writeSidecar(file, {
      provider: "cpu-pearl",
      started_at: 1,
      wallet_address: "",
      pid: dead,
      process_start_time: "1",
    });
    expect(isProcessAlive(sidecarProcessIdentity(readSidecar(file))!)).toBe(false);
    const me = currentProcessIdentity();
    writeSidecar(file, {
      provider: "cpu-pearl",
      started_at: 1,
      wallet_address: "",
      pid: me.pid,
      process_start_time: `${me.startTime}9`,
    });
    expect(isProcessAlive(sidecarProcessIdentity(readSidecar(file))!)).toBe(false);
    writeSidecar(file, {
      provider: "cpu-pearl",
      started_at: 1,
      wallet_address: "",
      pid: me.pid,
      process_start_time: me.startTime,
    });
    expect(isProcessAlive(sidecarProcessIdentity(readSidecar(file))!)).toBe(true);
    // OpenJarvis sidecars carry no identity of ours.
    writeFileSync(file, CPU_START);
    expect(sidecarProcessIdentity(readSidecar(file))).toBeNull();
  });
});
