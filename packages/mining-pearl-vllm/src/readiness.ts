import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCodes, MiningError, type ProgressEvent, stripAnsi } from "@openjarvis/mining-core";
import type { ContainerEngine } from "./engine/types.js";
import { gatewayFailureIn, splitTimestamp } from "./gateway-log.js";

export interface ReadinessOptions {
  engine: ContainerEngine;
  container: string;
  /** vLLM's `/health` URL. */
  healthUrl: string;
  /** Loading a 70B model the first time means downloading it: be generous. */
  timeoutMs: number;
  pollMs?: number;
  /** RestartCount at which the container counts as crash-looping. */
  restartLimit?: number;
  /** Applied to every log line before it appears in progress or an error. */
  redact: (line: string) => string;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

const RECENT_LINES = 60;

async function recentLines(engine: ContainerEngine, container: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    for await (const line of engine.logs(container, { tail: RECENT_LINES })) lines.push(line);
  } catch {
    // A container that vanished between inspect and logs is reported by the next inspect.
  }
  return lines;
}

/** The line that best explains a crash: the last error-looking one, else the last one. */
function lastMeaningful(lines: readonly string[], redact: (l: string) => string): string {
  const texts = lines.map((l) => stripAnsi(splitTimestamp(l).text).trim()).filter(Boolean);
  const error = [...texts]
    .reverse()
    .find((t) => /error|exception|traceback|fatal|failed|killed/i.test(t));
  const chosen = error ?? texts[texts.length - 1] ?? "";
  return redact(chosen).slice(0, 200);
}

async function healthy(url: string, fetchImpl: typeof fetch): Promise<boolean> {
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

const FAILURE_HINT =
  "check that pearld answers at pearld_rpc_url with the configured user and password, and that " +
  "wallet_address is a Taproot address; `jarvis mine logs` shows the container's output";

/**
 * Waits until vLLM's `/health` answers 200. Stops early, with the reason, when the gateway's
 * failure lines show up in the log or the container keeps restarting.
 */
export async function waitForReady(options: ReadinessOptions): Promise<void> {
  const { engine, container, redact } = options;
  const fetchImpl = options.fetch ?? fetch;
  const pollMs = options.pollMs ?? 1_000;
  const restartLimit = options.restartLimit ?? 2;
  const started = Date.now();
  for (;;) {
    if (options.signal?.aborted) {
      throw new MiningError(
        ErrorCodes.ABORTED,
        "cancelled while waiting for the miner to become ready",
      );
    }
    const info = await engine.inspect(container);
    if (!info) {
      throw new MiningError(
        ErrorCodes.CONTAINER_FAILED,
        `container ${container} disappeared while starting`,
        {
          hint: "something removed it (`jarvis mine stop`?); run `jarvis mine start` again",
        },
      );
    }
    const lines = await recentLines(engine, container);
    const failure = gatewayFailureIn(lines);
    if (failure) {
      throw new MiningError(
        info.restartCount > 0 ? ErrorCodes.CONTAINER_RESTART_LOOP : ErrorCodes.CONTAINER_FAILED,
        `the miner's pearl-gateway did not start: ${redact(failure)}`,
        { hint: FAILURE_HINT, details: { container, restartCount: info.restartCount } },
      );
    }
    const exitedForGood =
      !info.state.running && !info.state.restarting && info.state.status !== "created";
    if (info.restartCount >= restartLimit || exitedForGood) {
      const last = lastMeaningful(lines, redact);
      throw new MiningError(
        ErrorCodes.CONTAINER_RESTART_LOOP,
        `the miner container keeps exiting (restarts: ${info.restartCount}, last exit code ${info.state.exitCode})${last ? `: ${last}` : ""}`,
        { hint: FAILURE_HINT, details: { container, restartCount: info.restartCount } },
      );
    }
    if (info.state.running && (await healthy(options.healthUrl, fetchImpl))) return;

    const elapsedMs = Date.now() - started;
    if (elapsedMs >= options.timeoutMs) {
      throw new MiningError(
        ErrorCodes.TIMEOUT,
        `vLLM did not answer ${options.healthUrl} within ${Math.round(options.timeoutMs / 1000)} s`,
        {
          hint: "a first start downloads the model (tens of GB); check `jarvis mine logs`, then start again",
          details: { container },
        },
      );
    }
    const last = lastMeaningful(lines, redact);
    options.onProgress?.({
      stage: "ready",
      message: `waiting for vLLM (${Math.round(elapsedMs / 1000)} s)${last ? `: ${last}` : ""}`,
    });
    try {
      await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      // Aborted: reported at the top of the loop.
    }
  }
}
