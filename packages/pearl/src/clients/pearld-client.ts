import { ErrorCodes, MiningError } from "@openjarvis/mining-core";

export interface PearldClientOptions {
  /** `http://127.0.0.1:44107` (pearld with --notls) or `https://…` with a trusted certificate. */
  url: string;
  user: string;
  /** Kept private: it never appears in an error, its cause, or the client's JSON. */
  password: string;
  timeoutMs?: number;
}

export interface BlockchainInfo {
  chain: string;
  blocks: number;
  /** pearld always reports `headers === blocks`; it says nothing about sync. */
  headers: number;
  bestblockhash: string;
  difficulty: number;
  mediantime?: number;
  [key: string]: unknown;
}

export interface NodeMiningInfo {
  blocks: number;
  difficulty: number;
  networkhashps?: number;
  pooledtx?: number;
  testnet?: boolean;
  [key: string]: unknown;
}

export interface BlockTemplate {
  bits: string;
  curtime: number;
  height: number;
  previousblockhash: string;
  target: string;
  version: number;
  transactions: unknown[];
  coinbasevalue?: number;
  requiredcertversion?: number;
  ancestorheaders?: string[];
  [key: string]: unknown;
}

/** The params `pearl-gateway` sends (GATEWAY-AND-NODE.md §4.2). */
const TEMPLATE_REQUEST = {
  capabilities: ["coinbasevalue", "workid", "coinbase/append"],
  rules: ["segwit"],
};

/** JSON-RPC client for `pearld` (HTTP POST, Basic auth), for doctor and status. */
export class PearldClient {
  /** The endpoint, without credentials. */
  readonly url: string;
  readonly user: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;
  #nextId = 1;

  constructor(options: PearldClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new MiningError(ErrorCodes.CONFIG_INVALID, "the pearld RPC URL is not a URL", {
        hint: "use http://127.0.0.1:44107 (pearld --notls) or https://host:port",
      });
    }
    if (parsed.username || parsed.password) {
      throw new MiningError(
        ErrorCodes.CONFIG_INVALID,
        "the pearld RPC URL must not carry credentials",
        { hint: "pass the user and the password separately; the password only through an env var" },
      );
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new MiningError(
        ErrorCodes.CONFIG_INVALID,
        `the pearld RPC URL must be http:// or https://, not ${parsed.protocol}//`,
        { hint: "use http://127.0.0.1:44107 (pearld --notls) or https://host:port" },
      );
    }
    this.url = parsed.href;
    this.user = options.user;
    this.#authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString("base64")}`;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  getBlockchainInfo(): Promise<BlockchainInfo> {
    return this.call<BlockchainInfo>("getblockchaininfo");
  }

  getMiningInfo(): Promise<NodeMiningInfo> {
    return this.call<NodeMiningInfo>("getmininginfo");
  }

  getBlockTemplate(): Promise<BlockTemplate> {
    return this.call<BlockTemplate>("getblocktemplate", [TEMPLATE_REQUEST]);
  }

  getBlockCount(): Promise<number> {
    return this.call<number>("getblockcount");
  }

  /** Any JSON-RPC method with positional params. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.#nextId++;
    const details = { method, url: this.url };
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: this.#authorization },
        body: JSON.stringify({ jsonrpc: "1.0", id, method, params }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw this.#transportError(error, method);
    }
    if (response.status === 401) {
      await response.body?.cancel();
      throw new MiningError(
        ErrorCodes.NODE_AUTH,
        `pearld at ${this.url} refused the RPC credentials of user "${this.user}"`,
        {
          hint: "check the RPC user and the password environment variable against pearld's --rpcuser/--rpcpass (a --rpclimituser cannot call getblocktemplate)",
          details,
        },
      );
    }
    const text = await response.text().catch(() => "");
    if (response.status !== 200) {
      throw new MiningError(
        ErrorCodes.NODE_RPC,
        `pearld at ${this.url} answered ${method} with HTTP ${response.status}`,
        {
          hint:
            response.status === 503
              ? "pearld has too many RPC clients (--rpcmaxclients); retry later"
              : response.status === 400
                ? "pearld serves TLS by default: use https://, or start it with --notls for http://"
                : "check that the URL points at pearld's RPC port",
          details: { ...details, status: response.status },
        },
      );
    }
    let body: { result?: unknown; error?: { code?: unknown; message?: unknown } | null };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new MiningError(ErrorCodes.NODE_RPC, `pearld answered ${method} with non-JSON`, {
        hint: "check that the URL points at pearld's RPC port",
        details,
      });
    }
    if (body.error) throw nodeRpcError(body.error, method, this.url);
    return body.result as T;
  }

  toJSON(): { url: string; user: string } {
    return { url: this.url, user: this.user };
  }

  #transportError(error: unknown, method: string): MiningError {
    const details = { method, url: this.url };
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return new MiningError(
        ErrorCodes.TIMEOUT,
        `pearld at ${this.url} did not answer ${method} within ${this.#timeoutMs} ms`,
        { hint: "pearld is busy or stuck; retry, or raise the timeout", details },
      );
    }
    // Only the errno survives: a fetch error carries its own cause chain, which we do not pass on.
    const inner = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    const code = typeof inner?.code === "string" ? inner.code : undefined;
    const reason = code ?? (typeof inner?.message === "string" ? inner.message : "fetch failed");
    return new MiningError(
      ErrorCodes.NODE_UNREACHABLE,
      `cannot reach pearld at ${this.url}: ${reason}`,
      {
        hint: "is pearld running, with --rpclisten on this address? It serves TLS unless started with --notls (then use http://)",
        details: { ...details, ...(code ? { errno: code } : {}) },
        cause: Object.assign(new Error(reason), code ? { code } : {}),
      },
    );
  }
}

function nodeRpcError(
  error: { code?: unknown; message?: unknown },
  method: string,
  url: string,
): MiningError {
  const rpcCode = typeof error.code === "number" ? error.code : undefined;
  const rpcMessage = typeof error.message === "string" ? error.message : "unknown error";
  const details = { method, url, rpcCode, rpcMessage };
  if (rpcCode === -9) {
    return new MiningError(
      ErrorCodes.NODE_NOT_CONNECTED,
      `pearld is not connected: ${rpcMessage}`,
      {
        hint: "pearld has no peers, so it will not hand out work; check its network connection and --addpeer/--connect settings",
        details,
      },
    );
  }
  if (rpcCode === -10) {
    return new MiningError(ErrorCodes.NODE_SYNCING, `pearld is still syncing: ${rpcMessage}`, {
      hint: "wait until pearld has downloaded the chain; mining starts by itself once it is current",
      details,
    });
  }
  return new MiningError(ErrorCodes.NODE_RPC, `pearld failed ${method}: ${rpcMessage}`, {
    hint:
      rpcCode === -32601
        ? "this pearld does not offer the method"
        : "see pearld's log for the reason",
    details,
  });
}
