/** Option parsing, apart from behaviour: a recording dispatch replaces every command. */
import { describe, expect, it } from "vitest";
import type { CommandInput, Dispatch } from "../src/program.js";
import { jarvis } from "./helpers.js";

interface Call {
  name: string;
  input: CommandInput;
  flags: { json: boolean; debug: boolean; color: boolean; home?: string; config?: string };
}

async function parse(
  argv: string[],
): Promise<{ code: number; calls: Call[]; stdout: string; stderr: string }> {
  const calls: Call[] = [];
  const dispatch: Dispatch = async (name, _load, input, flags) => {
    calls.push({ name, input, flags });
    return 0;
  };
  const result = await jarvis(argv, { dispatch });
  return { code: result.code, calls, stdout: result.stdout, stderr: result.stderr };
}

describe("option parsing", () => {
  it("accepts the OpenJarvis aliases of init", async () => {
    const { calls } = await parse([
      "mine",
      "init",
      "--provider",
      "cpu-pearl",
      "--wallet",
      "W",
      "--pearld-rpc-url",
      "http://x:1",
      "--pearld-rpc-user",
      "u",
      "--pearld-rpc-password-env",
      "PW",
      "--metrics-port",
      "9000",
      "--vllm-arg",
      "--a",
      "--vllm-arg=--b",
      "--yes",
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.name).toBe("mine init");
    expect(calls[0]?.input.opts).toMatchObject({
      provider: "cpu-pearl",
      walletAddress: "W",
      pearldRpcUrl: "http://x:1",
      pearldRpcUser: "u",
      pearldRpcPasswordEnv: "PW",
      metricsPort: "9000",
      vllmArg: ["--a", "--b"],
      yes: true,
    });
    const longForms = await parse([
      "mine",
      "init",
      "--wallet-address",
      "W2",
      "--pearld-url",
      "http://y:2",
      "--gateway-metrics-port",
      "1",
    ]);
    expect(longForms.calls[0]?.input.opts).toMatchObject({
      walletAddress: "W2",
      pearldRpcUrl: "http://y:2",
      metricsPort: "1",
    });
  });

  it("takes global flags before or after the command", async () => {
    const before = await parse([
      "--json",
      "--home",
      "/h",
      "--config",
      "/c.toml",
      "--debug",
      "--no-color",
      "mine",
      "status",
    ]);
    expect(before.calls[0]?.flags).toEqual({
      json: true,
      debug: true,
      color: false,
      home: "/h",
      config: "/c.toml",
    });
    const after = await parse([
      "mine",
      "status",
      "--json",
      "--watch",
      "--interval",
      "0.5",
      "--count",
      "3",
    ]);
    expect(after.calls[0]?.flags.json).toBe(true);
    expect(after.calls[0]?.input.opts).toEqual({ watch: true, interval: "0.5", count: "3" });
  });

  it("parses logs -n/-f and its defaults", async () => {
    expect((await parse(["mine", "logs"])).calls[0]?.input.opts).toEqual({ tail: "200" });
    expect((await parse(["mine", "logs", "-n", "5", "-f"])).calls[0]?.input.opts).toEqual({
      tail: "5",
      follow: true,
    });
  });

  it("passes native tool arguments through verbatim, -- protecting --help", async () => {
    const { calls } = await parse([
      "pearl",
      "node",
      "--pearl-home",
      "/p",
      "--rpcuser=x",
      "-C",
      "f",
      "--",
      "--help",
    ]);
    expect(calls[0]?.name).toBe("pearl node");
    expect(calls[0]?.input.opts).toEqual({ pearlHome: "/p" });
    expect(calls[0]?.input.args).toEqual(["--rpcuser=x", "-C", "f", "--", "--help"]);
    const help = await parse(["pearl", "node", "--", "--help"]);
    expect(help.calls[0]?.input.args).toEqual(["--help"]);
    const unknownFirst = await parse([
      "--json",
      "pearl",
      "ctl",
      "--wallet",
      "getbalance",
      "--json",
    ]);
    expect(unknownFirst.calls[0]?.flags.json).toBe(true);
    expect(unknownFirst.calls[0]?.input.args).toEqual(["--wallet", "getbalance", "--json"]);
  });

  it("keeps the pearl address flags (with defaults) and the verify-proof flags", async () => {
    const address = await parse(["pearl", "address", "-u", "me", "-s", "h:1", "--tls"]);
    expect(address.calls[0]?.input.opts).toMatchObject({
      user: "me",
      server: "h:1",
      tls: true,
      passwordEnv: "OYSTER_RPC_PASSWORD",
    });
    const verify = await parse([
      "pearl",
      "verify-proof",
      "--header",
      "aa",
      "--proof",
      "-",
      "--cert-version",
      "3",
      "--nbits",
      "0x207fffff",
    ]);
    expect(verify.calls[0]?.input.opts).toEqual({
      header: "aa",
      proof: "-",
      certVersion: "3",
      nbits: "0x207fffff",
    });
  });

  it("exits 2 on usage errors and 0 on --help, without running anything", async () => {
    const unknown = await parse(["mine", "statu"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'statu'");
    expect(unknown.stderr).toContain("hint:");
    const missing = await parse(["mine", "attach", "--vllm-endpoint", "http://127.0.0.1:1/v1"]);
    expect(missing.code).toBe(2);
    expect(missing.calls).toHaveLength(0);
    const help = await parse(["mine", "start", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--devnet");
    expect((await parse([])).code).toBe(2);
    const version = await parse(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("reports usage errors as JSON with --json", async () => {
    const result = await parse(["--json", "mine", "status", "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: {
        code: "E_USAGE",
        message: "unknown option '--bogus'",
        hint: "add --help to see the usage",
      },
    });
  });
});
