import { connect, type Socket } from "node:net";
import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { formatGatewayAddress, type GatewayAddress, parseGatewayUrl } from "./gateway-address.js";
import { type JsonValue, parseJsonKeepingRawMembers, stringifyJsonWithBigInts } from "./json.js";

/** A job from `getMiningInfo`, typed, plus the exact text to echo back in `submitPlainProof`. */
export interface GatewayJob {
  /** The 76-byte incomplete header: exactly what gets mined and hashed. */
  incompleteHeaderBytes: Uint8Array;
  /** The raw network target (no rank penalty applied). */
  target: bigint;
  /** The certificate version the block must carry. Gen A gateways send none; that means 1. */
  certVersion: number;
  /** Gen C: full 108-byte ancestor headers, parent first (empty unless cert version 4). */
  ancestorHeaders: Uint8Array[];
  /** Every field as received, integers of any size kept exact. */
  raw: Record<string, JsonValue>;
  /** The job object's JSON text exactly as the gateway sent it. */
  rawJson: string;
}

export interface GatewayClientOptions {
  /** Per-request reply timeout. Gen A/B gateways stall while proving, so keep it generous. */
  requestTimeoutMs?: number;
  /** The gateway's request line limit; longer requests are refused before sending. */
  maxLineBytes?: number;
  /** Longest reply line accepted before the connection is treated as broken. */
  maxReplyBytes?: number;
  /** Time allowed for one connection attempt. */
  connectTimeoutMs?: number;
  /** Connection retries with exponential back-off, within one request. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; maxWaitMs?: number };
}

export const DEFAULT_GATEWAY_TIMEOUT_MS = 60_000;
export const GATEWAY_MAX_LINE_BYTES = 1024 * 1024;

interface Pending {
  id: number;
  method: string;
  resolve: (reply: { result: JsonValue; rawResult: string }) => void;
  reject: (error: MiningError) => void;
  timer: NodeJS.Timeout;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Client for `pearl-gateway`'s miner RPC: newline-delimited JSON-RPC 2.0 over one persistent
 * connection, replies matched to requests by order. A broken connection fails the requests in
 * flight and is re-opened (with back-off) by the next request.
 */
export class GatewayClient {
  readonly address: GatewayAddress;
  readonly url: string;
  readonly #timeoutMs: number;
  readonly #maxLineBytes: number;
  readonly #maxReplyBytes: number;
  readonly #connectTimeoutMs: number;
  readonly #backoff: { initialDelayMs: number; maxDelayMs: number; maxWaitMs: number };
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  #pending: Pending[] = [];
  #chunks: Buffer[] = [];
  #bufferedBytes = 0;
  #nextId = 1;
  #closed = false;

  constructor(address: GatewayAddress | string, options: GatewayClientOptions = {}) {
    this.address = typeof address === "string" ? parseGatewayUrl(address) : address;
    this.url = formatGatewayAddress(this.address);
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS;
    this.#maxLineBytes = options.maxLineBytes ?? GATEWAY_MAX_LINE_BYTES;
    this.#maxReplyBytes = options.maxReplyBytes ?? 16 * 1024 * 1024;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.#backoff = {
      initialDelayMs: options.reconnect?.initialDelayMs ?? 100,
      maxDelayMs: options.reconnect?.maxDelayMs ?? 2_000,
      maxWaitMs: options.reconnect?.maxWaitMs ?? 5_000,
    };
  }

  /** The current job. Throws E_GATEWAY_PAUSED while the gateway has no template: keep polling. */
  async getMiningInfo(): Promise<GatewayJob> {
    const reply = await this.#request("getMiningInfo", "{}");
    return toGatewayJob(reply.result, reply.rawResult);
  }

  /**
   * Submit a proof (standard base64) for `job`, which is echoed back exactly as received.
   * Resolves with the gateway's answer, `"submitted"`: queued, not accepted.
   */
  async submitPlainProof(
    plainProofBase64: string,
    job: GatewayJob | Record<string, unknown>,
  ): Promise<string> {
    let jobJson: string;
    if (isGatewayJob(job)) {
      // A raw text with a line break cannot have come off the wire; never let it split the line.
      jobJson = /[\r\n]/.test(job.rawJson) ? stringifyJsonWithBigInts(job.raw) : job.rawJson;
    } else {
      jobJson = stringifyJsonWithBigInts(job);
    }
    const params = `{"plain_proof":${JSON.stringify(plainProofBase64)},"mining_job":${jobJson}}`;
    const reply = await this.#request("submitPlainProof", params);
    if (typeof reply.result !== "string") {
      throw protocolError(`submitPlainProof returned ${reply.rawResult}, not a string`, this.url);
    }
    return reply.result;
  }

  /** Any other method, for diagnostics. */
  async call(method: string, params: Record<string, unknown> = {}): Promise<JsonValue> {
    return (await this.#request(method, stringifyJsonWithBigInts(params))).result;
  }

  /** Close the connection; requests in flight fail with E_ABORTED. */
  close(): void {
    this.#closed = true;
    this.#reset(() => new MiningError(ErrorCodes.ABORTED, "the gateway client was closed"));
  }

  async #request(
    method: string,
    paramsJson: string,
  ): Promise<{ result: JsonValue; rawResult: string }> {
    if (this.#closed) {
      throw new MiningError(ErrorCodes.ABORTED, "the gateway client is closed", {
        hint: "create a new GatewayClient",
      });
    }
    const id = this.#nextId++;
    const line = `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":${paramsJson},"id":${id}}\n`;
    const bytes = Buffer.byteLength(line);
    if (bytes > this.#maxLineBytes) {
      throw new MiningError(
        ErrorCodes.GATEWAY_PROTOCOL,
        `${method} request is ${bytes} bytes, over the gateway's ${this.#maxLineBytes}-byte line limit`,
        {
          hint: "the gateway would cut the line and answer with an error; this proof cannot be sent to it",
          details: { method, bytes, limit: this.#maxLineBytes },
        },
      );
    }
    const socket = await this.#ensureConnected();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#reset((pending) =>
          pending.id === id
            ? new MiningError(
                ErrorCodes.TIMEOUT,
                `the gateway at ${this.url} did not answer ${method} within ${this.#timeoutMs} ms`,
                {
                  hint: "Gen A/B gateways stall every connection while they build a ZK proof; if this repeats, check that pearl-gateway is alive or raise the timeout",
                  details: { method, timeoutMs: this.#timeoutMs, address: this.url },
                },
              )
            : connectionLost(
                pending.method,
                this.url,
                "it was reset after another request timed out",
              ),
        );
      }, this.#timeoutMs);
      this.#pending.push({ id, method, resolve, reject, timer });
      socket.write(line);
    });
  }

  #ensureConnected(): Promise<Socket> {
    if (this.#socket) return Promise.resolve(this.#socket);
    this.#connecting ??= this.#connectWithBackoff().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connectWithBackoff(): Promise<Socket> {
    const deadline = Date.now() + this.#backoff.maxWaitMs;
    let delay = this.#backoff.initialDelayMs;
    for (;;) {
      try {
        const socket = await this.#connectOnce();
        if (this.#closed) {
          socket.destroy();
          throw new MiningError(ErrorCodes.ABORTED, "the gateway client was closed");
        }
        this.#attach(socket);
        return socket;
      } catch (error) {
        if (error instanceof MiningError || Date.now() + delay > deadline) {
          throw error instanceof MiningError ? error : unreachableError(error, this.address);
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.#backoff.maxDelayMs);
      }
    }
  }

  #connectOnce(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket =
        "socketPath" in this.address
          ? connect({ path: this.address.socketPath })
          : connect({ host: this.address.host, port: this.address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error("connection attempt timed out"), { code: "ETIMEDOUT" }));
      }, this.#connectTimeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(socket);
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      });
    });
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    this.#chunks = [];
    this.#bufferedBytes = 0;
    socket.setNoDelay(true);
    socket.on("data", (data: Buffer) => {
      if (this.#socket === socket) this.#onData(data);
    });
    socket.on("error", () => {
      // The close event that follows does the cleanup.
    });
    socket.on("close", () => {
      if (this.#socket !== socket) return;
      this.#reset((pending) =>
        connectionLost(pending.method, this.url, "the gateway closed the connection"),
      );
    });
  }

  #onData(data: Buffer): void {
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      this.#chunks.push(data.subarray(start, nl));
      const line = Buffer.concat(this.#chunks).toString("utf8");
      this.#chunks = [];
      this.#bufferedBytes = 0;
      start = nl + 1;
      this.#onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
      if (!this.#socket) return;
    }
    if (start < data.length) {
      this.#chunks.push(data.subarray(start));
      this.#bufferedBytes += data.length - start;
      if (this.#bufferedBytes > this.#maxReplyBytes) {
        this.#reset((pending) =>
          protocolError(
            `the gateway sent a reply line longer than ${this.#maxReplyBytes} bytes (while waiting for ${pending.method})`,
            this.url,
          ),
        );
      }
    }
  }

  #onLine(line: string): void {
    const head = this.#pending.shift();
    const preview = line.length > 120 ? `${line.slice(0, 120)}…` : line;
    if (!head) {
      // Nothing was asked: the peer is not following request/reply order.
      this.#reset(() => protocolError("unsolicited line", this.url));
      return;
    }
    clearTimeout(head.timer);
    const broken = (why: string) => {
      const error = protocolError(`${why} (reply to ${head.method}): ${preview}`, this.url);
      head.reject(error);
      // Replies are matched by order; after a bad line the stream cannot be trusted.
      this.#reset((pending) =>
        connectionLost(pending.method, this.url, "it was reset after a malformed reply"),
      );
    };
    let parsed: ReturnType<typeof parseJsonKeepingRawMembers>;
    try {
      parsed = parseJsonKeepingRawMembers(line);
    } catch {
      broken("the gateway sent a line that is not JSON");
      return;
    }
    const reply = parsed.value;
    if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
      broken("the gateway sent a JSON value that is not a JSON-RPC reply");
      return;
    }
    if (reply.jsonrpc !== "2.0" || "result" in reply === "error" in reply) {
      broken("the gateway sent a malformed JSON-RPC reply");
      return;
    }
    if (reply.id !== head.id && reply.id !== null) {
      broken(`the gateway answered id ${String(reply.id)} while id ${head.id} was expected`);
      return;
    }
    if ("error" in reply) {
      head.reject(rpcError(reply.error, head.method, this.url));
      return;
    }
    head.resolve({
      result: reply.result ?? null,
      rawResult: parsed.rawMembers.get("result") ?? "",
    });
  }

  /** Drop the connection and fail everything in flight with `errorFor(pending)`. */
  #reset(errorFor: (pending: Pending) => MiningError): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#chunks = [];
    this.#bufferedBytes = 0;
    socket?.destroy();
    const pending = this.#pending;
    this.#pending = [];
    for (const item of pending) {
      clearTimeout(item.timer);
      item.reject(errorFor(item));
    }
  }
}

function protocolError(message: string, url: string): MiningError {
  return new MiningError(ErrorCodes.GATEWAY_PROTOCOL, message, {
    hint: `the peer at ${url} does not speak pearl-gateway's miner RPC correctly; check that the address points at pearl-gateway`,
    details: { address: url },
  });
}

function connectionLost(method: string, url: string, why: string): MiningError {
  return new MiningError(
    ErrorCodes.GATEWAY_UNREACHABLE,
    `no reply to ${method} from the gateway at ${url}: ${why}`,
    {
      hint: "the next request reconnects; if this repeats, check that pearl-gateway is still running",
      details: { method, address: url },
    },
  );
}

function unreachableError(cause: unknown, address: GatewayAddress): MiningError {
  const url = formatGatewayAddress(address);
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  let hint: string;
  if ("socketPath" in address) {
    if (code === "ENOENT") {
      hint = `there is no socket at ${address.socketPath}: is pearl-gateway running, with MINER_RPC_SOCKET_PATH set to this path?`;
    } else if (code === "EACCES" || code === "EPERM") {
      hint =
        "the gateway's socket is mode 0600: run the miner as the same user as pearl-gateway (root inside the vLLM container)";
    } else if (code === "ECONNREFUSED") {
      hint =
        "the socket file exists but nothing listens on it (a killed gateway leaves it behind): restart pearl-gateway";
    } else {
      hint = "check that pearl-gateway is running and listening on this socket";
    }
  } else if (code === "ECONNREFUSED") {
    hint = `nothing listens on ${address.host}:${address.port}: is pearl-gateway running with MINER_RPC_TRANSPORT=tcp and MINER_RPC_PORT=${address.port}?`;
  } else {
    hint = "check that pearl-gateway is running, and that the host and port are right";
  }
  return new MiningError(
    ErrorCodes.GATEWAY_UNREACHABLE,
    `cannot connect to the gateway at ${url}: ${reason}`,
    {
      hint,
      cause,
      details: { address: url, ...(typeof code === "string" ? { errno: code } : {}) },
    },
  );
}

/** Map a JSON-RPC error object from the gateway (GATEWAY-AND-NODE.md §2.2) to a MiningError. */
function rpcError(error: JsonValue | undefined, method: string, url: string): MiningError {
  if (typeof error !== "object" || error === null || Array.isArray(error)) {
    return protocolError(`the gateway sent an error that is not an object (${method})`, url);
  }
  const rpcCode = typeof error.code === "number" ? error.code : undefined;
  const rpcMessage = typeof error.message === "string" ? error.message : "";
  const data = typeof error.data === "string" ? error.data : undefined;
  const details = {
    method,
    address: url,
    rpcCode,
    rpcMessage,
    ...(data === undefined ? {} : { rpcData: data }),
  };
  const text = `${rpcMessage}${data === undefined ? "" : ` (${data})`}`;
  switch (rpcCode) {
    case -32001:
      return new MiningError(ErrorCodes.GATEWAY_PAUSED, `the gateway is paused: ${rpcMessage}`, {
        hint: "keep polling: the gateway has no block template yet (pearld unreachable, still syncing, or a mining address that is not Taproot)",
        details,
      });
    case -32700:
    case -32600:
      return new MiningError(
        ErrorCodes.GATEWAY_PROTOCOL,
        `the gateway could not read the ${method} request: ${text}`,
        {
          hint: "the request line was not accepted as JSON-RPC 2.0; this is a client bug or a cut line",
          details,
        },
      );
    case -32601:
      return new MiningError(ErrorCodes.GATEWAY_RPC, `the gateway does not know ${method}`, {
        hint: "this pearl-gateway version does not offer the method; check the gateway version",
        details,
      });
    case -32602:
      return new MiningError(ErrorCodes.GATEWAY_RPC, `the gateway rejected ${method}: ${text}`, {
        hint: "the parameters do not match this gateway generation's schema; echo the job exactly as received",
        details,
      });
    case -32000: {
      let hint = "the gateway failed while handling the request; see its log";
      if (rpcMessage === "'cert_version'") {
        hint = "this gateway needs cert_version in mining_job: echo the job exactly as received";
      } else if (rpcMessage.includes("queue full")) {
        hint = "the gateway's proof queue is full; the proof was dropped, keep mining";
      } else if (rpcMessage.includes("exceed the limit")) {
        hint = "a request line was longer than the gateway accepts";
      }
      return new MiningError(ErrorCodes.GATEWAY_RPC, `the gateway failed ${method}: ${text}`, {
        hint,
        details,
      });
    }
    default:
      return new MiningError(ErrorCodes.GATEWAY_RPC, `the gateway failed ${method}: ${text}`, {
        hint: "unexpected gateway error code; see the gateway log",
        details,
      });
  }
}

function isGatewayJob(job: GatewayJob | Record<string, unknown>): job is GatewayJob {
  return typeof job.rawJson === "string" && typeof job.raw === "object" && job.raw !== null;
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** Validate and type a `getMiningInfo` result. */
export function toGatewayJob(result: JsonValue, rawJson: string): GatewayJob {
  const bad = (field: string, why: string): never => {
    throw new MiningError(
      ErrorCodes.GATEWAY_PROTOCOL,
      `getMiningInfo returned a job whose ${field} ${why}`,
      {
        hint: "the gateway sent a job this client cannot mine; check the gateway version",
        details: { field },
      },
    );
  };
  if (typeof result !== "object" || result === null || Array.isArray(result)) {
    return bad("result", "is not an object");
  }
  const header = result.incomplete_header_bytes;
  const headerBytes = typeof header === "string" ? decodeBase64(header) : undefined;
  if (!headerBytes) return bad("incomplete_header_bytes", "is not standard base64");
  if (headerBytes.length !== 76) {
    return bad("incomplete_header_bytes", `is ${headerBytes.length} bytes, not 76`);
  }
  const target =
    typeof result.target === "bigint" || Number.isSafeInteger(result.target)
      ? BigInt(result.target as number | bigint)
      : -1n;
  if (target < 0n) return bad("target", "is not a non-negative integer");
  const certVersion = result.cert_version ?? 1;
  if (typeof certVersion !== "number" || !Number.isInteger(certVersion) || certVersion < 1) {
    return bad("cert_version", "is not an integer ≥ 1");
  }
  const ancestors = result.ancestor_headers ?? [];
  if (!Array.isArray(ancestors)) return bad("ancestor_headers", "is not an array");
  const ancestorHeaders = ancestors.map((item, index) => {
    const bytes = typeof item === "string" ? decodeBase64(item) : undefined;
    return bytes ?? bad(`ancestor_headers[${index}]`, "is not standard base64");
  });
  return {
    incompleteHeaderBytes: headerBytes,
    target,
    certVersion,
    ancestorHeaders,
    raw: result,
    rawJson,
  };
}
