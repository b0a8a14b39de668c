import { connect, type Socket } from "node:net";
import { type Devnet, type DevnetOptions, startDevnet } from "../src/index.js";

const open: Array<{ close(): unknown }> = [];

/** A devnet that `closeAll()` stops; logs are kept for assertions. */
export async function devnet(options: DevnetOptions = {}): Promise<Devnet & { logs: string[] }> {
  const logs: string[] = [];
  const handle = await startDevnet({ log: (line) => logs.push(line), ...options });
  open.push(handle);
  return Object.assign(handle, { logs });
}

export async function closeAll(): Promise<void> {
  for (const item of open.splice(0).reverse()) await item.close();
}

/** A raw connection to the gateway: write bytes, read reply lines. */
export class RawConnection {
  private buffered = "";
  private waiting: Array<() => void> = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (data) => {
      this.buffered += data.toString("utf8");
      for (const wake of this.waiting.splice(0)) wake();
    });
    socket.on("close", () => {
      this.closed = true;
      for (const wake of this.waiting.splice(0)) wake();
    });
    socket.on("error", () => {});
  }

  static async open(target: { socketPath?: string; port?: number }): Promise<RawConnection> {
    const socket = target.socketPath
      ? connect({ path: target.socketPath })
      : connect({ host: "127.0.0.1", port: target.port ?? 0 });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const raw = new RawConnection(socket);
    open.push({ close: () => socket.destroy() });
    return raw;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next reply line, or throws after `timeoutMs`. */
  async line(timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.buffered.indexOf("\n");
      if (nl !== -1) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        return line;
      }
      if (this.closed) throw new Error("connection closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no reply line in time");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Send one line and read one reply. */
  async ask(line: string): Promise<string> {
    this.write(`${line}\n`);
    return this.line();
  }
}

/** Wait until `predicate()` holds (polling), or fail after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
