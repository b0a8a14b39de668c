import { isMiningError } from "@openjarvis/mining-core";
import {
  decodePlainProof,
  encodePlainProof,
  GatewayClient,
  type GatewayJob,
  MAINNET_SHAPE,
  type MiningShape,
  mine,
  mineReference,
  nbitsToTarget,
  OPENJARVIS_SHAPE,
  plainProofFromBase64,
  plainProofToBase64,
} from "@openjarvis/pearl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVNET_DEFAULT_NBITS, DEVNET_INSTANT_NBITS } from "../src/index.js";
import { closeAll, devnet, until } from "./helpers.js";

/** Saturating bound, so the first tile wins; and its target has 78 digits. */
const NBITS_78_DIGITS = 0x2100ffff;

const clients: GatewayClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await closeAll();
});

function client(address: string): GatewayClient {
  const c = new GatewayClient(address, { reconnect: { maxWaitMs: 500 } });
  clients.push(c);
  return c;
}

function shape(base: Readonly<MiningShape>): MiningShape {
  return { ...base, rows: [...base.rows], cols: [...base.cols] };
}

async function mineFor(job: GatewayJob, s: MiningShape, seed = 1): Promise<string> {
  const certVersion = job.certVersion as 1 | 2 | 3;
  const { proof } = await mineReference(
    { header: job.incompleteHeaderBytes, certVersion, shape: s },
    { seed },
  );
  return plainProofToBase64(proof);
}

function withJob(job: GatewayJob, change: Record<string, unknown>): Record<string, unknown> {
  return { ...job.raw, ...change };
}

describe("devnet chain: a real mined proof through GatewayClient (mainnet shape, cert 3)", () => {
  let net: Awaited<ReturnType<typeof devnet>>;
  let gateway: GatewayClient;
  let job1: GatewayJob;
  let proof1: string;

  beforeAll(async () => {
    net = await devnet({ nbits: NBITS_78_DIGITS });
    gateway = client(net.gatewayAddress);
    job1 = await gateway.getMiningInfo();
    proof1 = await mineFor(job1, shape(MAINNET_SHAPE));
  });

  it("is verified and extends the chain with a new tip and a new job", async () => {
    expect(job1.target).toBe(nbitsToTarget(NBITS_78_DIGITS));
    expect(job1.target.toString()).toHaveLength(78);
    expect(await gateway.submitPlainProof(proof1, job1)).toBe("submitted");
    const snap = await net.waitForBlocks(1, 20_000);
    expect(snap.height).toBe(1);
    expect(snap.proofs).toMatchObject({
      submitted: 1,
      accepted: 1,
      stale: 0,
      duplicate: 0,
      invalid: 0,
    });
    const accepted = snap.recent[0]!;
    expect(accepted).toMatchObject({ outcome: "accepted", jobHeight: 1, certVersion: 3 });
    expect(snap.tip).toBe(accepted.blockHash);
    expect(snap.blocks.at(-1)).toMatchObject({ height: 1, hash: snap.tip, minedHere: true });

    const job2 = await gateway.getMiningInfo();
    const prevBlock = Buffer.from(job2.incompleteHeaderBytes.subarray(4, 36))
      .reverse()
      .toString("hex");
    expect(prevBlock).toBe(snap.tip);
    const timestamp = (bytes: Uint8Array) => Buffer.from(bytes).readUInt32LE(68);
    expect(timestamp(job2.incompleteHeaderBytes)).toBeGreaterThan(
      timestamp(job1.incompleteHeaderBytes),
    );
    expect(snap.job?.height).toBe(2);
    expect(net.logs.some((l) => l.includes("Block accepted by node!"))).toBe(true);
    expect(net.logs.every((l) => l.includes("devnet"))).toBe(true);
  });

  it("records a resubmitted proof, and any proof for a solved job, as duplicate", async () => {
    await gateway.submitPlainProof(proof1, job1);
    await gateway.submitPlainProof("QUJD", job1);
    await until(() => net.snapshot().proofs.duplicate === 2);
    const reasons = net
      .snapshot()
      .recent.slice(-2)
      .map((r) => r.reason);
    expect(reasons).toEqual([
      "this exact proof was already submitted",
      "a block was already found for this job",
    ]);
    expect(net.snapshot().height).toBe(1);
  });

  it("records a proof for a header that is not the current job as stale", async () => {
    const legacy = Buffer.from(
      encodePlainProof(plainProofFromBase64(proof1), { legacy: true }),
    ).toString("base64");
    const otherHeader = Buffer.alloc(76, 9).toString("base64");
    await gateway.submitPlainProof(
      legacy,
      withJob(job1, { incomplete_header_bytes: otherHeader, target: job1.target }),
    );
    await until(() => net.snapshot().proofs.stale === 1);
    expect(net.snapshot().recent.at(-1)).toMatchObject({
      outcome: "stale",
      reason: "the job's header is not the current template",
    });
  });

  it("records an undecodable proof, a proof for another header and a wrong cert version as invalid", async () => {
    const job2 = await gateway.getMiningInfo();
    await gateway.submitPlainProof("QUJDRA==", job2);
    await gateway.submitPlainProof(proof1.replace(/^.{8}/, "AQAAAAAA"), job2);
    await gateway.submitPlainProof(
      "QUJDRUZH",
      withJob(job2, { cert_version: 2, target: job2.target }),
    );
    await until(() => net.snapshot().proofs.invalid === 3);
    const reasons = net
      .snapshot()
      .recent.slice(-3)
      .map((r) => r.reason ?? "");
    expect(reasons[0]).toMatch(/malformed plain proof/);
    expect(reasons[1]).toBeTruthy();
    expect(reasons[2]).toBe("certificate version 2 is not the required 3");
    expect(net.snapshot().height).toBe(1);
  });

  it("records a proof sent while paused as stale, and reports paused through the client", async () => {
    const job2 = await gateway.getMiningInfo();
    net.pause();
    const error = await gateway.getMiningInfo().catch((e: unknown) => e);
    expect(isMiningError(error) && error.code).toBe("E_GATEWAY_PAUSED");
    await gateway.submitPlainProof("QUJDRUZHSA==", job2);
    await until(() => net.snapshot().proofs.stale === 2);
    expect(net.snapshot().recent.at(-1)?.reason).toBe("no block template available");
    net.resume();
  });

  it("makes the current job stale when another miner finds a block", async () => {
    const before = await gateway.getMiningInfo();
    net.advanceTip();
    const after = await gateway.getMiningInfo();
    expect(
      Buffer.from(after.incompleteHeaderBytes).equals(Buffer.from(before.incompleteHeaderBytes)),
    ).toBe(false);
    const snap = net.snapshot();
    expect(snap.height).toBe(2);
    expect(snap.blocksFound).toBe(1);
    expect(snap.blocks.at(-1)?.minedHere).toBe(false);
    await gateway.submitPlainProof("QUJDRUZHSUo=", before);
    await until(() => net.snapshot().proofs.stale === 3);
  });

  it("refuses a proof over the 1 MiB line before it reaches the devnet", async () => {
    const job = await gateway.getMiningInfo();
    const submitted = net.snapshot().proofs.submitted;
    const error = await gateway
      .submitPlainProof("A".repeat(1024 * 1024), job)
      .catch((e: unknown) => e);
    expect(isMiningError(error) && error.code).toBe("E_GATEWAY_PROTOCOL");
    expect(net.snapshot().proofs.submitted).toBe(submitted);
  });
});

describe("devnet with the WebAssembly engine", () => {
  it("accepts mine()'s proofs at the default nbits, two blocks in a row", async () => {
    const net = await devnet();
    const gateway = client(net.gatewayAddress);
    for (const height of [1, 2]) {
      const job = await gateway.getMiningInfo();
      const { proof } = await mine(
        { header: job.incompleteHeaderBytes, certVersion: 3, shape: shape(MAINNET_SHAPE) },
        { threads: 1 },
      );
      await gateway.submitPlainProof(plainProofToBase64(proof), job);
      await net.waitForBlocks(height, 20_000);
    }
    expect(net.snapshot()).toMatchObject({
      height: 2,
      blocksFound: 2,
      job: { height: 3, nbits: `0x${DEVNET_DEFAULT_NBITS.toString(16)}` },
    });
  });
});

describe("devnet verification options", () => {
  it("forgets proofs 16 blocks later, so its memory stays bounded", async () => {
    const net = await devnet();
    const gateway = client(net.gatewayAddress);
    const first = await gateway.getMiningInfo();
    await gateway.submitPlainProof("QUJD", first);
    await gateway.submitPlainProof("QUJD", first);
    await until(() => net.snapshot().recent.length === 2);
    for (let i = 0; i < 17; i++) net.advanceTip();
    await gateway.submitPlainProof("QUJD", await gateway.getMiningInfo());
    await until(() => net.snapshot().recent.length === 3);
    expect(net.snapshot().recent.map((r) => r.outcome)).toEqual([
      "invalid",
      "duplicate",
      "invalid",
    ]);
  });

  it("rejects a tampered leaf, then accepts the untampered proof", async () => {
    const net = await devnet({ nbits: DEVNET_INSTANT_NBITS });
    const gateway = client(net.gatewayAddress);
    const job = await gateway.getMiningInfo();
    const good = await mineFor(job, shape(MAINNET_SHAPE), 2);
    const tampered = decodePlainProof(Buffer.from(good, "base64"));
    const leaf = tampered.a.proof.leafData[0]!;
    leaf[0] = (leaf[0]! + 1) & 0x3f;
    await gateway.submitPlainProof(plainProofToBase64(tampered), job);
    await gateway.submitPlainProof(good, job);
    const snap = await net.waitForBlocks(1, 20_000);
    expect(snap.recent.map((r) => r.outcome)).toEqual(["invalid", "accepted"]);
    expect(snap.recent[0]?.reason).toBeTruthy();
  });

  it("applies the rank penalty by default and follows the job's cert version", async () => {
    const penalised = await devnet({ nbits: DEVNET_INSTANT_NBITS, certVersion: 1 });
    const relaxed = await devnet({
      nbits: DEVNET_INSTANT_NBITS,
      certVersion: 1,
      rankPenalty: false,
    });
    for (const net of [penalised, relaxed]) {
      const gateway = client(net.gatewayAddress);
      const job = await gateway.getMiningInfo();
      expect(job.certVersion).toBe(1);
      await gateway.submitPlainProof(await mineFor(job, shape(OPENJARVIS_SHAPE)), job);
    }
    await until(() => penalised.snapshot().proofs.invalid === 1);
    expect(penalised.snapshot().recent[0]?.reason).toMatch(/rank/);
    await relaxed.waitForBlocks(1, 20_000);
  });
});
