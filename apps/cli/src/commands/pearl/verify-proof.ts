/** `jarvis pearl verify-proof`: check a plain proof against a header; prints ok or the reason. */
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import {
  decodePlainProof,
  headerNbits,
  INCOMPLETE_HEADER_LENGTH,
  type PlainProof,
  plainProofFromBase64,
  verifyPlainProof,
} from "@openjarvis/pearl";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions } from "../options.js";

const Options = z.object({
  header: z.string().min(1),
  proof: z.string().min(1),
  certVersion: z.coerce.number().int().min(1).max(5),
  nbits: z.string().optional(),
  rankPenalty: z.boolean().optional(),
});

const usage = (message: string, hint: string) =>
  new MiningError(ErrorCodes.USAGE, message, { hint, exitCode: 2 });

/** 76 bytes from hex (152 digits, optional 0x) or base64. */
export function parseHeader(text: string): Uint8Array {
  const trimmed = text.trim();
  const hex = trimmed.replace(/^0x/i, "");
  let bytes: Uint8Array | null = null;
  if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === INCOMPLETE_HEADER_LENGTH * 2) {
    bytes = Uint8Array.from(Buffer.from(hex, "hex"));
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    bytes = Uint8Array.from(Buffer.from(trimmed, "base64"));
  }
  if (!bytes || bytes.length !== INCOMPLETE_HEADER_LENGTH) {
    throw usage(
      `--header must be the ${INCOMPLETE_HEADER_LENGTH}-byte incomplete header as hex or base64 (got ${bytes ? `${bytes.length} bytes` : "neither"})`,
      "copy the header from the gateway job (`incomplete_header_bytes`)",
    );
  }
  return bytes;
}

/** Decimal (`486604799`) or hex (`0x1d00ffff`, or bare hex as pearld prints `bits`). */
export function parseNbits(text: string): number {
  const t = text.trim();
  const value = /^0x[0-9a-f]+$/i.test(t)
    ? Number.parseInt(t.slice(2), 16)
    : /^[0-9]+$/.test(t)
      ? Number(t)
      : /^[0-9a-f]{1,8}$/i.test(t)
        ? Number.parseInt(t, 16)
        : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw usage(
      `--nbits must be a 32-bit value (got ${JSON.stringify(text)})`,
      "for example --nbits 0x1d00ffff",
    );
  }
  return value;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** A proof file holds base64 text (what the gateway receives) or the raw bincode bytes. */
export function parseProof(bytes: Uint8Array): PlainProof {
  const text = Buffer.from(bytes).toString("utf8").trim();
  try {
    if (/^[A-Za-z0-9+/=\s]+$/.test(text) && text.length > 0)
      return plainProofFromBase64(text.replace(/\s+/g, ""));
    return decodePlainProof(bytes);
  } catch (error) {
    throw new MiningError(
      ErrorCodes.PROOF_INVALID,
      `the proof does not decode: ${(error as Error).message}`,
      {
        hint: "pass the base64 text of a plain proof (as submitted to the gateway) or its raw bytes",
        cause: error,
      },
    );
  }
}

export default async function verifyProof(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const header = parseHeader(opts.header);
  const nbits = opts.nbits === undefined ? undefined : parseNbits(opts.nbits);
  let raw: Buffer;
  if (opts.proof === "-") {
    if (!ctx.io.stdin) throw usage("--proof - needs standard input", "pass a file instead");
    raw = await readAll(ctx.io.stdin);
  } else {
    try {
      raw = readFileSync(opts.proof);
    } catch (error) {
      throw new MiningError(ErrorCodes.IO, `cannot read the proof file ${opts.proof}`, {
        hint: "check the path, or pass - to read standard input",
        cause: error,
      });
    }
  }
  const proof = parseProof(raw);
  const result = verifyPlainProof(header, proof, {
    certVersion: opts.certVersion,
    ...(nbits === undefined ? {} : { nbitsOverride: nbits }),
    ...(opts.rankPenalty ? { rankPenalty: true } : {}),
  });
  const usedNbits = nbits ?? headerNbits(header);
  if (!result.ok) {
    throw new MiningError(ErrorCodes.PROOF_INVALID, `invalid: ${result.reason ?? "rejected"}`, {
      hint: "check --cert-version and --nbits match the job the proof was mined for",
      details: { nbits: usedNbits },
    });
  }
  ctx.json({ ok: true, valid: true, certVersion: opts.certVersion, nbits: usedNbits });
  ctx.print("ok");
  return 0;
}
