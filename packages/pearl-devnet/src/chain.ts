import { createHash, randomBytes } from "node:crypto";
import { nbitsToTarget, verifyPlainProof } from "@openjarvis/pearl";
import type { DevnetLog } from "./log.js";

export type ProofOutcome = "accepted" | "stale" | "duplicate" | "invalid";

export interface ProofRecord {
  /** ISO time the verdict was reached. */
  at: string;
  outcome: ProofOutcome;
  reason?: string;
  /** Height of the block the proof's job was for (0 if the job is unknown). */
  jobHeight: number;
  certVersion: number;
  /** Display hash of the new block, for accepted proofs. */
  blockHash?: string;
}

export interface DevnetBlock {
  height: number;
  hash: string;
  at: string;
  /** false for tips made by `advanceTip()` (someone else's block). */
  minedHere: boolean;
}

/** The job the gateway hands out: the header of the next block. */
export interface DevnetJob {
  height: number;
  header: Uint8Array;
  headerBase64: string;
  nbits: number;
  target: bigint;
  certVersion: number;
  timestamp: number;
  /** Display-order hex of the previous block hash (as RPC shows it). */
  previousBlockHash: string;
}

export interface Submission {
  headerBase64: string;
  proofBase64: string;
  certVersion: number;
}

const BLOCK_VERSION = 0x20000000;
const KEEP_RECORDS = 200;
const KEEP_BLOCKS = 50;
/** Older proofs and solved headers are forgotten (memory stays bounded); they then count as stale. */
const DEDUP_DEPTH = 16;

function sha256d(...parts: Uint8Array[]): Uint8Array {
  const inner = createHash("sha256");
  for (const part of parts) inner.update(part);
  return new Uint8Array(createHash("sha256").update(inner.digest()).digest());
}

function displayHex(internal: Uint8Array): string {
  return Buffer.from(internal).reverse().toString("hex");
}

/**
 * The devnet's chain: a tip, the job for the next block, and the verdict on every proof. A
 * winning proof for the current job becomes the next block at once (no ZK proof, no transactions).
 */
export class DevnetChain {
  readonly nbits: number;
  readonly certVersion: number;
  readonly rankPenalty: boolean;
  readonly blocks: DevnetBlock[] = [];
  readonly records: ProofRecord[] = [];
  readonly counts: Record<ProofOutcome, number> = {
    accepted: 0,
    stale: 0,
    duplicate: 0,
    invalid: 0,
  };
  submitted = 0;
  blocksFound = 0;
  height = 0;
  paused = false;
  #tip: Uint8Array;
  #tipTimestamp: number;
  #job: DevnetJob;
  readonly #runId = randomBytes(8);
  /** Header → height, and proof hash → height: remembered for DEDUP_DEPTH blocks only. */
  readonly #wonHeaders = new Map<string, number>();
  readonly #seenProofs = new Map<string, number>();
  readonly #queue: Submission[] = [];
  #draining = false;
  readonly #log: DevnetLog;
  readonly #listeners = new Set<() => void>();

  constructor(options: {
    nbits: number;
    certVersion: number;
    rankPenalty: boolean;
    log: DevnetLog;
  }) {
    this.nbits = options.nbits;
    this.certVersion = options.certVersion;
    this.rankPenalty = options.rankPenalty;
    this.#log = options.log;
    this.#tip = sha256d(Buffer.from("pearl-devnet genesis"), this.#runId);
    this.#tipTimestamp = Math.floor(Date.now() / 1000) - 1;
    this.#job = this.#nextJob();
  }

  /** The current job, or undefined while paused (the gateway answers -32001). */
  get job(): DevnetJob | undefined {
    return this.paused ? undefined : this.#job;
  }

  /** The job even while paused (the node's template). */
  get template(): DevnetJob {
    return this.#job;
  }

  get tipHash(): string {
    return displayHex(this.#tip);
  }

  get tipTimestamp(): number {
    return this.#tipTimestamp;
  }

  /** Called after every verdict and every new tip. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Another miner found a block: the current job goes stale. */
  advanceTip(): void {
    this.#extend(sha256d(this.#job.header, Buffer.from("external"), this.#runId), false);
  }

  /** Queue a proof for verification; the gateway has already answered "submitted". */
  submit(submission: Submission): void {
    this.submitted++;
    this.#queue.push(submission);
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => this.#drain());
    }
  }

  /** Proofs waiting for a verdict. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves once every queued proof has a verdict. */
  async settled(): Promise<void> {
    while (this.#draining) await new Promise((resolve) => setImmediate(resolve));
  }

  #drain(): void {
    const next = this.#queue.shift();
    if (!next) {
      this.#draining = false;
      this.#emit();
      return;
    }
    try {
      this.#judge(next);
    } finally {
      // One verification per turn of the event loop keeps the sockets responsive.
      setImmediate(() => this.#drain());
    }
  }

  #judge(submission: Submission): void {
    const job = this.#job;
    const proofKey = createHash("sha256").update(submission.proofBase64).digest("hex");
    const firstTime = !this.#seenProofs.has(proofKey);
    this.#seenProofs.set(proofKey, this.height);
    const jobHeight = submission.headerBase64 === job.headerBase64 ? job.height : 0;
    this.#log(`Received PlainProof submission for template time ${job.timestamp}`);
    const record = (outcome: ProofOutcome, reason?: string, blockHash?: string, emit = true) => {
      this.counts[outcome]++;
      this.records.push({
        at: new Date().toISOString(),
        outcome,
        ...(reason === undefined ? {} : { reason }),
        jobHeight,
        certVersion: submission.certVersion,
        ...(blockHash === undefined ? {} : { blockHash }),
      });
      if (this.records.length > KEEP_RECORDS) this.records.shift();
      if (emit) this.#emit();
    };
    if (!firstTime) {
      this.#log("Block already submitted, skipping (identical proof)");
      record("duplicate", "this exact proof was already submitted");
      return;
    }
    if (this.#wonHeaders.has(submission.headerBase64)) {
      this.#log("Block already submitted, skipping");
      record("duplicate", "a block was already found for this job");
      return;
    }
    if (this.paused) {
      this.#log("Submitted block while no template is available. Skipping submission.");
      record("stale", "no block template available");
      return;
    }
    if (submission.headerBase64 !== job.headerBase64) {
      this.#log("Submitted block with old header. Skipping submission.");
      record("stale", "the job's header is not the current template");
      return;
    }
    if (submission.certVersion !== this.certVersion) {
      const reason = `certificate version ${submission.certVersion} is not the required ${this.certVersion}`;
      this.#log(`Block rejected: rejected: ${reason}`);
      record("invalid", reason);
      return;
    }
    const verdict = verifyPlainProof(job.header, submission.proofBase64, {
      certVersion: submission.certVersion,
      rankPenalty: this.rankPenalty,
    });
    if (!verdict.ok) {
      this.#log(`Block rejected: rejected: ${verdict.reason ?? "invalid proof"}`);
      record("invalid", verdict.reason ?? "invalid proof");
      return;
    }
    const commitment = sha256d(
      Uint8Array.of(submission.certVersion, 0, 0, 0),
      Buffer.from(submission.proofBase64, "base64"),
    );
    const hash = sha256d(job.header, commitment);
    this.#wonHeaders.set(job.headerBase64, job.height);
    this.blocksFound++;
    this.#log(`Block accepted by node! height ${job.height} hash ${displayHex(hash)}`);
    record("accepted", undefined, displayHex(hash), false);
    this.#extend(hash, true);
  }

  #extend(hash: Uint8Array, minedHere: boolean): void {
    this.#tip = hash;
    this.#tipTimestamp = this.#job.timestamp;
    this.height = this.#job.height;
    this.blocks.push({
      height: this.height,
      hash: displayHex(hash),
      at: new Date().toISOString(),
      minedHere,
    });
    if (this.blocks.length > KEEP_BLOCKS) this.blocks.shift();
    for (const seen of [this.#seenProofs, this.#wonHeaders]) {
      for (const [key, height] of seen) if (height < this.height - DEDUP_DEPTH) seen.delete(key);
    }
    this.#job = this.#nextJob();
    this.#log(`Updating block template to height ${this.#job.height}`);
    this.#emit();
  }

  #nextJob(): DevnetJob {
    const height = this.height + 1;
    const timestamp = Math.max(Math.floor(Date.now() / 1000), this.#tipTimestamp + 1);
    const heightBytes = Buffer.alloc(4);
    heightBytes.writeUInt32LE(height);
    const merkleRoot = sha256d(Buffer.from("pearl-devnet coinbase"), heightBytes, this.#runId);
    const header = new Uint8Array(76);
    const view = new DataView(header.buffer);
    view.setUint32(0, BLOCK_VERSION, true);
    header.set(this.#tip, 4);
    header.set(merkleRoot, 36);
    view.setUint32(68, timestamp, true);
    view.setUint32(72, this.nbits, true);
    return {
      height,
      header,
      headerBase64: Buffer.from(header).toString("base64"),
      nbits: this.nbits,
      target: nbitsToTarget(this.nbits),
      certVersion: this.certVersion,
      timestamp,
      previousBlockHash: displayHex(this.#tip),
    };
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
