/**
 * `jarvis pearl address`: `prlctl --wallet … getnewaddress`. The wallet password never goes on a
 * command line: it is read from an environment variable and handed to prlctl in a private,
 * temporary config file that is deleted afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions } from "../options.js";
import { requireBinary, runBinary } from "./binaries.js";

const Options = z.object({
  pearlHome: z.string().optional(),
  user: z.string().min(1),
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"),
  password: z.string().optional(),
  server: z.string().min(1),
  notls: z.boolean().optional(),
  tls: z.boolean().optional(),
  skipverify: z.boolean().optional(),
  verify: z.boolean().optional(),
});

/** prlctl arguments: everything but the secret. */
export function addressArgs(
  opts: { user: string; server: string; tls: boolean; verify: boolean },
  configFile: string,
): string[] {
  const args = [`--configfile=${configFile}`, "--wallet", "-u", opts.user, "-s", opts.server];
  if (!opts.tls) args.push("--notls");
  else if (!opts.verify) args.push("--skipverify");
  args.push("getnewaddress");
  return args;
}

export default async function address(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  let password = opts.password;
  if (password !== undefined) {
    ctx.warn(
      `-P/--password is visible to other users of this machine; use --password-env ${opts.passwordEnv} instead`,
    );
  } else {
    password = ctx.env[opts.passwordEnv];
  }
  if (password === undefined || password === "") {
    throw new MiningError(
      ErrorCodes.SECRET_MISSING,
      `the wallet RPC password is not set ($${opts.passwordEnv})`,
      {
        hint: `export ${opts.passwordEnv}=<your Oyster RPC password> and run the command again`,
        details: { env: opts.passwordEnv },
      },
    );
  }
  const prlctl = requireBinary(ctx, "prlctl", opts.pearlHome);
  const dir = mkdtempSync(join(tmpdir(), "jarvis-prlctl-"));
  const configFile = join(dir, "prlctl.conf");
  try {
    writeFileSync(configFile, `[Application Options]\nrpcpass=${password}\n`, { mode: 0o600 });
    const tls = opts.tls === true && opts.notls !== true;
    const verify = opts.verify === true && opts.skipverify !== true;
    const args = addressArgs({ user: opts.user, server: opts.server, tls, verify }, configFile);
    const result = await runBinary(ctx, prlctl, args, { capture: true });
    if (result.stderr) ctx.note(result.stderr.trimEnd());
    if (result.code !== 0) {
      throw new MiningError(ErrorCodes.IO, `prlctl exited with ${result.code}`, {
        hint: "is the Oyster wallet running and unlocked, and are -s/--server and -u/--user right?",
        details: { exitCode: result.code },
      });
    }
    const newAddress = result.stdout.trim();
    ctx.json({ ok: true, address: newAddress });
    ctx.print(newAddress);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
