import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { inspect } from "node:util";
import { isMiningError, type MiningError } from "@openjarvis/mining-core";
import { afterEach, describe, expect, it } from "vitest";
import { PearldClient } from "../../src/clients/index.js";

const PASSWORD = "s3cret-Pa55word-never-shown";
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

type Reply = (body: { method: string; params: unknown[]; id: number }, res: ServerResponse) => void;

async function startNode(reply: Reply): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const expected = `Basic ${Buffer.from(`rpc:${PASSWORD}`).toString("base64")}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="pearld RPC"' }).end();
        return;
      }
      reply(JSON.parse(text), res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`,
    requests,
  };
}

function answer(res: ServerResponse, id: number, result: unknown, error: unknown = null): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(`${JSON.stringify({ result, error, id, jsonrpc: "1.0" })}\n`);
}

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

function expectNoPassword(error: MiningError): void {
  const views = [
    error.message,
    error.hint ?? "",
    JSON.stringify(error),
    JSON.stringify(error.details ?? {}),
    String(error.cause),
    inspect(error, { depth: 10, showHidden: true }),
  ];
  for (const view of views) expect(view).not.toContain(PASSWORD);
}

describe("PearldClient", () => {
  it("calls the four methods with Basic auth and the gateway's template params", async () => {
    const seen: Array<{ method: string; params: unknown[] }> = [];
    const node = await startNode((body, res) => {
      seen.push({ method: body.method, params: body.params });
      const results: Record<string, unknown> = {
        getblockchaininfo: {
          chain: "regtest",
          blocks: 5,
          headers: 5,
          bestblockhash: "ab",
          difficulty: 1,
        },
        getmininginfo: { blocks: 5, difficulty: 1, networkhashps: 0 },
        getblocktemplate: {
          bits: "207fffff",
          height: 6,
          previousblockhash: "ab",
          target: "7f",
          curtime: 1,
          version: 1,
          transactions: [],
        },
        getblockcount: 5,
      };
      answer(res, body.id, results[body.method]);
    });
    const pearld = new PearldClient({ url: node.url, user: "rpc", password: PASSWORD });
    expect((await pearld.getBlockchainInfo()).chain).toBe("regtest");
    expect((await pearld.getMiningInfo()).blocks).toBe(5);
    expect((await pearld.getBlockTemplate()).height).toBe(6);
    expect(await pearld.getBlockCount()).toBe(5);
    expect(seen.map((s) => s.method)).toEqual([
      "getblockchaininfo",
      "getmininginfo",
      "getblocktemplate",
      "getblockcount",
    ]);
    expect(seen[2]?.params).toEqual([
      { capabilities: ["coinbasevalue", "workid", "coinbase/append"], rules: ["segwit"] },
    ]);
    expect(JSON.stringify(pearld)).not.toContain(PASSWORD);
    expect(inspect(pearld, { showHidden: true, depth: 5 })).not.toContain(PASSWORD);
  });

  it("maps HTTP 401 to E_NODE_AUTH without revealing the password", async () => {
    const node = await startNode((body, res) => answer(res, body.id, 1));
    const wrong = new PearldClient({ url: node.url, user: "rpc", password: `${PASSWORD}-wrong` });
    const error = await rejection(wrong.getBlockCount());
    expect(error.code).toBe("E_NODE_AUTH");
    expect(error.hint).toMatch(/password/);
    expectNoPassword(error);
    expect(JSON.stringify(error)).not.toContain(`${PASSWORD}-wrong`);
  });

  it("maps -9 and -10 to E_NODE_NOT_CONNECTED and E_NODE_SYNCING", async () => {
    const node = await startNode((body, res) => {
      if (body.method === "getblocktemplate")
        answer(res, body.id, null, { code: -9, message: "Pearl is not connected" });
      else if (body.method === "getmininginfo")
        answer(res, body.id, null, { code: -10, message: "Pearl is downloading blocks..." });
      else answer(res, body.id, null, { code: -32601, message: "Method not found" });
    });
    const pearld = new PearldClient({ url: node.url, user: "rpc", password: PASSWORD });
    const notConnected = await rejection(pearld.getBlockTemplate());
    expect(notConnected.code).toBe("E_NODE_NOT_CONNECTED");
    expect(notConnected.hint).toMatch(/peers/);
    const syncing = await rejection(pearld.getMiningInfo());
    expect(syncing.code).toBe("E_NODE_SYNCING");
    expect(syncing.hint).toMatch(/wait/);
    const unknown = await rejection(pearld.call("nope"));
    expect(unknown.code).toBe("E_NODE_RPC");
    for (const error of [notConnected, syncing, unknown]) expectNoPassword(error);
  });

  it("maps an unreachable node to E_NODE_UNREACHABLE, a slow one to E_TIMEOUT", async () => {
    const node = await startNode(() => {});
    const closed = servers.pop()!;
    closed.closeAllConnections();
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await rejection(
      new PearldClient({ url: node.url, user: "rpc", password: PASSWORD }).getBlockCount(),
    );
    expect(unreachable.code).toBe("E_NODE_UNREACHABLE");
    expect(unreachable.details?.errno).toBe("ECONNREFUSED");
    expect(unreachable.hint).toMatch(/--notls/);
    expectNoPassword(unreachable);

    const slow = await startNode(() => {});
    const timeout = await rejection(
      new PearldClient({
        url: slow.url,
        user: "rpc",
        password: PASSWORD,
        timeoutMs: 100,
      }).getBlockCount(),
    );
    expect(timeout.code).toBe("E_TIMEOUT");
    expectNoPassword(timeout);
  });

  it("maps other HTTP statuses and non-JSON bodies to E_NODE_RPC", async () => {
    const node = await startNode((body, res) => {
      if (body.method === "busy") res.writeHead(503).end();
      else res.writeHead(200).end("<html>");
    });
    const pearld = new PearldClient({ url: node.url, user: "rpc", password: PASSWORD });
    const busy = await rejection(pearld.call("busy"));
    expect(busy.code).toBe("E_NODE_RPC");
    expect(busy.details?.status).toBe(503);
    expect((await rejection(pearld.call("html"))).code).toBe("E_NODE_RPC");
  });

  it("refuses URLs with credentials or a wrong scheme, without echoing them", () => {
    for (const url of [`http://rpc:${PASSWORD}@127.0.0.1:1/`, "ftp://127.0.0.1:1", "not a url"]) {
      let caught: unknown;
      try {
        new PearldClient({ url, user: "rpc", password: PASSWORD });
      } catch (error) {
        caught = error;
      }
      expect(isMiningError(caught), url).toBe(true);
      expect((caught as MiningError).code).toBe("E_CONFIG_INVALID");
      expectNoPassword(caught as MiningError);
    }
  });
});
