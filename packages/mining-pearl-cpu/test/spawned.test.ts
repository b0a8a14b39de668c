import * as fs from "node:fs";
import { encodeTaprootAddress } from "@openjarvis/pearl";
import { type Devnet, startDevnet } from "@openjarvis/pearl-devnet";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  allFilesUnder,
  fakeGatewayDir,
  freePort,
  killAllMentioning,
  killPid,
  makeHome,
  pidAlive,
  processesMentioning,
  readProc,
  readSidecarFile,
  runCli,
  soloConfig,
} from "./helpers.js";

const SECRET = "Zq9-very-secret-rpc-pass";
const wallet = encodeTaprootAddress("regtest", new Uint8Array(32).fill(3));

let home: ReturnType<typeof makeHome> | undefined;
let node: Devnet | undefined;
const gatewayPids = new Set<number>();

afterEach(async () => {
  if (home) {
    await runCli(home.env, "stop").catch(() => undefined);
    killAllMentioning(home.home);
    fs.rmSync(home.home, { recursive: true, force: true });
  }
  for (const pid of gatewayPids) killPid(pid);
  gatewayPids.clear();
  await node?.close();
  home = undefined;
  node = undefined;
});

/** A test home whose PATH finds the stand-in `pearl-gateway` first, plus a pearld to talk to. */
async function setup(password: string) {
  home = makeHome();
  home.env.PATH = `${fakeGatewayDir}:${home.env.PATH}`;
  home.env.TEST_PEARLD_PASS = password;
  node = await startDevnet({ rpcUser: "miner", rpcPassword: SECRET, port: 0 });
  return { home, node, port: await freePort() };
}

function sidecarGatewayPid(homeDir: string): number | undefined {
  const pid = readSidecarFile(homeDir)?.gateway_pid;
  if (typeof pid === "number") gatewayPids.add(pid);
  return typeof pid === "number" ? pid : undefined;
}

describe("cpu-pearl with a spawned pearl-gateway", () => {
  it("passes the password only through the gateway's environment and restarts a killed gateway", async () => {
    const { home, node, port } = await setup(SECRET);
    const started = await runCli(home.env, "start", soloConfig(wallet, node.nodeUrl, port));
    expect(started.error).toBeUndefined();
    const sidecar = started.sidecar as Record<string, unknown>;
    expect(sidecar.gateway_url).toBe(`tcp://127.0.0.1:${port}`);
    expect(sidecar.wallet_address).toBe(wallet);
    const supervisor = sidecar.pid as number;
    const gateway = sidecarGatewayPid(home.home) as number;
    expect(pidAlive(gateway)).toBe(true);

    // The password is in the gateway's environment (the node accepted it: we are mining) and in
    // no command line, log, sidecar or stats output.
    const gatewayEnv = readProc(gateway, "environ").split("\0");
    expect(gatewayEnv).toContain(`PEARLD_RPC_PASSWORD=${SECRET}`);
    expect(gatewayEnv).toContain(`PEARLD_MINING_ADDRESS=${wallet}`);
    expect(gatewayEnv).toContain("MINER_RPC_TRANSPORT=tcp");
    expect(gatewayEnv).toContain(`MINER_RPC_PORT=${port}`);
    expect(gatewayEnv).toContain(`PEARLD_RPC_USER=miner`);
    expect(gatewayEnv.some((entry) => entry.startsWith("OPENJARVIS_HOME="))).toBe(false);
    for (const pid of [supervisor, gateway, ...processesMentioning(home.home)]) {
      expect(readProc(pid, "cmdline")).not.toContain(SECRET);
    }
    // The supervisor got it on stdin: not even its environment holds it.
    expect(readProc(supervisor, "environ")).not.toContain(SECRET);
    expect(readProc(supervisor, "environ")).toContain("OPENJARVIS_HOME=");
    const stats = await runCli(home.env, "stats");
    expect(stats.stats?.running).toBe(true);
    expect(JSON.stringify(stats)).not.toContain(SECRET);

    // kill -9 of the gateway: the supervisor restarts it and mining resumes.
    process.kill(gateway, "SIGKILL");
    await vi.waitFor(
      async () => {
        const next = sidecarGatewayPid(home.home);
        expect(next).toBeDefined();
        expect(next).not.toBe(gateway);
        const again = await runCli(home.env, "stats");
        expect(again.stats?.details?.state).toBe("mining");
        expect(again.stats?.details?.restarts).toMatchObject({ gateway: 1 });
      },
      { timeout: 30_000, interval: 500 },
    );
    const logs = await runCli(home.env, "logs");
    expect(
      logs.lines?.some((line) => /pearl-gateway \(pid \d+\) exited \(SIGKILL\)/.test(line)),
    ).toBe(true);
    expect(logs.lines?.some((line) => line.includes("gateway: "))).toBe(true);

    // kill -9 of the supervisor: no sidecar may claim a running miner, and stop cleans up the
    // orphaned gateway (recorded with its start time) from a fresh process.
    const orphan = sidecarGatewayPid(home.home) as number;
    process.kill(supervisor, "SIGKILL");
    await vi.waitFor(() => expect(pidAlive(supervisor)).toBe(false));
    const dead = await runCli(home.env, "stats");
    expect(dead.stats?.running).toBe(false);
    expect(dead.stats?.lastError).toMatch(/not running/);
    expect((await runCli(home.env, "running")).running).toBe(false);
    expect(pidAlive(orphan)).toBe(true);
    expect((await runCli(home.env, "stop")).ok).toBe(true);
    await vi.waitFor(() => expect(pidAlive(orphan)).toBe(false));
    expect(readSidecarFile(home.home)).toBeNull();
    expect(processesMentioning(fakeGatewayDir)).toEqual([]);

    for (const file of allFilesUnder(home.home)) {
      expect(fs.readFileSync(file, "utf8"), file).not.toContain(SECRET);
    }
  });

  it("pearld answering 401: start fails with that reason, nothing left behind, no password shown", async () => {
    const { home, node, port } = await setup("wrong-password-value");
    const started = await runCli(home.env, "start", soloConfig(wallet, node.nodeUrl, port));
    expect(started.ok).toBe(false);
    expect(started.error?.code).toBe("E_START_FAILED");
    expect(started.error?.message).toMatch(/401/);
    expect(started.error?.hint).toMatch(/pearld_rpc_user/);
    expect(JSON.stringify(started)).not.toContain("wrong-password-value");
    expect(readSidecarFile(home.home)).toBeNull();
    expect(processesMentioning(home.home)).toEqual([]);
    expect(processesMentioning(fakeGatewayDir)).toEqual([]);
    for (const file of allFilesUnder(home.home)) {
      expect(fs.readFileSync(file, "utf8")).not.toContain("wrong-password-value");
    }
  });

  it("pearld still syncing (-10): start waits, reports why, and mines once the node is current", async () => {
    const { home, node, port } = await setup(SECRET);
    node.setNodeFault("syncing");
    // Long enough to outlast the launch of the supervisor and the stand-in gateway.
    const clear = setTimeout(() => node.setNodeFault(undefined), 6_000);
    const started = await runCli(home.env, "start", soloConfig(wallet, node.nodeUrl, port));
    clearTimeout(clear);
    expect(started.error).toBeUndefined();
    sidecarGatewayPid(home.home);
    const logs = await runCli(home.env, "logs");
    expect(
      logs.lines?.some((line) => /still downloading blocks \(RPC error -10\)/.test(line)),
    ).toBe(true);
  });

  it("refuses a wallet for another network than the chain pearld runs, before launching", async () => {
    const { home, node, port } = await setup(SECRET);
    const mainnet = encodeTaprootAddress("mainnet", new Uint8Array(32).fill(3));
    const started = await runCli(home.env, "start", soloConfig(mainnet, node.nodeUrl, port));
    expect(started.error?.code).toBe("E_WALLET_INVALID");
    expect(started.error?.message).toContain('"regtest"');
    expect(readSidecarFile(home.home)).toBeNull();
    expect(processesMentioning(home.home)).toEqual([]);
  });

  it("a start cancelled while the gateway launches stops the gateway too", async () => {
    const { home, node, port } = await setup(SECRET);
    const { miningPaths } = await import("@openjarvis/mining-core");
    const dist = "../dist/index.js";
    const built = ((await import(dist)) as typeof import("../src/index.js")).default;
    const abort = new AbortController();
    const env = { ...home.env };
    const cancel = setInterval(() => {
      if (sidecarGatewayPid(home.home)) abort.abort();
    }, 20);
    const error = await built
      .start(soloConfig(wallet, node.nodeUrl, port), {
        paths: miningPaths(env),
        env,
        signal: abort.signal,
      })
      .catch((caught: unknown) => caught);
    clearInterval(cancel);
    expect((error as { code?: string }).code).toBe("E_ABORTED");
    expect(readSidecarFile(home.home)).toBeNull();
    expect(processesMentioning(home.home)).toEqual([]);
    expect(processesMentioning(fakeGatewayDir)).toEqual([]);
  });

  it("a gateway that keeps dying: start fails with its exit and output, restarts were attempted", async () => {
    const { home, node, port } = await setup(SECRET);
    const dies = [process.execPath, "-e", "console.error('boom: bad settings'); process.exit(3)"];
    const started = await runCli(
      home.env,
      "start",
      soloConfig(wallet, node.nodeUrl, port, { gateway_command: dies, start_timeout_seconds: 5 }),
    );
    expect(started.error?.code).toBe("E_START_FAILED");
    expect(started.error?.message).toMatch(/pearl-gateway \(pid \d+\) exited \(code 3\)/);
    const log = fs.readFileSync(`${home.home}/logs/mining/cpu-pearl.log`, "utf8");
    expect(log).toContain("gateway: boom: bad settings");
    // Exponential back-off between restarts.
    expect(log).toMatch(/exited \(code 3\); restarting in 1000 ms/);
    expect(log).toMatch(/exited \(code 3\); restarting in 2000 ms/);
    expect(readSidecarFile(home.home)).toBeNull();
    expect(processesMentioning(home.home)).toEqual([]);
  });

  it("a pearl-gateway that cannot be found fails start at once with the reason", async () => {
    const { home, node, port } = await setup(SECRET);
    const started = await runCli(
      home.env,
      "start",
      soloConfig(wallet, node.nodeUrl, port, { gateway_command: "/nonexistent/pearl-gateway" }),
    );
    expect(started.ok).toBe(false);
    expect(started.error?.code).toBe("E_START_FAILED");
    expect(started.error?.message).toMatch(/ENOENT|not found/);
    expect(readSidecarFile(home.home)).toBeNull();
    expect(processesMentioning(home.home)).toEqual([]);
  });
});
