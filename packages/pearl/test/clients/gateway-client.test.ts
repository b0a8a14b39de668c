import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMiningError } from "@openjarvis/mining-core";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient, parseGatewayUrl } from "../../src/clients/index.js";

// A 78-digit target (2^256 - 1) and a 76-byte header, as a Gen C gateway sends them, spaced
// the way Python's json.dumps writes them.
const TARGET_78 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
const HEADER = Buffer.alloc(76, 7);
const JOB_JSON = `{"incomplete_header_bytes": "${HEADER.toString("base64")}", "target": ${TARGET_78}, "cert_version": 3, "ancestor_headers": [], "extra_float": 5.0}`;

type Handler = (request: Record<string, unknown>, line: string, socket: Socket) => void;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function reply(socket: Socket, id: unknown, body: string): void {
  socket.write(`{"jsonrpc": "2.0", ${body}, "id": ${JSON.stringify(id)}}\n`);
}

/** A tiny gateway: one line in, whatever the test's handler writes out. */
async function startServer(handler: Handler, transport: "unix" | "tcp" = "unix") {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffered = "";
    socket.on("data", (data) => {
      buffered += data.toString("utf8");
      for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        handler(JSON.parse(line) as Record<string, unknown>, line, socket);
      }
    });
  });
  let url: string;
  if (transport === "unix") {
    const dir = mkdtempSync(join(tmpdir(), "gwc-"));
    const path = join(dir, "gw.sock");
    await new Promise<void>((resolve) => server.listen(path, resolve));
    url = `unix://${path}`;
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  } else {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `tcp://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { url, lines, close, sockets };
}

function client(url: string, options: ConstructorParameters<typeof GatewayClient>[1] = {}) {
  const c = new GatewayClient(url, { reconnect: { maxWaitMs: 500 }, ...options });
  cleanups.push(() => c.close());
  return c;
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  if (!isMiningError(error)) throw error;
  return error;
}

const serveJob: Handler = (request, _line, socket) => {
  if (request.method === "getMiningInfo") reply(socket, request.id, `"result": ${JOB_JSON}`);
  else reply(socket, request.id, `"result": "submitted"`);
};

describe("GatewayClient", () => {
  it("reads a job with a 78-digit target and echoes it back byte for byte (Unix socket)", async () => {
    const server = await startServer(serveJob);
    const gateway = client(server.url);
    const job = await gateway.getMiningInfo();
    expect(job.target).toBe(BigInt(TARGET_78));
    expect(job.target.toString().length).toBe(78);
    expect(Buffer.from(job.incompleteHeaderBytes).equals(HEADER)).toBe(true);
    expect(job.certVersion).toBe(3);
    expect(job.ancestorHeaders).toEqual([]);
    expect(job.rawJson).toBe(JOB_JSON);

    expect(await gateway.submitPlainProof("QUJD", job)).toBe("submitted");
    const sent = server.lines[1]!;
    expect(sent).toContain(`"mining_job":${JOB_JSON}`);
    const params = JSON.parse(sent).params as Record<string, unknown>;
    expect(Object.keys(params)).toEqual(["plain_proof", "mining_job"]);
    expect(params.plain_proof).toBe("QUJD");
    expect(sent).toContain(`"target": ${TARGET_78}`);
  });

  it("serialises a plain job object with exact integers", async () => {
    const server = await startServer(serveJob, "tcp");
    const gateway = client(server.url.replace("tcp://", "http://"));
    await gateway.submitPlainProof("QUJD", {
      incomplete_header_bytes: "AA==",
      target: BigInt(TARGET_78),
    });
    expect(server.lines[0]).toContain(
      `"mining_job":{"incomplete_header_bytes":"AA==","target":${TARGET_78}}`,
    );
  });

  it("re-serialises a hand-made job whose raw text has a line break, so framing holds", async () => {
    const server = await startServer(serveJob);
    const gateway = client(server.url);
    const job = await gateway.getMiningInfo();
    const forged = { ...job, rawJson: '{"target":\n1}' };
    expect(await gateway.submitPlainProof("QUJD", forged)).toBe("submitted");
    expect(server.lines).toHaveLength(2);
    expect(server.lines[1]).toContain(`"target":${TARGET_78}`);
    expect(server.lines[1]).toContain('"extra_float":5');
  });

  it("maps paused (-32001) to E_GATEWAY_PAUSED and keeps the connection", async () => {
    let paused = true;
    const server = await startServer((request, line, socket) => {
      if (paused) {
        reply(
          socket,
          request.id,
          `"error": {"code": -32001, "message": "mining_paused: no block template available"}`,
        );
      } else serveJob(request, line, socket);
    });
    const gateway = client(server.url);
    const error = await rejection(gateway.getMiningInfo());
    expect(error.code).toBe("E_GATEWAY_PAUSED");
    expect(error.hint).toMatch(/keep polling/);
    paused = false;
    expect((await gateway.getMiningInfo()).certVersion).toBe(3);
    expect(server.sockets.size).toBe(1);
  });

  it("maps every gateway error code to a typed error", async () => {
    const errors: Record<string, string> = {
      a: `{"code": -32700, "message": "Parse error", "data": "Expecting value: line 1 column 1 (char 0)"}`,
      b: `{"code": -32600, "message": "Invalid Request", "data": "data must contain ['id'] properties"}`,
      c: `{"code": -32601, "message": "Method c not found"}`,
      d: `{"code": -32602, "message": "Invalid params", "data": "data.mining_job.target must be integer"}`,
      e: `{"code": -32000, "message": "'cert_version'"}`,
      f: `{"code": -32000, "message": "proof submission queue full"}`,
      g: `{"code": -31999, "message": "odd"}`,
    };
    const server = await startServer((request, _line, socket) => {
      reply(socket, request.id, `"error": ${errors[request.method as string]}`);
    });
    const gateway = client(server.url);
    const codes: Record<string, string> = {};
    for (const method of Object.keys(errors)) {
      const error = await rejection(gateway.call(method));
      codes[method] = error.code;
      expect(error.hint, method).toBeTruthy();
      expect(error.details?.method).toBe(method);
    }
    expect(codes).toEqual({
      a: "E_GATEWAY_PROTOCOL",
      b: "E_GATEWAY_PROTOCOL",
      c: "E_GATEWAY_RPC",
      d: "E_GATEWAY_RPC",
      e: "E_GATEWAY_RPC",
      f: "E_GATEWAY_RPC",
      g: "E_GATEWAY_RPC",
    });
    const invalid = await rejection(gateway.call("d"));
    expect(invalid.message).toContain("data.mining_job.target must be integer");
    expect((await rejection(gateway.call("e"))).hint).toMatch(/cert_version/);
    expect((await rejection(gateway.call("f"))).hint).toMatch(/queue is full/);
  });

  it("matches pipelined replies to requests by order", async () => {
    const server = await startServer((request, _line, socket) => {
      // Answer slowly, in order, the way the real gateway does.
      setTimeout(
        () => reply(socket, request.id, `"result": ${JSON.stringify(request.method)}`),
        20,
      );
    });
    const gateway = client(server.url);
    const results = await Promise.all(["one", "two", "three"].map((m) => gateway.call(m)));
    expect(results).toEqual(["one", "two", "three"]);
    expect(server.sockets.size).toBe(1);
  });

  it("fails a request when the gateway disconnects mid-request, then reconnects", async () => {
    let drop = true;
    const server = await startServer((request, line, socket) => {
      if (drop) {
        drop = false;
        socket.destroy();
      } else serveJob(request, line, socket);
    });
    const gateway = client(server.url);
    const error = await rejection(gateway.getMiningInfo());
    expect(error.code).toBe("E_GATEWAY_UNREACHABLE");
    expect(error.message).toContain("getMiningInfo");
    expect((await gateway.getMiningInfo()).target).toBe(BigInt(TARGET_78));
  });

  it("treats a garbage line as a protocol error and starts a fresh connection", async () => {
    let garbage = true;
    const server = await startServer((request, line, socket) => {
      if (garbage) {
        garbage = false;
        socket.write("<html>not json</html>\n");
      } else serveJob(request, line, socket);
    });
    const gateway = client(server.url);
    const error = await rejection(gateway.getMiningInfo());
    expect(error.code).toBe("E_GATEWAY_PROTOCOL");
    expect(error.message).toContain("not JSON");
    await gateway.getMiningInfo();
    expect(server.lines).toHaveLength(2);
  });

  it("rejects replies with the wrong id, the wrong version or a bad job", async () => {
    const bodies = [
      `{"jsonrpc": "2.0", "result": 1, "id": 999}`,
      `{"jsonrpc": "1.0", "result": 1, "id": 1}`,
      `{"jsonrpc": "2.0", "result": {"incomplete_header_bytes": "AAAA", "target": 1}, "id": null}`,
      `{"jsonrpc": "2.0", "result": {"incomplete_header_bytes": "${HEADER.toString("base64")}", "target": "12"}, "id": null}`,
    ];
    let i = 0;
    const server = await startServer((_request, _line, socket) => {
      socket.write(`${bodies[i++]}\n`);
    });
    const gateway = client(server.url);
    const messages: string[] = [];
    for (let n = 0; n < bodies.length; n++) {
      const error = await rejection(gateway.getMiningInfo());
      expect(error.code).toBe("E_GATEWAY_PROTOCOL");
      messages.push(error.message);
    }
    expect(messages[0]).toContain("id 999");
    expect(messages[2]).toContain("3 bytes, not 76");
    expect(messages[3]).toContain("target");
  });

  it("refuses a request over the 1 MiB line limit before sending it", async () => {
    const server = await startServer(serveJob);
    const gateway = client(server.url);
    const job = await gateway.getMiningInfo();
    const error = await rejection(gateway.submitPlainProof("A".repeat(1024 * 1024), job));
    expect(error.code).toBe("E_GATEWAY_PROTOCOL");
    expect(error.details?.limit).toBe(1024 * 1024);
    expect(server.lines).toHaveLength(1);
  });

  it("treats an over-long reply line as a protocol error", async () => {
    const server = await startServer((_request, _line, socket) => {
      socket.write("x".repeat(64 * 1024));
    });
    const gateway = client(server.url, { maxReplyBytes: 32 * 1024 });
    const error = await rejection(gateway.getMiningInfo());
    expect(error.code).toBe("E_GATEWAY_PROTOCOL");
    expect(error.message).toMatch(/longer than 32768 bytes/);
  });

  it("times out a request the gateway never answers", async () => {
    const server = await startServer(() => {});
    const gateway = client(server.url, { requestTimeoutMs: 150 });
    const error = await rejection(gateway.getMiningInfo());
    expect(error.code).toBe("E_TIMEOUT");
    expect(error.details?.timeoutMs).toBe(150);
  });

  it("reports an unreachable gateway with a hint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gwc-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const missing = client(`unix://${join(dir, "none.sock")}`, { reconnect: { maxWaitMs: 150 } });
    const error = await rejection(missing.getMiningInfo());
    expect(error.code).toBe("E_GATEWAY_UNREACHABLE");
    expect(error.hint).toContain("none.sock");
    expect(error.details?.errno).toBe("ENOENT");

    const server = await startServer(serveJob, "tcp");
    await server.close();
    const refused = await rejection(
      client(server.url, { reconnect: { maxWaitMs: 150 } }).getMiningInfo(),
    );
    expect(refused.code).toBe("E_GATEWAY_UNREACHABLE");
    expect(refused.hint).toContain("MINER_RPC_TRANSPORT=tcp");
  });

  it("retries the connection with back-off until the gateway comes up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gwc-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "late.sock");
    const gateway = client(`unix://${path}`, {
      reconnect: { initialDelayMs: 20, maxWaitMs: 3000 },
    });
    const pending = gateway.getMiningInfo();
    const accepted: Socket[] = [];
    const late = createServer((socket) => {
      accepted.push(socket);
      socket.on("data", (data) => {
        const request = JSON.parse(data.toString()) as { id: number };
        reply(socket, request.id, `"result": ${JOB_JSON}`);
      });
    });
    setTimeout(() => late.listen(path), 200);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of accepted) socket.destroy();
          late.close(() => resolve());
        }),
    );
    expect((await pending).certVersion).toBe(3);
  });

  it("fails requests after close()", async () => {
    const server = await startServer(() => {});
    const gateway = client(server.url);
    const pending = gateway.getMiningInfo();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gateway.close();
    expect((await rejection(pending)).code).toBe("E_ABORTED");
    expect((await rejection(gateway.getMiningInfo())).code).toBe("E_ABORTED");
  });
});

describe("parseGatewayUrl", () => {
  it("accepts the documented forms", () => {
    expect(parseGatewayUrl("unix:///tmp/pearlgw.sock")).toEqual({
      socketPath: "/tmp/pearlgw.sock",
    });
    expect(parseGatewayUrl("/tmp/pearlgw.sock")).toEqual({ socketPath: "/tmp/pearlgw.sock" });
    expect(parseGatewayUrl("tcp://127.0.0.1:8337")).toEqual({ host: "127.0.0.1", port: 8337 });
    expect(parseGatewayUrl("http://127.0.0.1:8337")).toEqual({ host: "127.0.0.1", port: 8337 });
    expect(parseGatewayUrl("localhost:8337")).toEqual({ host: "localhost", port: 8337 });
  });

  it("refuses the rest with the offending value", () => {
    for (const bad of [
      "",
      "unix://relative.sock",
      "ftp://x:1",
      "tcp://127.0.0.1",
      "http://u:p@h:1",
      "tcp://h:1/path",
    ]) {
      let caught: unknown;
      try {
        parseGatewayUrl(bad);
      } catch (error) {
        caught = error;
      }
      expect(isMiningError(caught), bad).toBe(true);
      expect((caught as { code: string }).code).toBe("E_CONFIG_INVALID");
    }
  });
});
