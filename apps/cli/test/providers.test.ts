/** The lazy provider loader: installed, not installed, broken, and third-party modules. */
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  isMissingPackage,
  loadFirstParty,
  providerSet,
  resolvePackageEntry,
} from "../src/providers.js";
import { jarvis, tempDir, WALLETS } from "./helpers.js";

const EXAMPLE = resolve(import.meta.dirname, "../../../examples/third-party-provider");

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

describe("first-party providers", () => {
  it("loads an installed provider with its version", async () => {
    const entry = await loadFirstParty("cpu-pearl");
    expect(entry.status).toBe("loaded");
    expect(entry.provider?.id).toBe("cpu-pearl");
    expect(entry.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("recognises Node's not-found error only for the package asked about", async () => {
    const error = await import("@openjarvis/no-such-package" as string).catch((e: unknown) => e);
    expect(isMissingPackage(error, "@openjarvis/no-such-package")).toBe(true);
    expect(isMissingPackage(error, "@openjarvis/mining-pearl-cpu")).toBe(false);
    expect(
      isMissingPackage(
        new Error("Cannot find package '@openjarvis/no-such-package'"),
        "@openjarvis/no-such-package",
      ),
    ).toBe(false);
  });

  it("points OpenJarvis' apple-mps-pearl users at cpu-pearl", async () => {
    await expect(providerSet().get("apple-mps-pearl")).rejects.toMatchObject({
      code: "E_PROVIDER_UNKNOWN",
      hint: expect.stringContaining('cpu-pearl runs on Apple silicon (provider = "cpu-pearl")'),
    });
  });

  it("names the known ids for an unknown provider", async () => {
    await expect(providerSet().get("gpu-magic")).rejects.toMatchObject({
      code: "E_PROVIDER_UNKNOWN",
      hint: expect.stringContaining("cpu-pearl, vllm-pearl"),
    });
  });
});

describe("third-party providers", () => {
  it("resolves a package name from the config file's directory", async () => {
    const scope = join(dir.path, "node_modules", "@openjarvis-example");
    mkdirSync(scope, { recursive: true });
    symlinkSync(EXAMPLE, join(scope, "mining-provider-hello"));
    expect(resolvePackageEntry("@openjarvis-example/mining-provider-hello", dir.path)).toBe(
      join(scope, "mining-provider-hello", "index.js"),
    );
    const set = providerSet({
      thirdParty: ["@openjarvis-example/mining-provider-hello"],
      configDir: dir.path,
    });
    expect((await set.get("hello")).displayName).toContain("Hello");
    const all = await set.all();
    expect(all.map((e) => `${e.id}:${e.source}:${e.status}`)).toEqual([
      "cpu-pearl:first-party:loaded",
      "vllm-pearl:first-party:loaded",
      "hello:third-party:loaded",
    ]);
  });

  it("refuses a module that is not a provider, and one whose id is taken", async () => {
    writeFileSync(join(dir.path, "bad.mjs"), 'export default { id: "bad", apiVersion: 99 };\n');
    writeFileSync(
      join(dir.path, "clash.mjs"),
      `export { default } from ${JSON.stringify(pathToFileURL(join(realpathSync(EXAMPLE), "index.js")).href)};\n`,
    );
    const set = providerSet({ thirdParty: ["./bad.mjs", "./missing.mjs"], configDir: dir.path });
    const entries = (await set.all()).slice(2);
    expect(entries.map((e) => [e.spec, e.status, e.error?.code])).toEqual([
      ["./bad.mjs", "broken", "E_PROVIDER_INVALID"],
      ["./missing.mjs", "not-installed", "E_PROVIDER_NOT_INSTALLED"],
    ]);
    const twice = providerSet({ thirdParty: ["./clash.mjs", "./clash.mjs"], configDir: dir.path });
    expect((await twice.all()).slice(2).map((e) => e.status)).toEqual(["loaded", "broken"]);
  });

  it("runs the example provider through init, start, status and stop", async () => {
    const env = { OPENJARVIS_HOME: dir.path };
    writeFileSync(
      join(dir.path, "config.toml"),
      `providers = [${JSON.stringify(join(realpathSync(EXAMPLE), "index.js"))}]\n\n[mining]\nprovider = "hello"\nwallet_address = "${WALLETS.regtest}"\nsubmit_target = "devnet"\n`,
    );
    const start = await jarvis(["--json", "mine", "start"], { env });
    expect(start.code).toBe(0);
    expect(start.json()).toMatchObject({ ok: true, provider: "hello", submitTarget: "devnet" });
    const status = await jarvis(["--json", "mine", "status"], { env });
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({
      running: true,
      provider: "hello",
      liveness: "unverified",
    });
    const watch = await jarvis(
      ["--json", "mine", "status", "--watch", "--count", "2", "--interval", "0.2"],
      { env },
    );
    expect(
      watch.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).running),
    ).toEqual([true, true]);
    const inPlace = await jarvis(
      ["mine", "status", "--watch", "--count", "2", "--interval", "0.2"],
      { env, isTTY: true },
    );
    expect(inPlace.stdout).toMatch(/\x1b\[\d+F\x1b\[0J/); // second frame redrawn over the first
    const doctor = await jarvis(["--json", "mine", "doctor"], { env });
    const rows = doctor.json<{ rows: { section: string; name: string; status: string }[] }>().rows;
    expect(rows).toContainEqual(
      expect.objectContaining({ section: "Providers", name: "hello (configured)", status: "ok" }),
    );
    expect(rows.some((r) => r.section === "vLLM miner" || r.section === "Gateway")).toBe(false);
    const stop = await jarvis(["mine", "stop"], { env });
    expect(stop.code).toBe(0);
    expect((await jarvis(["mine", "status"], { env })).code).toBe(3);
  });
});
