import { statSync } from "node:fs";
import { nbitsToTarget } from "@openjarvis/pearl";
import { afterEach, describe, expect, it } from "vitest";
import { closeAll, devnet, RawConnection } from "./helpers.js";

afterEach(closeAll);

const NBITS_78_DIGITS = 0x2100ffff;

function parse(line: string): {
  result?: unknown;
  error?: { code: number; message: string; data?: string };
  id: unknown;
} {
  return JSON.parse(line);
}

describe("devnet gateway wire format", () => {
  it("answers getMiningInfo byte for byte like pearl-gateway (Gen C), with a 78-digit target", async () => {
    const net = await devnet({ nbits: NBITS_78_DIGITS });
    const raw = await RawConnection.open(net);
    const line = await raw.ask('{"jsonrpc":"2.0","method":"getMiningInfo","params":{},"id":7}');
    const header = Buffer.from(net.snapshot().job!.header, "hex").toString("base64");
    const target = nbitsToTarget(NBITS_78_DIGITS).toString();
    expect(target).toHaveLength(78);
    expect(line).toBe(
      `{"jsonrpc": "2.0", "result": {"incomplete_header_bytes": "${header}", "target": ${target}, "cert_version": 3, "ancestor_headers": []}, "id": 7}`,
    );
    expect(Buffer.from(header, "base64").readUInt32LE(72)).toBe(NBITS_78_DIGITS);
  });

  it("speaks generations A and B", async () => {
    const a = await devnet({ generation: "A", certVersion: 1 });
    const b = await devnet({ generation: "B", certVersion: 2 });
    const jobA = parse(
      await (await RawConnection.open(a)).ask('{"jsonrpc":"2.0","method":"getMiningInfo","id":1}'),
    );
    const jobB = parse(
      await (await RawConnection.open(b)).ask('{"jsonrpc":"2.0","method":"getMiningInfo","id":1}'),
    );
    expect(Object.keys(jobA.result as object)).toEqual(["incomplete_header_bytes", "target"]);
    expect(Object.keys(jobB.result as object)).toEqual([
      "incomplete_header_bytes",
      "target",
      "cert_version",
    ]);
    expect((jobB.result as { cert_version: number }).cert_version).toBe(2);
  });

  it("listens on a 0600 Unix socket and on TCP", async () => {
    const net = await devnet({ port: 0, socketPath: undefined });
    expect(net.gatewayAddress).toBe(`tcp://127.0.0.1:${net.port}`);
    const tcp = await RawConnection.open({ port: net.port! });
    expect(parse(await tcp.ask('{"jsonrpc":"2.0","method":"getMiningInfo","id":"a"}')).id).toBe(
      "a",
    );
    const unix = await devnet();
    expect(unix.gatewayAddress).toBe(`unix://${unix.socketPath}`);
    expect(statSync(unix.socketPath!).mode & 0o777).toBe(0o600);
  });

  it("answers every envelope error with pearl-gateway's code, message, data and id", async () => {
    const net = await devnet();
    const raw = await RawConnection.open(net);
    const cases: Array<[string, number, string, string | undefined, unknown]> = [
      ["", -32700, "Parse error", "Expecting value: line 1 column 1 (char 0)", null],
      ["{not json", -32700, "Parse error", undefined, null],
      ["[1, 2]", -32600, "Invalid Request", "data must be object", null],
      [
        '{"jsonrpc":"2.0","method":"getMiningInfo"}',
        -32600,
        "Invalid Request",
        "data must contain ['id'] properties",
        null,
      ],
      [
        '{"jsonrpc":"1.0","method":"getMiningInfo","id":1}',
        -32600,
        "Invalid Request",
        "data.jsonrpc must be one of ['2.0']",
        1,
      ],
      [
        '{"jsonrpc":"2.0","method":5,"id":2}',
        -32600,
        "Invalid Request",
        "data.method must be string",
        2,
      ],
      [
        '{"jsonrpc":"2.0","method":"getMiningInfo","id":true}',
        -32600,
        "Invalid Request",
        "data.id must be string or number or null",
        true,
      ],
      [
        '{"jsonrpc":"2.0","method":"getMiningInfo","params":[],"id":3}',
        -32600,
        "Invalid Request",
        "data.params must be object",
        3,
      ],
      [
        '{"jsonrpc":"2.0","method":"getMiningInfo","id":4,"extra":1}',
        -32600,
        "Invalid Request",
        "data must not contain {'extra'} properties",
        4,
      ],
      ['{"jsonrpc":"2.0","method":"mine","id":5}', -32601, "Method mine not found", undefined, 5],
      [
        '{"jsonrpc":"2.0","method":"getMiningInfo","params":{"x":1},"id":6}',
        -32602,
        "Invalid params",
        "data must not contain {'x'} properties",
        6,
      ],
    ];
    for (const [request, code, message, data, id] of cases) {
      const reply = parse(await raw.ask(request));
      expect(reply.error?.code, request).toBe(code);
      expect(reply.error?.message, request).toBe(message);
      if (data !== undefined) expect(reply.error?.data, request).toBe(data);
      expect(reply.id, request).toEqual(id);
      expect(reply.result).toBeUndefined();
    }
    // The connection survives all of that, and a null id is echoed.
    const ok = await raw.ask('{"jsonrpc":"2.0","method":"getMiningInfo","id":null}');
    expect(ok).toMatch(/^\{"jsonrpc": "2\.0", "result": \{.*\}, "id": null\}$/);
  });

  it("answers submitPlainProof params errors as the schema does", async () => {
    const net = await devnet();
    const raw = await RawConnection.open(net);
    const header = Buffer.from(net.snapshot().job!.header, "hex").toString("base64");
    const job = (extra: Record<string, unknown> = {}) => ({
      incomplete_header_bytes: header,
      target: 1,
      cert_version: 3,
      ...extra,
    });
    const submit = (params: unknown) =>
      raw.ask(JSON.stringify({ jsonrpc: "2.0", method: "submitPlainProof", params, id: 9 }));
    const cases: Array<[unknown, number, string]> = [
      [{}, -32602, "data must contain ['mining_job', 'plain_proof'] properties"],
      [
        { plain_proof: "QUJD", mining_job: job(), x: 1 },
        -32602,
        "data must not contain {'x'} properties",
      ],
      [{ plain_proof: 5, mining_job: job() }, -32602, "data.plain_proof must be string"],
      [
        { plain_proof: "no spaces!", mining_job: job() },
        -32602,
        "data.plain_proof must match pattern ^[A-Za-z0-9+/]*={0,2}$",
      ],
      [{ plain_proof: "QUJD", mining_job: "job" }, -32602, "data.mining_job must be object"],
      [
        { plain_proof: "QUJD", mining_job: { incomplete_header_bytes: header, target: 1 } },
        -32602,
        "data.mining_job must contain ['cert_version'] properties",
      ],
      [
        { plain_proof: "QUJD", mining_job: job({ target: "1" }) },
        -32602,
        "data.mining_job.target must be integer",
      ],
      [
        { plain_proof: "QUJD", mining_job: job({ target: -1 }) },
        -32602,
        "data.mining_job.target must be bigger than or equal to 0",
      ],
      [
        { plain_proof: "QUJD", mining_job: job({ cert_version: 0 }) },
        -32602,
        "data.mining_job.cert_version must be bigger than or equal to 1",
      ],
      [
        { plain_proof: "QUJD", mining_job: job({ ancestor_headers: "x" }) },
        -32602,
        "data.mining_job.ancestor_headers must be array",
      ],
      [
        { plain_proof: "QUJD", mining_job: job({ ancestor_headers: [5] }) },
        -32602,
        "data.mining_job.ancestor_headers[0] must be string",
      ],
      [
        { plain_proof: "QUJD", mining_job: job({ cert_version: 9 }) },
        -32000,
        "9 is not a valid CertificateVersion",
      ],
      [{ plain_proof: "A", mining_job: job() }, -32000, "Incorrect padding"],
      [
        { plain_proof: "QUJD", mining_job: job({ incomplete_header_bytes: "AAAA" }) },
        -32000,
        "incomplete header must be 76 bytes, got 3",
      ],
    ];
    for (const [params, code, text] of cases) {
      const reply = parse(await submit(params));
      expect(reply.error?.code, JSON.stringify(params)).toBe(code);
      expect(
        code === -32602 ? reply.error?.data : reply.error?.message,
        JSON.stringify(params),
      ).toBe(text);
      expect(reply.id).toBe(9);
    }
    expect(net.snapshot().proofs.submitted).toBe(0);
  });

  it("emulates Gen B's KeyError for a job without cert_version, and Gen A's absence of it", async () => {
    const b = await devnet({ generation: "B" });
    const header = Buffer.from(b.snapshot().job!.header, "hex").toString("base64");
    const request = `{"jsonrpc":"2.0","method":"submitPlainProof","params":{"plain_proof":"QUJD","mining_job":{"incomplete_header_bytes":"${header}","target":1}},"id":1}`;
    expect(parse(await (await RawConnection.open(b)).ask(request)).error).toEqual({
      code: -32000,
      message: "'cert_version'",
    });
    const a = await devnet({ generation: "A" });
    const headerA = Buffer.from(a.snapshot().job!.header, "hex").toString("base64");
    const reply = parse(await (await RawConnection.open(a)).ask(request.replace(header, headerA)));
    expect(reply.result).toBe("submitted");
  });

  it("answers queue full (-32000) beyond maxPendingProofs unverified proofs", async () => {
    const net = await devnet({ maxPendingProofs: 1 });
    const raw = await RawConnection.open(net);
    const header = Buffer.from(net.snapshot().job!.header, "hex").toString("base64");
    const line = (id: number) =>
      `{"jsonrpc":"2.0","method":"submitPlainProof","params":{"plain_proof":"QUJD","mining_job":{"incomplete_header_bytes":"${header}","target":1,"cert_version":3}},"id":${id}}\n`;
    // One write: the lines are read before the first proof is verified.
    raw.write(line(1) + line(2));
    expect(parse(await raw.line()).result).toBe("submitted");
    expect(parse(await raw.line()).error).toEqual({
      code: -32000,
      message: "proof submission queue full",
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    raw.write(line(3));
    expect(parse(await raw.line()).result).toBe("submitted");
  });

  it("is paused (-32001) until the start delay is over, and on pause()", async () => {
    const net = await devnet({ startDelayMs: 300 });
    const raw = await RawConnection.open(net);
    const request = '{"jsonrpc":"2.0","method":"getMiningInfo","id":1}';
    expect(await raw.ask(request)).toBe(
      '{"jsonrpc": "2.0", "error": {"code": -32001, "message": "mining_paused: no block template available"}, "id": 1}',
    );
    expect(net.snapshot().paused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(parse(await raw.ask(request)).result).toBeDefined();
    net.pause();
    expect(parse(await raw.ask(request)).error?.code).toBe(-32001);
    net.resume();
    expect(parse(await raw.ask(request)).result).toBeDefined();
    expect(net.logs.some((line) => line.includes("Mining paused"))).toBe(true);
  });

  it("answers an over-long line like asyncio's readline limit, then keeps serving", async () => {
    const net = await devnet();
    const raw = await RawConnection.open(net);
    raw.write(`${"x".repeat(1024 * 1024 + 10)}\n`);
    const first = parse(await raw.line());
    expect(first.error).toEqual({
      code: -32000,
      message: "Separator is not found, and chunk exceed the limit",
    });
    expect(first.id).toBeNull();
    // Depending on where the reads split, the tail of the cut line is read as a line of its own
    // (-32700), as upstream documents; after that the connection serves normally.
    raw.write('{"jsonrpc":"2.0","method":"getMiningInfo","id":2}\n');
    let next = parse(await raw.line());
    if (next.error) {
      expect(next.error.code).toBe(-32700);
      next = parse(await raw.line());
    }
    expect(next.id).toBe(2);
    expect(next.result).toBeDefined();
  });

  it("answers invalid UTF-8 with -32000 and id null", async () => {
    const net = await devnet();
    const raw = await RawConnection.open(net);
    raw.write(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
    const reply = parse(await raw.line());
    expect(reply.error?.code).toBe(-32000);
    expect(reply.id).toBeNull();
  });

  it("answers pipelined requests in order, and delays replies on request", async () => {
    const net = await devnet({ replyDelayMs: 30 });
    const raw = await RawConnection.open(net);
    for (const id of [1, 2, 3])
      raw.write(`{"jsonrpc":"2.0","method":"getMiningInfo","id":${id}}\n`);
    const started = Date.now();
    const ids = [
      parse(await raw.line()).id,
      parse(await raw.line()).id,
      parse(await raw.line()).id,
    ];
    expect(ids).toEqual([1, 2, 3]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });
});
