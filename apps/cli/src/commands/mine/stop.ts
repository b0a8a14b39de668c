/** `jarvis mine stop`: idempotent; works from any process, with or without a config. */
import { removeSidecar } from "@openjarvis/mining-core";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { optionalConfig, pathsOf, providerContext, providersFor, readSession } from "../session.js";

export default async function stop(ctx: Ctx, _input: CommandInput): Promise<number> {
  const session = readSession(ctx);
  const loaded = optionalConfig(ctx);
  const providers = providersFor(ctx, loaded.ok ? loaded.value : null);
  // Without a session file a configured provider may still own something (a container) to clean up.
  const providerId = session?.sidecar.provider ?? (loaded.ok ? loaded.value.config.provider : null);
  const configuredOnly =
    session === null && providerId !== null && !(await providers.entry(providerId))?.provider;
  if (providerId === null || configuredOnly) {
    ctx.json({ ok: true, stopped: false, provider: null });
    ctx.print("Nothing is running.");
    return 0;
  }
  const entry = await providers.entry(providerId);
  if (!entry?.provider) {
    // An attach session (no process of ours) can be cleared without its provider.
    if (session && session.processAlive === null && !session.sidecar.gateway_pid) {
      removeSidecar(pathsOf(ctx).sidecarPath);
      ctx.json({ ok: true, stopped: true, provider: providerId });
      ctx.print(`Session of ${providerId} removed (it ran outside jarvis).`);
      return 0;
    }
    await providers.get(providerId); // throws "not installed" (with the install command) or "unknown"
    return 1;
  }
  const spinner = ctx.spinner(`stopping ${providerId}`);
  try {
    await entry.provider.stop(providerContext(ctx, (event) => spinner.update(event.message)));
  } finally {
    spinner.stop();
  }
  ctx.json({ ok: true, stopped: session !== null, provider: providerId });
  ctx.print(
    session ? `Mining stopped (${providerId}).` : `Nothing was running; ${providerId} cleaned up.`,
  );
  return 0;
}
