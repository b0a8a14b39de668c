import { isMiningError, type MiningError } from "@openjarvis/mining-core";
import { nbitsToTarget, PearldClient } from "@openjarvis/pearl";
import { afterEach, describe, expect, it } from "vitest";
import type { DevnetSnapshot } from "../src/index.js";
import { closeAll, devnet } from "./helpers.js";

afterEach(closeAll);

const PASSWORD = "devnet-test-password-123";

async function rejection(promise: Promise<unknown>): Promise<MiningError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  if (!isMiningError(error)) throw error;
  return error;
}

describe("devnet node (pearld JSON-RPC)", () => {
  it("answers getblockchaininfo, getmininginfo, getblockcount and getblocktemplate", async () => {
    const net = await devnet({ nbits: 0x1d040000, rpcUser: "alice", rpcPassword: PASSWORD });
    const pearld = new PearldClient({ url: net.nodeUrl, user: "alice", password: PASSWORD });
    const info = await pearld.getBlockchainInfo();
    expect(info).toMatchObject({
      chain: "regtest",
      blocks: 0,
      headers: 0,
      bestblockhash: net.snapshot().tip,
    });
    expect(String(info.warnings)).toContain("devnet");
    expect(await pearld.getBlockCount()).toBe(0);
    expect((await pearld.getMiningInfo()).blocks).toBe(0);
    const template = await pearld.getBlockTemplate();
    expect(template).toMatchObject({
      bits: "1d040000",
      height: 1,
      previousblockhash: net.snapshot().tip,
      requiredcertversion: 3,
    });
    expect(BigInt(`0x${template.target}`)).toBe(nbitsToTarget(0x1d040000));
    expect(template.target).toHaveLength(64);
    for (const key of [
      "vsizelimit",
      "longpollid",
      "coinbaseaux",
      "default_witness_commitment",
      "curtime",
      "transactions",
    ]) {
      expect(template, key).toHaveProperty(key);
    }
    net.advanceTip();
    expect(await pearld.getBlockCount()).toBe(1);
    expect((await pearld.getBlockTemplate()).previousblockhash).toBe(net.snapshot().tip);
  });

  it("answers submitblock with pearld's shapes", async () => {
    const net = await devnet();
    const pearld = new PearldClient({ url: net.nodeUrl, user: "devnet", password: "devnet" });
    const decode = await rejection(pearld.call("submitblock", ["zz"]));
    expect(decode.details?.rpcCode).toBe(-22);
    const result = await pearld.call<string>("submitblock", ["00".repeat(200)]);
    expect(result).toMatch(/^rejected: /);
    expect((await rejection(pearld.call("nosuchmethod"))).details?.rpcCode).toBe(-32601);
  });

  it("answers a wrong password with HTTP 401", async () => {
    const net = await devnet({ rpcPassword: PASSWORD });
    const wrong = new PearldClient({ url: net.nodeUrl, user: "devnet", password: "nope" });
    const error = await rejection(wrong.getBlockCount());
    expect(error.code).toBe("E_NODE_AUTH");
    const response = await fetch(net.nodeUrl, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="pearld RPC"');
  });

  it("reports -9 and -10 on getblocktemplate on request, and replies slowly on request", async () => {
    const net = await devnet();
    const pearld = new PearldClient({
      url: net.nodeUrl,
      user: "devnet",
      password: "devnet",
      timeoutMs: 200,
    });
    net.setNodeFault("not-connected");
    expect((await rejection(pearld.getBlockTemplate())).code).toBe("E_NODE_NOT_CONNECTED");
    net.setNodeFault("syncing");
    expect((await rejection(pearld.getBlockTemplate())).code).toBe("E_NODE_SYNCING");
    net.setNodeFault(undefined);
    expect((await pearld.getBlockTemplate()).height).toBe(1);
    net.setNodeDelay(500);
    expect((await rejection(pearld.getBlockCount())).code).toBe("E_TIMEOUT");
  });

  it("serves the snapshot as JSON on the loopback status URL, without credentials", async () => {
    const net = await devnet({ rpcPassword: PASSWORD });
    expect(net.statusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status$/);
    const response = await fetch(net.statusUrl);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(PASSWORD);
    const status = JSON.parse(text) as DevnetSnapshot;
    expect(status).toMatchObject({ network: "devnet", height: 0, blocksFound: 0, paused: false });
    expect(status.note).toContain("worth anything");
    expect(status.proofs).toEqual({
      submitted: 0,
      accepted: 0,
      stale: 0,
      duplicate: 0,
      invalid: 0,
    });
    expect(status.job?.certVersion).toBe(3);
  });

  it("refuses bad options with a usage error naming the value", async () => {
    const bad: Array<Record<string, unknown>> = [
      { nbits: 0 },
      { nbits: 0x1d800000 },
      { nbits: 2 ** 33 },
      { certVersion: 4 },
      { generation: "D" },
      { port: 70000 },
    ];
    for (const options of bad) {
      const error = await rejection(devnet(options));
      expect(error.code, JSON.stringify(options)).toBe("E_USAGE");
      expect(error.hint).toBeTruthy();
    }
    const first = await devnet({ port: 0 });
    const clash = await rejection(devnet({ port: first.port! }));
    expect(clash.code).toBe("E_START_FAILED");
    expect(clash.hint).toMatch(/port is taken/);
  });
});
