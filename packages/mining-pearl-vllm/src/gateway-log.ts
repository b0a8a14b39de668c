import { stripAnsi } from "@openjarvis/mining-core";

/**
 * What pearl-gateway's log says about mining (GATEWAY-AND-NODE.md §1.5 and §3): the gateway
 * has no metrics endpoint, so its log lines are the only record of proofs and blocks.
 */
export interface GatewayOutcomes {
  /** `Received PlainProof submission`: a proof from the miner reached the gateway. */
  proofsReceived: number;
  blocksAccepted: number;
  blocksRejected: number;
  /** Proofs for a job that had already changed (Gen A/B and Gen C wording). */
  staleProofs: number;
  duplicates: number;
  /** `Error submitting block:` (pearld unreachable or erroring at submit time). */
  submitErrors: number;
  /** `Failed to refresh template` / `Failed to connect to Pearl node`. */
  templateFailures: number;
  /** Unix ms of the last proof received, when the line carried a timestamp. */
  lastProofAt: number | null;
  /** Unix ms of the last block accepted. */
  lastBlockAt: number | null;
  linesRead: number;
}

export function emptyOutcomes(): GatewayOutcomes {
  return {
    proofsReceived: 0,
    blocksAccepted: 0,
    blocksRejected: 0,
    staleProofs: 0,
    duplicates: 0,
    submitErrors: 0,
    templateFailures: 0,
    lastProofAt: null,
    lastBlockAt: null,
    linesRead: 0,
  };
}

/** The engine's RFC 3339 prefix (`docker logs --timestamps`). */
const ENGINE_TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) /;

/** Splits an optional engine timestamp off a log line. */
export function splitTimestamp(line: string): { at: number | null; text: string } {
  const match = ENGINE_TIMESTAMP.exec(line);
  if (!match) return { at: null, text: line };
  const at = Date.parse(match[1] as string);
  return { at: Number.isNaN(at) ? null : at, text: line.slice(match[0].length) };
}

/** Adds one log line to the tally (ANSI codes are ignored). */
export function countGatewayLine(outcomes: GatewayOutcomes, rawLine: string): void {
  const { at, text: withAnsi } = splitTimestamp(rawLine);
  const text = stripAnsi(withAnsi);
  outcomes.linesRead += 1;
  if (text.includes("Received PlainProof submission")) {
    outcomes.proofsReceived += 1;
    if (at !== null) outcomes.lastProofAt = at;
  } else if (text.includes("Block accepted by node!")) {
    outcomes.blocksAccepted += 1;
    if (at !== null) outcomes.lastBlockAt = at;
  } else if (text.includes("Block rejected:")) {
    outcomes.blocksRejected += 1;
  } else if (
    text.includes("Submitted block with old header") ||
    text.includes("dropping stale proof")
  ) {
    outcomes.staleProofs += 1;
  } else if (text.includes("Block already submitted, skipping")) {
    outcomes.duplicates += 1;
  } else if (text.includes("Error submitting block:")) {
    outcomes.submitErrors += 1;
  } else if (
    text.includes("Failed to refresh template") ||
    text.includes("Failed to connect to Pearl node")
  ) {
    outcomes.templateFailures += 1;
  }
}

/** Tallies a whole log. */
export async function countGatewayOutcomes(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<GatewayOutcomes> {
  const outcomes = emptyOutcomes();
  for await (const line of lines) countGatewayLine(outcomes, line);
  return outcomes;
}

/** Entrypoint lines that mean the gateway never came up; the container is about to exit. */
const FATAL_LINES = [
  "pearl-gateway exited before becoming ready",
  "Timed out waiting for pearl-gateway socket",
];
/** Template failures in a row that mean pearld is unreachable or refusing us. */
export const TEMPLATE_FAILURES_LIMIT = 3;

/**
 * The reason mining cannot work, from recent log lines, or null. A single template failure is
 * normal (pearld restarting); several in a row are not.
 */
export function gatewayFailureIn(lines: readonly string[]): string | null {
  let templateFailures = 0;
  let lastTemplateFailure = "";
  for (const raw of lines) {
    const text = stripAnsi(splitTimestamp(raw).text).trim();
    const fatal = FATAL_LINES.find((f) => text.includes(f));
    if (fatal) return lastTemplateFailure ? `${text} (${lastTemplateFailure})` : text;
    if (
      text.includes("Failed to refresh template") ||
      text.includes("Failed to connect to Pearl node")
    ) {
      templateFailures += 1;
      lastTemplateFailure = loguruMessage(text);
    } else if (text.includes("Template refreshed successfully")) {
      templateFailures = 0;
      lastTemplateFailure = "";
    }
  }
  return templateFailures >= TEMPLATE_FAILURES_LIMIT ? lastTemplateFailure : null;
}

/** The message part of a loguru line `time - LEVEL - message - file.py:line`. */
function loguruMessage(text: string): string {
  const parts = text.split(" - ");
  return parts.length >= 4 ? parts.slice(2, -1).join(" - ") : text;
}
