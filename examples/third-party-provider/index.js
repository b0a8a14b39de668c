// A provider that mines nothing: it records a session in the sidecar and reports real uptime.
import {
  defineProvider,
  formatSubmitTarget,
  readSidecar,
  removeSidecar,
  writeSidecar,
} from "@openjarvis/mining-core";

const id = "hello";
const session = (ctx) => {
  const record = readSidecar(ctx.paths.sidecarPath);
  return record?.provider === id ? record : null;
};

export default defineProvider({
  id,
  displayName: "Hello (example, mines nothing)",
  detect: (hardware) => ({ supported: hardware.cpuCount > 0, estimatedHashrate: null }),
  async start(config, ctx) {
    const record = {
      provider: id,
      started_at: Date.now() / 1000,
      wallet_address: config.walletAddress,
      payout_target: formatSubmitTarget(config.submitTarget),
    };
    writeSidecar(ctx.paths.sidecarPath, record);
    return readSidecar(ctx.paths.sidecarPath);
  },
  async stop(ctx) {
    if (session(ctx)) removeSidecar(ctx.paths.sidecarPath);
  },
  isRunning: async (ctx) => session(ctx) !== null,
  async stats(ctx) {
    const record = session(ctx);
    const uptimeSeconds = record ? Math.max(0, Date.now() / 1000 - record.started_at) : null;
    return {
      providerId: id,
      running: record !== null,
      hashrate: null,
      attempts: null,
      proofsSubmitted: null,
      proofsRejected: null,
      blocksFound: null,
      lastProofAt: null,
      uptimeSeconds,
      lastError: null,
      payoutTarget: String(record?.payout_target ?? "solo"),
    };
  },
});
