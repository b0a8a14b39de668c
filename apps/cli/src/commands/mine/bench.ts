/**
 * `jarvis mine bench`: run the CPU engine for a bounded time at a target nobody can hit, then
 * report attempts/s, effective GMAC/s and the expected time to a block at the network's
 * difficulty (from pearld when configured) and at the devnet's.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import {
  isMiningError,
  MINING_EXTRA_DEFAULTS,
  type MiningConfig,
  readSecret,
} from "@openjarvis/mining-core";
import {
  expectedAttemptsPerBlock,
  MAINNET_SHAPE,
  type MiningShape,
  mine,
  nbitsToTarget,
  PearldClient,
  tileBound,
} from "@openjarvis/pearl";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { formatExpected, formatRate, keyValues } from "../../ui/format.js";
import { intOption, parseOptions, secondsOption } from "../options.js";
import { optionalConfig } from "../session.js";

const Options = z.object({
  seconds: secondsOption(1, 3600).default(10),
  threads: intOption(1, 1024).optional(),
});

/** A compact target no attempt will meet, so the bench measures work, not luck. */
const IMPOSSIBLE_NBITS = 0x03000001;
/**
 * The devnet's default difficulty (pearl-devnet's DEVNET_DEFAULT_NBITS; a test keeps them equal).
 * Copied so `bench` works without the devnet package installed.
 */
export const DEVNET_NBITS = 0x1c1c71c7;

export interface BenchResult {
  shape: MiningShape;
  threads: number;
  seconds: number;
  attempts: number;
  attemptsPerSecond: number;
  effectiveGmacPerSecond: number;
  network: { source: string; nbits: number; expectedSecondsPerBlock: number } | null;
  networkError: string | null;
  devnet: { nbits: number; expectedSecondsPerBlock: number };
}

export function shapeFrom(config: MiningConfig | null): MiningShape {
  const extra = config?.extra ?? {};
  const pick = (key: "m" | "n" | "k" | "rank", fallback: number) =>
    typeof extra[key] === "number" ? (extra[key] as number) : fallback;
  return {
    ...MAINNET_SHAPE,
    m: pick("m", MINING_EXTRA_DEFAULTS.m),
    n: pick("n", MINING_EXTRA_DEFAULTS.n),
    k: pick("k", MINING_EXTRA_DEFAULTS.k),
    rank: pick("rank", MINING_EXTRA_DEFAULTS.rank),
    rows: [...MAINNET_SHAPE.rows],
    cols: [...MAINNET_SHAPE.cols],
  };
}

export function expectedSeconds(
  nbits: number,
  shape: MiningShape,
  attemptsPerSecond: number,
  rankPenalty: boolean,
): number {
  const bound = tileBound(nbitsToTarget(nbits), shape, { rankPenalty });
  return expectedAttemptsPerBlock(bound, shape) / attemptsPerSecond;
}

async function networkNbits(
  config: MiningConfig,
  ctx: Ctx,
): Promise<{ nbits: number; source: string }> {
  const url = String(config.extra.pearld_rpc_url ?? MINING_EXTRA_DEFAULTS.pearld_rpc_url);
  const client = new PearldClient({
    url,
    user: String(config.extra.pearld_rpc_user ?? MINING_EXTRA_DEFAULTS.pearld_rpc_user),
    password:
      readSecret(
        ctx.env,
        String(
          config.extra.pearld_rpc_password_env ?? MINING_EXTRA_DEFAULTS.pearld_rpc_password_env,
        ),
      ) ?? "",
    timeoutMs: 5000,
  });
  const template = await client.getBlockTemplate();
  return {
    nbits: Number.parseInt(template.bits, 16),
    source: `pearld at ${url}, height ${template.height}`,
  };
}

export default async function bench(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const loaded = optionalConfig(ctx);
  const config = loaded.ok ? loaded.value.config : null;
  const shape = shapeFrom(config);
  const threads =
    opts.threads ??
    (typeof config?.extra.threads === "number" ? config.extra.threads : availableParallelism());

  const header = new Uint8Array(randomBytes(76));
  new DataView(header.buffer).setUint32(72, IMPOSSIBLE_NBITS, true);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  ctx.io.signal?.addEventListener("abort", onAbort, { once: true });
  const durationMs = opts.seconds * 1000;
  const timer = setTimeout(() => controller.abort(), durationMs);
  const bar = ctx.progress();
  let attempts = 0;
  let elapsedMs = 0;
  const began = performance.now();
  try {
    await mine(
      { header, certVersion: 3, shape },
      {
        threads,
        signal: controller.signal,
        onProgress: (p) => {
          attempts = p.attempts;
          elapsedMs = p.elapsedMs;
          bar.update(p.elapsedMs / durationMs, `${p.attempts} attempts`);
        },
      },
    );
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    ctx.io.signal?.removeEventListener("abort", onAbort);
    bar.stop();
  }
  if (elapsedMs === 0) elapsedMs = performance.now() - began;
  const seconds = elapsedMs / 1000;
  const attemptsPerSecond = attempts / seconds;
  const result: BenchResult = {
    shape,
    threads,
    seconds,
    attempts,
    attemptsPerSecond,
    effectiveGmacPerSecond: (attemptsPerSecond * shape.m * shape.n * shape.k) / 1e9,
    network: null,
    networkError: null,
    devnet: {
      nbits: DEVNET_NBITS,
      expectedSecondsPerBlock: expectedSeconds(DEVNET_NBITS, shape, attemptsPerSecond, false),
    },
  };
  if (config && config.submitTarget.kind === "solo") {
    try {
      const { nbits, source } = await networkNbits(config, ctx);
      result.network = {
        source,
        nbits,
        expectedSecondsPerBlock: expectedSeconds(nbits, shape, attemptsPerSecond, true),
      };
    } catch (error) {
      result.networkError = isMiningError(error) ? error.message : String(error);
    }
  }
  ctx.json({ ok: true, ...result });
  const rows: [string, string][] = [
    ["shape", `m ${shape.m}, n ${shape.n}, k ${shape.k}, rank ${shape.rank}`],
    ["threads", String(threads)],
    ["ran", `${seconds.toFixed(1)} s, ${attempts} attempts`],
    [
      "speed",
      `${formatRate(attemptsPerSecond)}, ${result.effectiveGmacPerSecond.toFixed(2)} effective GMAC/s`,
    ],
    [
      "network block",
      result.network
        ? `expected every ${formatExpected(result.network.expectedSecondsPerBlock)} (nbits 0x${result.network.nbits.toString(16)}, ${result.network.source})`
        : `unknown (${result.networkError ?? "no pearld configured; `jarvis mine init` to add one"})`,
    ],
    [
      "devnet block",
      `expected every ${formatExpected(result.devnet.expectedSecondsPerBlock)} (nbits 0x${DEVNET_NBITS.toString(16)})`,
    ],
  ];
  ctx.print(`Pearl CPU benchmark\n${keyValues(rows)}`);
  return 0;
}
