import { ErrorCodes, MiningError } from "./errors.js";
import type { SubmitTarget } from "./provider.js";

export const DEFAULT_PEARLD_RPC_URL = "http://localhost:44107";

const GRAMMAR = "'solo', 'pool:<url>' or 'devnet'";

/**
 * Parse `[mining].submit_target` as OpenJarvis does (`"solo"`, `"pool:<url>"`) plus our
 * `"devnet"`. Solo takes its node URL from `extra.pearld_rpc_url`.
 */
export function parseSubmitTarget(
  value: unknown,
  extra: Record<string, unknown> = {},
): SubmitTarget {
  const fail = (why: string): never => {
    throw new MiningError(
      ErrorCodes.CONFIG_INVALID,
      `[mining].submit_target must be ${GRAMMAR}, got ${JSON.stringify(value)}${why}`,
      {
        hint: 'set submit_target = "solo" (your own pearld), "devnet" or "pool:https://…"',
        details: { key: "mining.submit_target", value },
      },
    );
  };
  if (value === undefined) value = "solo";
  if (typeof value !== "string") return fail("");
  const text = value.trim();
  if (text === "solo") {
    const url = extra.pearld_rpc_url;
    return {
      kind: "solo",
      pearldRpcUrl: typeof url === "string" && url !== "" ? url : DEFAULT_PEARLD_RPC_URL,
    };
  }
  if (text === "devnet") return { kind: "devnet" };
  if (text.startsWith("pool:")) {
    const url = text.slice("pool:".length);
    if (!URL.canParse(url)) return fail(" (the pool URL does not parse)");
    return { kind: "pool", url };
  }
  return fail("");
}

/** The config/status string form: "solo", "pool:<url>" or "devnet". */
export function formatSubmitTarget(target: SubmitTarget): string {
  switch (target.kind) {
    case "solo":
      return "solo";
    case "pool":
      return `pool:${target.url}`;
    case "devnet":
      return "devnet";
  }
}
