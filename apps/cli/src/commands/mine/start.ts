/**
 * `jarvis mine start`: run the configured provider, or with `--devnet` (or submit_target =
 * "devnet") cpu-pearl against a local devnet that needs no config, no pearld and no wallet.
 */
import {
  ErrorCodes,
  formatSubmitTarget,
  type LoadedMiningConfig,
  MINING_EXTRA_DEFAULTS,
  type MiningConfig,
} from "@openjarvis/mining-core";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { intOption, parseOptions } from "../options.js";
import {
  optionalConfig,
  providerContext,
  providersFor,
  requireConfig,
  warnAboutConfig,
} from "../session.js";

const Options = z.object({
  devnet: z.boolean().optional(),
  threads: intOption(1, 1024).optional(),
});

export const DEVNET_NOTE = "nothing mined on the devnet is worth anything";

/** The config `--devnet` runs: cpu-pearl, devnet target; tuning keys kept from a valid config. */
export function devnetConfig(loaded: LoadedMiningConfig | null): MiningConfig {
  return {
    provider: "cpu-pearl",
    walletAddress: "",
    submitTarget: { kind: "devnet" },
    feeBps: 0,
    feePayoutAddress: null,
    extra: { ...(loaded?.config.extra ?? MINING_EXTRA_DEFAULTS) },
    providers: [],
  };
}

export default async function start(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  let loaded: LoadedMiningConfig | null;
  let config: MiningConfig;
  if (opts.devnet) {
    const maybe = optionalConfig(ctx);
    loaded = maybe.ok ? maybe.value : null;
    if (
      !maybe.ok &&
      maybe.error.code !== ErrorCodes.CONFIG_NOT_FOUND &&
      maybe.error.code !== ErrorCodes.CONFIG_MISSING_SECTION
    ) {
      ctx.warn(`ignoring the config for the devnet run: ${maybe.error.message}`);
    }
    config = devnetConfig(loaded);
  } else {
    loaded = requireConfig(ctx);
    config = loaded.config;
  }
  if (opts.threads !== undefined)
    config = { ...config, extra: { ...config.extra, threads: opts.threads } };

  const provider = await providersFor(ctx, loaded).get(config.provider);
  if (loaded && !opts.devnet) warnAboutConfig(ctx, loaded, provider);
  const devnet = config.submitTarget.kind === "devnet";
  const what = `${provider.id}${devnet ? " on a local devnet" : ` → ${formatSubmitTarget(config.submitTarget)}`}`;
  const spinner = ctx.spinner(`starting ${what}`);
  let sidecar: Awaited<ReturnType<typeof provider.start>>;
  try {
    sidecar = await provider.start(
      config,
      providerContext(ctx, (event) =>
        spinner.update(
          event.fraction === undefined
            ? event.message
            : `${event.message} (${Math.round(event.fraction * 100)}%)`,
        ),
      ),
    );
  } catch (error) {
    spinner.stop();
    throw error;
  }
  spinner.stop();
  ctx.json({
    ok: true,
    provider: provider.id,
    submitTarget: formatSubmitTarget(config.submitTarget),
    pid: typeof sidecar.pid === "number" ? sidecar.pid : null,
    sidecar,
  });
  const pid = typeof sidecar.pid === "number" ? ` (pid ${sidecar.pid})` : "";
  ctx.print(
    `${ctx.colors.green("✔")} Mining with ${what}${pid}.${devnet ? ` ${ctx.colors.yellow(`Devnet: ${DEVNET_NOTE}.`)}` : ""}\n` +
      "Next: `jarvis mine status` to watch it, `jarvis mine stop` to stop.",
  );
  return 0;
}
