import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { DevnetChain } from "./chain.js";
import type { DevnetLog } from "./log.js";

/** Faults the node can be told to show, as pearld reports them on `getblocktemplate`. */
export type NodeFault = "not-connected" | "syncing";

export interface NodeControls {
  fault: NodeFault | undefined;
  /** Delay before every RPC reply (a slow node). */
  delayMs: number;
}

const DIFFICULTY_1_TARGET = 0xffffn << 208n;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface RpcRequest {
  method?: unknown;
  params?: unknown;
  id?: unknown;
  jsonrpc?: unknown;
}

class NodeRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A pearld stand-in: JSON-RPC over HTTP POST with Basic auth (401 on mismatch), the result shapes
 * of GATEWAY-AND-NODE.md §5.3, plus an unauthenticated `GET /status` with the devnet snapshot.
 */
export class DevnetNode {
  readonly #server: Server;
  readonly #expectedAuth: Buffer;

  constructor(
    private readonly chain: DevnetChain,
    private readonly chainName: string,
    user: string,
    password: string,
    private readonly controls: NodeControls,
    private readonly status: () => unknown,
    private readonly log: DevnetLog,
  ) {
    this.#expectedAuth = Buffer.from(
      `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    );
    this.#server = createServer((req, res) => {
      this.#route(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => resolve());
    });
    const address = this.#server.address();
    const bound = typeof address === "object" && address ? address.port : port;
    this.log(`node RPC listening on http://127.0.0.1:${bound}/ (status at /status)`);
    return bound;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/status") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`${JSON.stringify(this.status(), null, 2)}\n`);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const given = Buffer.from(req.headers.authorization ?? "");
    if (given.length !== this.#expectedAuth.length || !timingSafeEqual(given, this.#expectedAuth)) {
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="pearld RPC"' }).end();
      return;
    }
    const body = await readBody(req);
    if (this.controls.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.controls.delayMs));
    }
    let request: RpcRequest;
    try {
      request = JSON.parse(body ?? "") as RpcRequest;
    } catch {
      return send(res, { result: null, error: { code: -32700, message: "Parse error" }, id: null });
    }
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      return send(res, {
        result: null,
        error: { code: -32600, message: "the devnet node answers single requests only" },
        id: null,
      });
    }
    const id = request.id ?? null;
    const jsonrpc = request.jsonrpc === "2.0" ? "2.0" : "1.0";
    try {
      const result = this.#call(String(request.method), request.params);
      send(res, { jsonrpc, result, error: null, id });
    } catch (error) {
      const { code, message } =
        error instanceof NodeRpcError ? error : { code: -1, message: String(error) };
      send(res, { jsonrpc, result: null, error: { code, message }, id });
    }
  }

  #call(method: string, params: unknown): unknown {
    const chain = this.chain;
    const template = chain.template;
    const difficulty = Number(DIFFICULTY_1_TARGET) / Number(template.target || 1n);
    switch (method) {
      case "getblockcount":
        return chain.height;
      case "getbestblockhash":
        return chain.tipHash;
      case "getblockchaininfo":
        return {
          chain: this.chainName,
          blocks: chain.height,
          headers: chain.height,
          bestblockhash: chain.tipHash,
          difficulty,
          mediantime: chain.tipTimestamp,
          pruned: false,
          warnings: "pearl-devnet: a local test chain; nothing it accepts is worth anything",
        };
      case "getmininginfo":
        return {
          blocks: chain.height,
          currentblocksize: 0,
          currentblockvsize: 0,
          currentblocktx: 0,
          difficulty,
          errors: "",
          generate: false,
          genproclimit: 0,
          networkhashps: 0,
          pooledtx: 0,
          testnet: this.chainName !== "mainnet",
        };
      case "getblocktemplate":
        if (this.controls.fault === "not-connected") {
          throw new NodeRpcError(-9, "Pearl is not connected");
        }
        if (this.controls.fault === "syncing") {
          throw new NodeRpcError(-10, "Pearl is downloading blocks...");
        }
        return {
          bits: template.nbits.toString(16),
          curtime: template.timestamp,
          height: template.height,
          previousblockhash: template.previousBlockHash,
          vsizelimit: 4_000_000,
          transactions: [],
          version: 0x20000000,
          longpollid: `${template.previousBlockHash}-${template.timestamp}`,
          target: template.target.toString(16).padStart(64, "0"),
          maxtime: template.timestamp + 7200,
          mintime: chain.tipTimestamp + 1,
          mutable: ["time", "transactions/add", "prevblock", "coinbase/append"],
          noncerange: "00000000ffffffff",
          capabilities: ["proposal"],
          coinbaseaux: { flags: "" },
          coinbasevalue: 0,
          default_witness_commitment:
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          requiredcertversion: template.certVersion,
          ancestorheaders: [],
        };
      case "submitblock": {
        const hex = Array.isArray(params) ? params[0] : undefined;
        if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
          throw new NodeRpcError(-22, "Block decode failed: not a hex string");
        }
        if (hex.length < 216) throw new NodeRpcError(-22, "Block decode failed: too short");
        return "rejected: the devnet verifies plain proofs through its gateway (submitPlainProof), not blocks";
      }
      default:
        throw new NodeRpcError(-32601, "Method not found");
    }
  }
}

function send(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json", connection: "close" });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
