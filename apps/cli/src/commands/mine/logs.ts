/** `jarvis mine logs [-n N] [-f]`: the provider's redacted log, for every provider that has one. */
import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { intOption, parseOptions } from "../options.js";
import { optionalConfig, providerContext, providersFor, readSession } from "../session.js";

const Options = z.object({
  tail: intOption(0, 1_000_000).default(200),
  follow: z.boolean().optional(),
});

export default async function logs(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const session = readSession(ctx);
  const loaded = optionalConfig(ctx);
  const providerId = session?.sidecar.provider ?? (loaded.ok ? loaded.value.config.provider : null);
  if (!providerId) {
    throw new MiningError(
      ErrorCodes.NOT_RUNNING,
      "no mining session and no [mining] config, so there is no log to show",
      {
        hint: "start mining first: `jarvis mine start --devnet`",
        exitCode: 3,
      },
    );
  }
  const provider = await providersFor(ctx, loaded.ok ? loaded.value : null).get(providerId);
  if (!provider.logs) {
    throw new MiningError(
      ErrorCodes.PROVIDER_INVALID,
      `provider ${providerId} keeps no log jarvis can read`,
      {
        hint: "see the provider's documentation for where it logs",
      },
    );
  }
  const lines: string[] = [];
  for await (const line of provider.logs(providerContext(ctx), {
    tail: opts.tail,
    follow: opts.follow === true,
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
  })) {
    if (ctx.flags.json) {
      if (opts.follow) ctx.io.stdout(`${JSON.stringify({ line })}\n`);
      else lines.push(line);
    } else {
      ctx.io.stdout(line.endsWith("\n") ? line : `${line}\n`);
    }
  }
  if (ctx.flags.json && !opts.follow) ctx.json({ ok: true, provider: providerId, lines });
  return 0;
}
