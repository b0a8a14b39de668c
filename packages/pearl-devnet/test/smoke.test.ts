import { GatewayClient, MAINNET_SHAPE, mineReference, plainProofToBase64 } from "@openjarvis/pearl";
import { expect, it } from "vitest";
import { DEVNET_INSTANT_NBITS, startDevnet } from "../src/index.js";

it("smoke", async () => {
  const devnet = await startDevnet({ nbits: DEVNET_INSTANT_NBITS, log: (l) => console.log(l) });
  const client = new GatewayClient(devnet.gatewayAddress);
  const job = await client.getMiningInfo();
  const t0 = performance.now();
  const result = await mineReference(
    {
      header: job.incompleteHeaderBytes,
      certVersion: 3,
      shape: { ...MAINNET_SHAPE, rows: [...MAINNET_SHAPE.rows], cols: [...MAINNET_SHAPE.cols] },
    },
    { seed: 1 },
  );
  console.log("mined in", performance.now() - t0, "attempts", result.attempts);
  expect(await client.submitPlainProof(plainProofToBase64(result.proof), job)).toBe("submitted");
  const t1 = performance.now();
  const snap = await devnet.waitForBlocks(1, 20000);
  console.log("verified in", performance.now() - t1, JSON.stringify(snap.recent));
  client.close();
  await devnet.close();
});
