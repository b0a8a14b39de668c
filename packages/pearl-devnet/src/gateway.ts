import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { type JsonValue, parseJsonWithBigInts } from "@openjarvis/pearl";
import type { DevnetChain } from "./chain.js";
import type { DevnetLog } from "./log.js";
import { pythonJson } from "./pyjson.js";

/** Which upstream gateway's job shape to speak (GATEWAY-AND-NODE.md §0, §2.3). */
export type WireGeneration = "A" | "B" | "C";

/**
 * Broken replies for fault tests, applied to every reply while set: a line that is not JSON, half a
 * reply then EOF, a 2 MiB line, or a dropped connection without a reply.
 */
export type ReplyFault = "garbage" | "truncate" | "oversize" | "disconnect";

export interface GatewayControls {
  /** Extra delay before every reply, to mimic Gen A/B event-loop stalls while proving. */
  replyDelayMs: number;
  fault: ReplyFault | undefined;
  /** Gen C's bounded queue (`GATEWAY_PROOF_MAX_PENDING`); undefined = unbounded. */
  maxPendingProofs: number | undefined;
}

const BASE64_PATTERN = "^[A-Za-z0-9+/]*={0,2}$";
const BASE64 = new RegExp(BASE64_PATTERN);
const ENVELOPE_KEYS = ["jsonrpc", "method", "id", "params"];
const KNOWN_CERT_VERSIONS = new Set([1, 2, 3, 4, 5]);

type JsonObject = { [key: string]: JsonValue };

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isInteger(value: JsonValue | undefined): value is number | bigint {
  return typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
}

/** Python's repr of a list or set of names, as fastjsonschema prints them. */
function pyList(names: string[]): string {
  return `[${names.map((n) => `'${n}'`).join(", ")}]`;
}

function invalidParams(data: string): RpcError {
  return new RpcError(-32602, "Invalid params", data);
}

function checkKeys(
  value: JsonObject,
  path: string,
  required: string[],
  allowed?: string[],
  error = invalidParams,
): void {
  const missing = required.filter((key) => !(key in value)).sort();
  if (missing.length > 0) throw error(`${path} must contain ${pyList(missing)} properties`);
  if (allowed) {
    const extra = Object.keys(value)
      .filter((key) => !allowed.includes(key))
      .sort();
    if (extra.length > 0) {
      throw error(`${path} must not contain {${extra.map((k) => `'${k}'`).join(", ")}} properties`);
    }
  }
}

/**
 * The devnet gateway: pearl-gateway's miner RPC (newline-delimited JSON-RPC 2.0), envelope and
 * params errors as the real one sends them, jobs from the devnet chain.
 */
export class DevnetGateway {
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #socketPaths: string[] = [];

  constructor(
    private readonly chain: DevnetChain,
    private readonly generation: WireGeneration,
    private readonly maxLineBytes: number,
    private readonly controls: GatewayControls,
    private readonly log: DevnetLog,
  ) {}

  /** Listen on a Unix socket (mode 0600). Like the real gateway, a stale file is replaced. */
  async listenUnix(path: string): Promise<void> {
    rmSync(path, { force: true });
    const server = this.#server();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
    chmodSync(path, 0o600);
    this.#socketPaths.push(path);
    this.log(`Miner RPC server listening on Unix socket: ${path}`);
  }

  /** Listen on 127.0.0.1 (port 0 = any free port); returns the port. */
  async listenTcp(port: number): Promise<number> {
    const server = this.#server();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    const bound = typeof address === "object" && address ? address.port : port;
    this.log(`Miner RPC server listening on TCP: 127.0.0.1:${bound}`);
    return bound;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(
      this.#servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    for (const path of this.#socketPaths) rmSync(path, { force: true });
  }

  #server(): Server {
    const server = createServer((socket) => this.#serve(socket));
    this.#servers.push(server);
    return server;
  }

  /** One connection: read a line, answer it, then the next (the real gateway is sequential). */
  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    let chunks: Buffer[] = [];
    let buffered = 0;
    const lines: Array<Buffer | "overlong"> = [];
    let busy = false;
    const pump = async () => {
      if (busy) return;
      busy = true;
      while (lines.length > 0 && !socket.destroyed) {
        const line = lines.shift()!;
        const reply =
          line === "overlong"
            ? errorReply(-32000, "Separator is not found, and chunk exceed the limit", null)
            : this.#handle(line);
        if (this.controls.replyDelayMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, this.controls.replyDelayMs));
        }
        if (socket.destroyed) break;
        this.#write(socket, reply);
      }
      busy = false;
    };
    socket.on("data", (data: Buffer) => {
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        chunks.push(data.subarray(start, nl));
        const line = Buffer.concat(chunks);
        lines.push(buffered + (nl - start) > this.maxLineBytes ? "overlong" : line);
        chunks = [];
        buffered = 0;
        start = nl + 1;
      }
      if (start < data.length) {
        chunks.push(data.subarray(start));
        buffered += data.length - start;
        // Like asyncio's readline limit: the buffer is dropped, and what follows is a new line.
        if (buffered > this.maxLineBytes) {
          lines.push("overlong");
          chunks = [];
          buffered = 0;
        }
      }
      void pump();
    });
    socket.on("error", () => {});
    socket.on("close", () => this.#sockets.delete(socket));
  }

  #write(socket: Socket, reply: string): void {
    switch (this.controls.fault) {
      case undefined:
        socket.write(`${reply}\n`);
        return;
      case "garbage":
        socket.write("devnet fault injection: this line is not JSON\n");
        return;
      case "oversize":
        socket.write(`${"x".repeat(2 * 1024 * 1024)}\n`);
        return;
      case "truncate":
        socket.end(reply.slice(0, Math.floor(reply.length / 2)));
        return;
      case "disconnect":
        socket.destroy();
        return;
    }
  }

  /** Answer one request line (without its newline). */
  #handle(raw: Buffer): string {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      return errorReply(-32000, "'utf-8' codec can't decode the request line", null);
    }
    let request: JsonValue;
    try {
      if (text.trim() === "") throw new SyntaxError("Expecting value: line 1 column 1 (char 0)");
      request = parseJsonWithBigInts(text);
    } catch (error) {
      return errorReply(-32700, "Parse error", null, (error as Error).message);
    }
    if (!isObject(request)) {
      return errorReply(-32600, "Invalid Request", null, "data must be object");
    }
    const id = request.id === undefined ? null : request.id;
    try {
      this.#checkEnvelope(request);
      const params = (request.params ?? {}) as JsonObject;
      const method = request.method as string;
      if (method === "getMiningInfo") return resultReply(this.#getMiningInfo(params), id);
      if (method === "submitPlainProof") return resultReply(this.#submitPlainProof(params), id);
      throw new RpcError(-32601, `Method ${method} not found`);
    } catch (error) {
      if (error instanceof RpcError) return errorReply(error.code, error.message, id, error.data);
      return errorReply(-32000, (error as Error).message, id);
    }
  }

  #checkEnvelope(request: JsonObject): void {
    const invalid = (data: string) => new RpcError(-32600, "Invalid Request", data);
    checkKeys(request, "data", ["jsonrpc", "method", "id"], undefined, invalid);
    if (request.jsonrpc !== "2.0") throw invalid("data.jsonrpc must be one of ['2.0']");
    if (typeof request.method !== "string") throw invalid("data.method must be string");
    const id = request.id;
    if (
      !(id === null || typeof id === "string" || typeof id === "number" || typeof id === "bigint")
    ) {
      throw invalid("data.id must be string or number or null");
    }
    if ("params" in request && !isObject(request.params)) {
      throw invalid("data.params must be object");
    }
    checkKeys(request, "data", [], ENVELOPE_KEYS, invalid);
  }

  #getMiningInfo(params: JsonObject): JsonObject {
    checkKeys(params, "data", [], []);
    const job = this.chain.job;
    if (!job) {
      this.log("Mining paused: mining_paused: no block template available");
      throw new RpcError(-32001, "mining_paused: no block template available");
    }
    const result: JsonObject = {
      incomplete_header_bytes: job.headerBase64,
      target: job.target,
    };
    if (this.generation !== "A") result.cert_version = job.certVersion;
    if (this.generation === "C") result.ancestor_headers = [];
    return result;
  }

  #submitPlainProof(params: JsonObject): string {
    checkKeys(params, "data", ["plain_proof", "mining_job"], ["plain_proof", "mining_job"]);
    const proof = params.plain_proof;
    if (typeof proof !== "string") throw invalidParams("data.plain_proof must be string");
    if (!BASE64.test(proof)) {
      throw invalidParams(`data.plain_proof must match pattern ${BASE64_PATTERN}`);
    }
    const job = params.mining_job;
    if (!isObject(job)) throw invalidParams("data.mining_job must be object");
    const required = ["incomplete_header_bytes", "target"];
    if (this.generation === "C") required.push("cert_version");
    checkKeys(job, "data.mining_job", required);
    const header = job.incomplete_header_bytes;
    if (typeof header !== "string") {
      throw invalidParams("data.mining_job.incomplete_header_bytes must be string");
    }
    if (!BASE64.test(header)) {
      throw invalidParams(
        `data.mining_job.incomplete_header_bytes must match pattern ${BASE64_PATTERN}`,
      );
    }
    if (!isInteger(job.target)) throw invalidParams("data.mining_job.target must be integer");
    if (BigInt(job.target) < 0n) {
      throw invalidParams("data.mining_job.target must be bigger than or equal to 0");
    }
    if ("cert_version" in job) {
      if (!isInteger(job.cert_version)) {
        throw invalidParams("data.mining_job.cert_version must be integer");
      }
      if (BigInt(job.cert_version) < 1n) {
        throw invalidParams("data.mining_job.cert_version must be bigger than or equal to 1");
      }
    }
    if ("ancestor_headers" in job) {
      const ancestors = job.ancestor_headers;
      if (!Array.isArray(ancestors)) {
        throw invalidParams("data.mining_job.ancestor_headers must be array");
      }
      ancestors.forEach((item, i) => {
        if (typeof item !== "string") {
          throw invalidParams(`data.mining_job.ancestor_headers[${i}] must be string`);
        }
        if (!BASE64.test(item)) {
          throw invalidParams(
            `data.mining_job.ancestor_headers[${i}] must match pattern ${BASE64_PATTERN}`,
          );
        }
      });
    }
    let certVersion: number;
    if (job.cert_version === undefined) {
      // Gen B reads the key its schema does not require (KeyError); Gen A predates it.
      if (this.generation === "B") throw new RpcError(-32000, "'cert_version'");
      certVersion = this.chain.certVersion;
    } else {
      certVersion = Number(job.cert_version);
      if (!KNOWN_CERT_VERSIONS.has(certVersion)) {
        throw new RpcError(-32000, `${String(job.cert_version)} is not a valid CertificateVersion`);
      }
    }
    const headerBytes = strictBase64(header);
    if (!headerBytes) throw new RpcError(-32000, "Incorrect padding");
    if (headerBytes.length !== 76) {
      throw new RpcError(-32000, `incomplete header must be 76 bytes, got ${headerBytes.length}`);
    }
    if (!strictBase64(proof)) throw new RpcError(-32000, "Incorrect padding");
    const limit = this.controls.maxPendingProofs;
    if (limit !== undefined && this.chain.pending >= limit) {
      this.log("Proof submission queue full, rejecting submitPlainProof");
      throw new RpcError(-32000, "proof submission queue full");
    }
    this.chain.submit({
      headerBase64: Buffer.from(headerBytes).toString("base64"),
      proofBase64: proof,
      certVersion,
    });
    return "submitted";
  }
}

function strictBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(text, "base64"));
}

function resultReply(result: JsonValue, id: JsonValue): string {
  return pythonJson({ jsonrpc: "2.0", result, id });
}

function errorReply(code: number, message: string, id: JsonValue, data?: string): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return pythonJson({ jsonrpc: "2.0", error, id });
}
