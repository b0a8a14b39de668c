/**
 * Runs Pearl's `pearl-gateway` as a child of the supervisor: environment exactly as the gateway
 * reads it (GATEWAY-AND-NODE.md §1.2), TCP on the configured port, the RPC password in the
 * environment only. Its output is redacted into our log and read for the reason mining is
 * paused. It is restarted with exponential back-off when it dies, and stopped with SIGINT, then
 * SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { readProcessStartTime, stripAnsi } from "@openjarvis/mining-core";

export interface SpawnedGatewayOptions {
  command: string[];
  port: number;
  pearldRpcUrl: string;
  pearldRpcUser: string;
  password: string;
  walletAddress: string;
  /** Variables passed through from the supervisor's own environment (PATH, HOME…). */
  baseEnv: Record<string, string>;
  onLine: (line: string) => void;
  onSpawn: (identity: { pid: number; startTime: string } | null) => void;
  onExit: (description: string) => void;
  graceMs?: number;
  backoff?: { initialMs: number; maxMs: number; healthyAfterMs: number };
}

/** Turns what the gateway logs into the reason mining is paused, or null. */
export function pauseReasonFromLog(line: string, pearldRpcUrl: string): string | null {
  const text = stripAnsi(line);
  if (/HTTP 401/.test(text)) {
    return "pearld rejected the RPC user or password (HTTP 401)";
  }
  if (/-10\b/.test(text) && /RPC error|downloading/i.test(text)) {
    return "pearld is still downloading blocks (RPC error -10); mining starts once it is synced";
  }
  if (/-9\b/.test(text) && /RPC error|not connected/i.test(text)) {
    return "pearld has no peers (RPC error -9: Pearl is not connected)";
  }
  if (/Failed to connect to Pearl node|Cannot connect to host|Connection refused/i.test(text)) {
    return `pearld is unreachable at ${pearldRpcUrl}`;
  }
  if (/Error communicating with Pearl node: HTTP (\d+)/.test(text)) {
    const status = /HTTP (\d+)/.exec(text)?.[1];
    return `pearld answered HTTP ${status}`;
  }
  if (/mining_address|PEARLD_MINING_ADDRESS/i.test(text) && /required|invalid/i.test(text)) {
    return "pearl-gateway refused the mining address";
  }
  return null;
}

export class SpawnedGateway {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  private delay: number;
  private lastPauseReason: string | null = null;
  private lastExit: string | null = null;
  private readonly backoff: { initialMs: number; maxMs: number; healthyAfterMs: number };
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: AbortController | null = null;

  constructor(private readonly options: SpawnedGatewayOptions) {
    this.backoff = options.backoff ?? { initialMs: 1_000, maxMs: 30_000, healthyAfterMs: 60_000 };
    this.delay = this.backoff.initialMs;
  }

  get address(): { host: string; port: number } {
    return { host: "127.0.0.1", port: this.options.port };
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** Why there is no work: what pearld said (from the log), or that the gateway is down. */
  get pauseReason(): string | null {
    return this.child ? this.lastPauseReason : (this.lastExit ?? this.lastPauseReason);
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private env(): Record<string, string> {
    return {
      ...this.options.baseEnv,
      PEARLD_RPC_URL: this.options.pearldRpcUrl,
      PEARLD_RPC_USER: this.options.pearldRpcUser,
      PEARLD_RPC_PASSWORD: this.options.password,
      PEARLD_MINING_ADDRESS: this.options.walletAddress,
      MINER_RPC_TRANSPORT: "tcp",
      MINER_RPC_PORT: String(this.options.port),
      PEARL_LOG_LEVEL: "INFO",
      PYTHONUNBUFFERED: "1",
    };
  }

  /**
   * Launches the gateway. Rejects if the command cannot be executed at all (not found, not
   * executable): restarting would not help.
   */
  async start(): Promise<void> {
    const [command, ...args] = this.options.command;
    const child = spawn(command as string, [...args, "start"], {
      env: this.env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", (error) => reject(error));
    });
    this.attach(child);
  }

  private attach(child: ChildProcess): void {
    this.child = child;
    const startedAt = Date.now();
    const pid = child.pid ?? 0;
    this.options.onSpawn(pid > 0 ? { pid, startTime: readProcessStartTime(pid) ?? "" } : null);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
        const reason = pauseReasonFromLog(line, this.options.pearldRpcUrl);
        if (reason) this.lastPauseReason = reason;
        if (/Template refreshed successfully|Updating block template/.test(line)) {
          this.lastPauseReason = null;
        }
        this.options.onLine(line);
      });
    }
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.child = null;
        resolve();
        if (this.stopping) return;
        const description = `pearl-gateway (pid ${pid}) exited (${signal ?? `code ${code}`})`;
        this.lastExit = description;
        if (Date.now() - startedAt > this.backoff.healthyAfterMs)
          this.delay = this.backoff.initialMs;
        this.options.onExit(`${description}; restarting in ${this.delay} ms`);
        void this.restartLater();
      });
    });
  }

  private async restartLater(): Promise<void> {
    const timer = new AbortController();
    this.restartTimer = timer;
    try {
      await sleep(this.delay, undefined, { signal: timer.signal });
    } catch {
      return;
    }
    this.delay = Math.min(this.delay * 2, this.backoff.maxMs);
    if (this.stopping) return;
    this.restarts += 1;
    try {
      await this.start();
    } catch (error) {
      this.options.onExit(
        `pearl-gateway could not be restarted: ${error instanceof Error ? error.message : String(error)}`,
      );
      void this.restartLater();
    }
  }

  /** SIGINT (the gateway's graceful path), then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.restartTimer?.abort();
    const child = this.child;
    if (!child) return;
    child.kill("SIGINT");
    const graceful = await Promise.race([
      this.exited.then(() => true),
      sleep(this.options.graceMs ?? 5_000).then(() => false),
    ]);
    if (!graceful) {
      child.kill("SIGKILL");
      await this.exited;
    }
  }
}
