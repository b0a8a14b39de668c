import { isMiningError } from "@openjarvis/mining-core";
import { GatewayClient } from "@openjarvis/pearl";
import { afterEach, describe, expect, it } from "vitest";
import { closeAll, devnet } from "./helpers.js";

const clients: GatewayClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await closeAll();
});

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => "resolved",
    (e: unknown) => e,
  );
  if (!isMiningError(error)) throw new Error(`expected a MiningError, got ${String(error)}`);
  return error.code;
}

describe("GatewayClient against the devnet's injected faults", () => {
  it("maps each broken reply to a typed error and recovers once the gateway is sane", async () => {
    const net = await devnet({ port: 0 });
    const gateway = new GatewayClient(net.gatewayAddress, { reconnect: { maxWaitMs: 500 } });
    clients.push(gateway);
    await gateway.getMiningInfo();
    const seen: Record<string, string> = {};
    for (const fault of ["garbage", "truncate", "oversize", "disconnect"] as const) {
      net.setReplyFault(fault);
      seen[fault] = await code(gateway.getMiningInfo());
      net.setReplyFault(undefined);
      expect((await gateway.getMiningInfo()).incompleteHeaderBytes).toHaveLength(76);
    }
    expect(seen).toEqual({
      garbage: "E_GATEWAY_PROTOCOL",
      truncate: "E_GATEWAY_UNREACHABLE",
      oversize: "E_GATEWAY_PROTOCOL",
      disconnect: "E_GATEWAY_UNREACHABLE",
    });
  });

  it("fails a request in flight when the devnet goes away, and reports it unreachable after", async () => {
    const net = await devnet({ replyDelayMs: 2_000 });
    const gateway = new GatewayClient(net.gatewayAddress, { reconnect: { maxWaitMs: 200 } });
    clients.push(gateway);
    const pending = gateway.getMiningInfo();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await net.close();
    expect(await code(pending)).toBe("E_GATEWAY_UNREACHABLE");
    expect(await code(gateway.getMiningInfo())).toBe("E_GATEWAY_UNREACHABLE");
  });

  it("times out while the gateway stalls, as Gen A/B do while proving", async () => {
    const net = await devnet({ replyDelayMs: 1_000 });
    const gateway = new GatewayClient(net.gatewayAddress, { requestTimeoutMs: 200 });
    clients.push(gateway);
    expect(await code(gateway.getMiningInfo())).toBe("E_TIMEOUT");
  });
});
