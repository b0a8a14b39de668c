import { ErrorCodes, MiningError } from "@openjarvis/mining-core";

/** Where a gateway's miner RPC listens: a Unix socket, or TCP (the real gateway binds 127.0.0.1). */
export type GatewayAddress = { socketPath: string } | { host: string; port: number };

const HINT =
  "use unix:///path/to/pearlgw.sock, a plain absolute socket path, tcp://127.0.0.1:8337 or http://127.0.0.1:8337";

/**
 * Parse a gateway URL: `unix:///tmp/pearlgw.sock`, `/tmp/pearlgw.sock`, `tcp://127.0.0.1:8337`,
 * `http://127.0.0.1:8337` (OpenJarvis sidecars write this form) or `127.0.0.1:8337`.
 */
export function parseGatewayUrl(url: string): GatewayAddress {
  const text = url.trim();
  const invalid = (why: string): never => {
    throw new MiningError(ErrorCodes.CONFIG_INVALID, `invalid gateway URL "${text}": ${why}`, {
      hint: HINT,
      details: { value: text },
    });
  };
  if (text === "") return invalid("it is empty");
  if (text.startsWith("/")) return { socketPath: text };
  if (text.startsWith("unix://")) {
    const path = text.slice("unix://".length);
    if (!path.startsWith("/")) return invalid("the socket path must be absolute");
    return { socketPath: path };
  }
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `tcp://${text}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    return invalid("it is not a URL");
  }
  if (!["tcp:", "http:"].includes(parsed.protocol)) {
    return invalid(`unsupported scheme "${parsed.protocol.slice(0, -1)}"`);
  }
  if (parsed.username || parsed.password) return invalid("it must not carry credentials");
  if (parsed.pathname !== "/" && parsed.pathname !== "") return invalid("it must not have a path");
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) return invalid("the host is missing");
  if (!parsed.port) return invalid("the port is missing");
  return { host, port: Number(parsed.port) };
}

/** The canonical URL form of an address (`unix:///…` or `tcp://host:port`). */
export function formatGatewayAddress(address: GatewayAddress): string {
  if ("socketPath" in address) return `unix://${address.socketPath}`;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `tcp://${host}:${address.port}`;
}
