import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCodes, ExitCodes, MiningError } from "@openjarvis/mining-core";
import { nbitsToTarget } from "@openjarvis/pearl";
import { type DevnetBlock, DevnetChain, type ProofOutcome, type ProofRecord } from "./chain.js";
import { DevnetGateway, type ReplyFault, type WireGeneration } from "./gateway.js";
import { type DevnetLogSink, devnetLog } from "./log.js";
import { DevnetNode, type NodeFault } from "./node.js";

/**
 * Default nbits: target ≈ 2^220.8. With the mainnet shape (k 2048, rank 128, 1024 tiles of
 * h·w·D = 2^16 multiply-adds) a block takes about 590 attempts: a second or two on one core.
 * Much easier targets make the miner spend its time on job changes and the devnet on
 * verification, so the hashrate it shows would no longer be the engine's.
 */
export const DEVNET_DEFAULT_NBITS = 0x1c1c71c7;

/** Every tile wins: the first attempt finds a block. For tests. */
export const DEVNET_INSTANT_NBITS = 0x207fffff;

export const DEVNET_NOTE = "pearl-devnet: a local test chain; nothing it accepts is worth anything";

export interface DevnetOptions {
  /** Serve the gateway on this Unix socket (mode 0600). */
  socketPath?: string;
  /** Serve the gateway on TCP 127.0.0.1:port (0 = any free port). */
  port?: number;
  /** Node RPC + status port on 127.0.0.1 (default 0 = any free port). */
  nodePort?: number;
  nbits?: number;
  /** Certificate version of every job (default 3, salted seeds, like mainnet). */
  certVersion?: 1 | 2 | 3;
  /** Job shape of the upstream gateway generation to mimic (default "C"). */
  generation?: WireGeneration;
  /** Require rank ≥ 128 and the rank-penalised bound, as mainnet does (default true). */
  rankPenalty?: boolean;
  /** Node RPC credentials (default "devnet" / "devnet": this chain holds nothing of value). */
  rpcUser?: string;
  rpcPassword?: string;
  /** pearld's `getblockchaininfo.chain` (default "regtest": `rprl` addresses). */
  chain?: string;
  /** Answer -32001 (paused) for this long after start, as a gateway waiting for pearld does. */
  startDelayMs?: number;
  /** Delay before every gateway reply (Gen A/B stall while proving). */
  replyDelayMs?: number;
  /** Answer -32000 "proof submission queue full" beyond this many unverified proofs (Gen C). */
  maxPendingProofs?: number;
  /** Gateway request line limit (default 1 MiB; one upstream variant uses 4 MiB). */
  maxLineBytes?: number;
  /** Receives every log line; each starts with a timestamp and "devnet". Default: silent. */
  log?: DevnetLogSink;
}

export interface DevnetSnapshot {
  network: "devnet";
  note: string;
  height: number;
  tip: string;
  blocksFound: number;
  paused: boolean;
  job: {
    height: number;
    header: string;
    nbits: string;
    target: string;
    certVersion: number;
    generation: WireGeneration;
  } | null;
  proofs: { submitted: number } & Record<ProofOutcome, number>;
  /** The latest verdicts, oldest first (at most 200). */
  recent: ProofRecord[];
  /** The latest blocks, oldest first (at most 50). */
  blocks: DevnetBlock[];
}

export interface Devnet {
  /** `unix:///…` when a socket is served, else `tcp://127.0.0.1:port`. */
  gatewayAddress: string;
  socketPath?: string;
  port?: number;
  /** pearld-compatible JSON-RPC endpoint (Basic auth). */
  nodeUrl: string;
  rpcUser: string;
  /** GET: the snapshot as JSON, no auth, loopback only. */
  statusUrl: string;
  snapshot(): DevnetSnapshot;
  /** Resolves once `blocksFound` reaches `count`; rejects with E_TIMEOUT after `timeoutMs`. */
  waitForBlocks(count: number, timeoutMs?: number): Promise<DevnetSnapshot>;
  /** Gateway answers -32001 until `resume()` (pearld unreachable). */
  pause(): void;
  resume(): void;
  /** Someone else found a block: the current job goes stale and a new one is issued. */
  advanceTip(): void;
  /** Make the node answer getblocktemplate with -9 / -10, or clear it. */
  setNodeFault(fault: NodeFault | undefined): void;
  setNodeDelay(ms: number): void;
  setReplyDelay(ms: number): void;
  /** Break every gateway reply this way until cleared with `undefined`. */
  setReplyFault(fault: ReplyFault | undefined): void;
  close(): Promise<void>;
}

function usage(message: string, hint: string, details: Record<string, unknown>): MiningError {
  return new MiningError(ErrorCodes.USAGE, message, { hint, details, exitCode: ExitCodes.USAGE });
}

function checkOptions(options: DevnetOptions): void {
  const nbits = options.nbits;
  if (nbits !== undefined) {
    if (!Number.isInteger(nbits) || nbits < 0 || nbits > 0xffffffff) {
      throw usage(`nbits ${nbits} is not a 32-bit value`, "e.g. 0x1d040000", { nbits });
    }
    if (nbitsToTarget(nbits) === 0n) {
      throw usage(
        `nbits 0x${nbits.toString(16)} decodes to a zero target`,
        "use a positive mantissa without the sign bit, e.g. 0x1d040000",
        { nbits },
      );
    }
  }
  if (options.certVersion !== undefined && ![1, 2, 3].includes(options.certVersion)) {
    throw usage(
      `certificate version ${options.certVersion} is not supported by the devnet`,
      "use 1, 2 or 3",
      { certVersion: options.certVersion },
    );
  }
  if (options.generation !== undefined && !["A", "B", "C"].includes(options.generation)) {
    throw usage(`unknown wire generation ${options.generation}`, "use A, B or C", {
      generation: options.generation,
    });
  }
  for (const key of ["port", "nodePort"] as const) {
    const port = options[key];
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw usage(`${key} ${port} is not a TCP port`, "use 0–65535 (0 = any free port)", {
        [key]: port,
      });
    }
  }
}

/** Start a devnet: chain, gateway and node in this process. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  checkOptions(options);
  const log = devnetLog(options.log);
  const generation = options.generation ?? "C";
  const chain = new DevnetChain({
    nbits: options.nbits ?? DEVNET_DEFAULT_NBITS,
    certVersion: options.certVersion ?? 3,
    rankPenalty: options.rankPenalty ?? true,
    log,
  });
  const gatewayControls = {
    replyDelayMs: options.replyDelayMs ?? 0,
    fault: undefined as ReplyFault | undefined,
    maxPendingProofs: options.maxPendingProofs,
  };
  const nodeControls = { fault: undefined as NodeFault | undefined, delayMs: 0 };
  const gateway = new DevnetGateway(
    chain,
    generation,
    options.maxLineBytes ?? 1024 * 1024,
    gatewayControls,
    log,
  );
  const snapshot = (): DevnetSnapshot => {
    const job = chain.job;
    return {
      network: "devnet",
      note: DEVNET_NOTE,
      height: chain.height,
      tip: chain.tipHash,
      blocksFound: chain.blocksFound,
      paused: chain.paused,
      job: job
        ? {
            height: job.height,
            header: Buffer.from(job.header).toString("hex"),
            nbits: `0x${job.nbits.toString(16).padStart(8, "0")}`,
            target: job.target.toString(),
            certVersion: job.certVersion,
            generation,
          }
        : null,
      proofs: { submitted: chain.submitted, ...chain.counts },
      recent: chain.records.map((record) => ({ ...record })),
      blocks: chain.blocks.map((block) => ({ ...block })),
    };
  };
  const rpcUser = options.rpcUser ?? "devnet";
  const node = new DevnetNode(
    chain,
    options.chain ?? "regtest",
    rpcUser,
    options.rpcPassword ?? "devnet",
    nodeControls,
    snapshot,
    log,
  );

  let tempDir: string | undefined;
  let socketPath = options.socketPath;
  if (socketPath === undefined && options.port === undefined) {
    tempDir = mkdtempSync(join(tmpdir(), "pearl-devnet-"));
    socketPath = join(tempDir, "pearlgw.sock");
  }
  let startTimer: NodeJS.Timeout | undefined;
  if (options.startDelayMs && options.startDelayMs > 0) {
    chain.paused = true;
    startTimer = setTimeout(() => {
      chain.paused = false;
      log("Template refreshed successfully (start delay over)");
    }, options.startDelayMs);
  }
  const closeAll = async () => {
    clearTimeout(startTimer);
    await Promise.all([gateway.close(), node.close()]);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };

  let port: number | undefined;
  let nodePort: number;
  try {
    if (socketPath !== undefined) await gateway.listenUnix(socketPath);
    if (options.port !== undefined) port = await gateway.listenTcp(options.port);
    nodePort = await node.listen(options.nodePort ?? 0);
  } catch (error) {
    await closeAll();
    const code = (error as { code?: unknown }).code;
    throw new MiningError(
      ErrorCodes.START_FAILED,
      `the devnet could not listen: ${(error as Error).message}`,
      {
        hint:
          code === "EADDRINUSE"
            ? "the port is taken: choose another one, or 0 for any free port"
            : "check the socket directory exists and is writable",
        cause: error,
        details: { socketPath, port: options.port, nodePort: options.nodePort },
      },
    );
  }
  log(`PearlGateway started successfully (${DEVNET_NOTE})`);

  const nodeUrl = `http://127.0.0.1:${nodePort}/`;
  let closed: Promise<void> | undefined;
  return {
    gatewayAddress: socketPath !== undefined ? `unix://${socketPath}` : `tcp://127.0.0.1:${port}`,
    ...(socketPath !== undefined ? { socketPath } : {}),
    ...(port !== undefined ? { port } : {}),
    nodeUrl,
    rpcUser,
    statusUrl: `${nodeUrl}status`,
    snapshot,
    waitForBlocks(count, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (chain.blocksFound < count) return false;
          stop();
          resolve(snapshot());
          return true;
        };
        const unsubscribe = chain.onChange(check);
        const timer = setTimeout(() => {
          stop();
          reject(
            new MiningError(
              ErrorCodes.TIMEOUT,
              `the devnet saw ${chain.blocksFound} of ${count} blocks within ${timeoutMs} ms`,
              { hint: "is a miner connected? see snapshot().recent for rejected proofs" },
            ),
          );
        }, timeoutMs);
        const stop = () => {
          clearTimeout(timer);
          unsubscribe();
        };
        check();
      });
    },
    pause() {
      clearTimeout(startTimer);
      chain.paused = true;
    },
    resume() {
      clearTimeout(startTimer);
      chain.paused = false;
    },
    advanceTip: () => chain.advanceTip(),
    setNodeFault(fault) {
      nodeControls.fault = fault;
    },
    setNodeDelay(ms) {
      nodeControls.delayMs = ms;
    },
    setReplyDelay(ms) {
      gatewayControls.replyDelayMs = ms;
    },
    setReplyFault(fault) {
      gatewayControls.fault = fault;
    },
    close() {
      closed ??= (async () => {
        await chain.settled();
        await closeAll();
        log("stopped");
      })();
      return closed;
    },
  };
}
