/** doctor's pearld, gateway and wallet rows (and bench's network figure) against a real devnet node. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Devnet, startDevnet } from "@openjarvis/pearl-devnet";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jarvis, tempDir, WALLETS } from "./helpers.js";

interface Row {
  section: string;
  name: string;
  status: string;
  info: string;
  next?: string;
}

let devnet: Devnet;
let home: ReturnType<typeof tempDir>;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, chain: "regtest", rpcUser: "alice", rpcPassword: "pw" });
});
afterAll(async () => {
  await devnet.close();
  home?.cleanup();
});
beforeEach(() => {
  home?.cleanup();
  home = tempDir();
  devnet.setNodeFault(undefined);
  devnet.resume();
});

function writeConfig(wallet: string): void {
  writeFileSync(
    join(home.path, "config.toml"),
    `[mining]
provider = "cpu-pearl"
wallet_address = "${wallet}"
submit_target = "solo"

[mining.extra]
pearld_rpc_url = "${devnet.nodeUrl}"
pearld_rpc_user = "alice"
pearld_rpc_password_env = "NODE_PW"
gateway_url = "127.0.0.1:${devnet.port}"
`,
  );
}

async function doctor(password = "pw") {
  const result = await jarvis(["--json", "mine", "doctor"], {
    env: { OPENJARVIS_HOME: home.path, NODE_PW: password },
  });
  const body = result.json<{ ok: boolean; rows: Row[] }>();
  const row = (section: string, name: string) =>
    body.rows.find((r) => r.section === section && r.name === name);
  return { code: result.code, body, row };
}

describe("doctor against a pearld-compatible node and a gateway", () => {
  it("passes when node, gateway and wallet are right", async () => {
    writeConfig(WALLETS.regtest);
    const { code, row } = await doctor();
    expect(row("pearld", "Reachable")).toMatchObject({
      status: "ok",
      info: expect.stringContaining("regtest"),
    });
    expect(row("pearld", "Auth")?.status).toBe("ok");
    expect(row("pearld", "Synced")?.status).toBe("ok");
    expect(row("Gateway", "Gateway")?.status).toBe("ok");
    expect(row("Wallet", "Address")).toMatchObject({
      status: "ok",
      info: expect.stringContaining("matches pearld"),
    });
    expect(code).toBe(0);
  });

  it("says which credential is wrong, that the node is syncing, and that the wallet is for another network", async () => {
    writeConfig(WALLETS.mainnet);
    const wrong = await doctor("not-the-password");
    expect(wrong.code).toBe(1);
    expect(wrong.row("pearld", "Auth")).toMatchObject({
      status: "fail",
      next: expect.stringContaining("NODE_PW"),
    });
    expect(JSON.stringify(wrong.body)).not.toContain("not-the-password");

    devnet.setNodeFault("syncing");
    const syncing = await doctor();
    expect(syncing.row("pearld", "Synced")).toMatchObject({
      status: "fail",
      next: expect.stringContaining("downloading"),
    });
    expect(syncing.row("Wallet", "Address")?.status).toBe("fail");
  });

  it("reports a paused gateway as a warning with the reason", async () => {
    writeConfig(WALLETS.regtest);
    devnet.pause();
    const { row } = await doctor();
    expect(row("Gateway", "Gateway")).toMatchObject({
      status: "warn",
      next: expect.stringContaining("pearld"),
    });
  });

  it("bench reads the network difficulty from pearld", async () => {
    writeConfig(WALLETS.regtest);
    const result = await jarvis(["--json", "mine", "bench", "--seconds", "1", "--threads", "1"], {
      env: { OPENJARVIS_HOME: home.path, NODE_PW: "pw" },
    });
    expect(result.code).toBe(0);
    const { network } = result.json<{
      network: { nbits: number; source: string; expectedSecondsPerBlock: number };
    }>();
    expect(network.source).toContain(devnet.nodeUrl.replace(/\/$/, ""));
    expect(network.expectedSecondsPerBlock).toBeGreaterThan(0);
  });
});
