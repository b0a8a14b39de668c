import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { MiningConfig } from "@openjarvis/mining-core";
import { type Devnet, startDevnet } from "@openjarvis/pearl-devnet";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SupervisorStatus } from "../src/status.js";
import {
  devnetConfig,
  killAllMentioning,
  makeHome,
  pidAlive,
  readSidecarFile,
  runCli,
} from "./helpers.js";

/** Four times easier than the devnet default, so the scalar engine finds blocks in seconds too. */
const EASY_NBITS = 0x1d100000;
const MAINNET_SHAPE_EXTRA = { m: 256, n: 128, k: 2048, rank: 128 };

type Fault = "none" | "garbage" | "truncated" | "huge";

/**
 * A relay between the miner and a devnet gateway that can answer in the ways a broken gateway
 * does: a line that is not JSON, half a line and a hang-up, or a 2 MiB line.
 */
async function startFaultyRelay(upstreamPort: number) {
  let fault: Fault = "none";
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    const upstream = net.connect({ host: "127.0.0.1", port: upstreamPort });
    sockets.add(upstream);
    upstream.on("data", (data) => client.write(data));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
    let buffered = "";
    client.on("data", (data) => {
      buffered += data.toString("utf8");
      for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl + 1);
        buffered = buffered.slice(nl + 1);
        if (fault === "none") upstream.write(line);
        else if (fault === "garbage") client.write("<html>502 Bad Gateway</html>\n");
        else if (fault === "truncated") {
          client.end('{"jsonrpc": "2.0", "result": {"incomplete_header_bytes": "AAAA');
        } else
          client.write(`{"jsonrpc": "2.0", "result": "${"A".repeat(2 * 1024 * 1024)}", "id": 1}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    setFault(next: Fault) {
      fault = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function externalConfig(extra: Record<string, unknown>): MiningConfig {
  const base = devnetConfig({ ...MAINNET_SHAPE_EXTRA, ...extra });
  return { ...base, submitTarget: { kind: "solo", pearldRpcUrl: "http://127.0.0.1:1" } };
}

let home: ReturnType<typeof makeHome> | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  if (home) {
    await runCli(home.env, "stop").catch(() => undefined);
    killAllMentioning(home.home);
    fs.rmSync(home.home, { recursive: true, force: true });
    home = undefined;
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The supervisor's own /status (quicker than a stats process per poll; e2e covers that path). */
async function status(home: ReturnType<typeof makeHome>): Promise<SupervisorStatus> {
  const url = readSidecarFile(home.home)?.metrics_url as string;
  const response = await fetch(url.replace(/\/metrics$/, "/status"));
  return (await response.json()) as SupervisorStatus;
}

async function expectMiningAgain(home: ReturnType<typeof makeHome>, since: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const now = await status(home);
      expect(now.state).toBe("mining");
      expect(now.attempts).toBeGreaterThan(since);
    },
    { timeout: 20_000, interval: 250 },
  );
}

describe("cpu-pearl survives a misbehaving or restarting gateway", () => {
  it("garbage, a truncated line, a 2 MiB line and a paused gateway: it recovers each time", async () => {
    const devnet = await startDevnet({ port: 0, nbits: EASY_NBITS });
    cleanups.push(() => devnet.close());
    const relay = await startFaultyRelay(devnet.port as number);
    cleanups.push(() => relay.close());
    home = makeHome();
    const started = await runCli(
      home.env,
      "start",
      externalConfig({ gateway_url: `127.0.0.1:${relay.port}` }),
    );
    expect(started.error).toBeUndefined();
    const supervisor = started.sidecar?.pid as number;

    const expected = {
      garbage: /not JSON/,
      truncated: /closed the connection|no reply/,
      huge: /answered id \d+ while|not an object/,
    };
    for (const fault of ["garbage", "truncated", "huge"] as const) {
      relay.setFault(fault);
      await vi.waitFor(
        async () => expect((await status(home!)).lastError).toMatch(expected[fault]),
        { timeout: 10_000, interval: 250 },
      );
      const before = (await status(home)).attempts;
      relay.setFault("none");
      await expectMiningAgain(home, before);
    }

    devnet.pause();
    await vi.waitFor(
      async () => {
        const now = await status(home!);
        expect(now.lastError).toMatch(/paused/);
        expect(now.state).toBe("waiting");
      },
      { timeout: 10_000, interval: 250 },
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const paused = await status(home);
    expect(paused.state).toBe("waiting");
    devnet.resume();
    await expectMiningAgain(home, paused.attempts);

    // Still the same supervisor, its sidecar true, and proofs still verified by the devnet.
    expect(pidAlive(supervisor)).toBe(true);
    expect(readSidecarFile(home.home)?.pid).toBe(supervisor);
    await devnet.waitForBlocks(1, 60_000);
  });

  it("follows a gateway restarted on the same Unix socket", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-pearl-sock-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const socketPath = path.join(dir, "pearlgw.sock");
    let devnet: Devnet = await startDevnet({ socketPath, nbits: EASY_NBITS });
    cleanups.push(() => devnet.close());
    home = makeHome();
    const started = await runCli(home.env, "start", externalConfig({ gateway_socket: socketPath }));
    expect(started.error).toBeUndefined();
    expect(started.sidecar?.gateway_url).toBe(`unix://${socketPath}`);

    await devnet.close();
    await vi.waitFor(async () => expect((await status(home!)).state).toBe("waiting"), {
      timeout: 10_000,
      interval: 250,
    });
    devnet = await startDevnet({ socketPath, nbits: EASY_NBITS });
    await expectMiningAgain(home, (await status(home)).attempts);
    const snapshot = await devnet.waitForBlocks(1, 60_000);
    expect(snapshot.proofs.accepted).toBeGreaterThanOrEqual(1);
  });

  it("a stalled gateway (Gen A/B proving): mining goes on and stop is still graceful", async () => {
    const devnet = await startDevnet({ port: 0, nbits: 0x1a00ffff });
    cleanups.push(() => devnet.close());
    home = makeHome();
    const started = await runCli(
      home.env,
      "start",
      externalConfig({ gateway_url: `127.0.0.1:${devnet.port}` }),
    );
    expect(started.error).toBeUndefined();
    devnet.setReplyDelay(30_000);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const during = await status(home);
    expect(during.state).toBe("mining");
    await expectMiningAgain(home, during.attempts);
    expect((await runCli(home.env, "stop")).ok).toBe(true);
    const log = fs.readFileSync(`${home.home}/logs/mining/cpu-pearl.log`, "utf8").trim();
    // The supervisor finished its own shutdown (a SIGKILL fallback would leave no "stopped").
    expect(log.split("\n").pop()).toMatch(/ info stopped$/);
    devnet.setReplyDelay(0);
  });

  it.each([
    ["A", 1],
    ["B", 2],
  ] as const)(
    "mines through a generation %s gateway (cert version %i), echoing its jobs",
    async (generation, certVersion) => {
      const devnet = await startDevnet({ port: 0, nbits: EASY_NBITS, generation, certVersion });
      cleanups.push(() => devnet.close());
      home = makeHome();
      const started = await runCli(
        home.env,
        "start",
        externalConfig({ gateway_url: `127.0.0.1:${devnet.port}` }),
      );
      expect(started.error).toBeUndefined();
      const snapshot = await devnet.waitForBlocks(1, 60_000);
      expect(snapshot.proofs.invalid).toBe(0);
      expect((await status(home)).job?.certVersion).toBe(certVersion);
    },
  );
});
