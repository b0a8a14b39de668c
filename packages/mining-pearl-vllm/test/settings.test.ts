import { describe, expect, it } from "vitest";
import {
  DEFAULT_IMAGE_TAG,
  LEGACY_DEFAULT_IMAGE_TAG,
  resolveSettings,
  splitArgs,
} from "../src/index.js";
import { makeConfig } from "./helpers.js";

describe("splitArgs", () => {
  it("splits like a POSIX shell", () => {
    expect(splitArgs(`--a 1 --b "two words" --c 'it''s' --d=x\\ y ""`)).toEqual([
      "--a",
      "1",
      "--b",
      "two words",
      "--c",
      "its",
      "--d=x y",
      "",
    ]);
    expect(splitArgs("   ")).toEqual([]);
  });

  it("rejects an unbalanced quote with the key", () => {
    expect(() => splitArgs(`--a "open`)).toThrow(
      expect.objectContaining({
        code: "E_CONFIG_INVALID",
        message: expect.stringContaining("vllm_args"),
      }),
    );
  });
});

describe("resolveSettings", () => {
  it("applies OpenJarvis defaults and maps its default image tag to our pinned build", () => {
    const s = resolveSettings(
      makeConfig({ docker_image_tag: LEGACY_DEFAULT_IMAGE_TAG, cuda_visible_devices: 1 }),
    );
    expect(s.imageTag).toBe(DEFAULT_IMAGE_TAG);
    expect(DEFAULT_IMAGE_TAG).toMatch(/^localhost\/openjarvis\/pearl-miner:[0-9a-f]{12}$/);
    expect(s.cudaVisibleDevices).toEqual(["1"]);
    expect(s.vllmHost).toBe("127.0.0.1");
    expect(s.passwordEnv).toBe("PEARLD_RPC_PASSWORD");
  });

  it("names the key, the value and the fix", () => {
    expect(() => resolveSettings(makeConfig({ gpu_memory_utilization: 1.5 }))).toThrow(
      expect.objectContaining({
        message: "[mining.extra].gpu_memory_utilization must be a fraction in (0, 1]; got 1.5",
      }),
    );
    expect(() => resolveSettings(makeConfig({ pearld_rpc_password_env: "NOT A NAME" }))).toThrow(
      expect.objectContaining({ code: "E_CONFIG_INVALID" }),
    );
    expect(() => resolveSettings(makeConfig({ pearld_rpc_url: "http://u:p@host:1" }))).toThrow(
      expect.objectContaining({
        code: "E_CONFIG_INVALID",
        message: expect.not.stringContaining("u:p"),
      }),
    );
  });
});
