/** Shared body of `jarvis pearl node|wallet|ctl`: run the tool with the arguments verbatim. */
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions } from "../options.js";
import { requireBinary, runBinary } from "./binaries.js";

const Options = z.object({ pearlHome: z.string().optional() });

export async function runNative(ctx: Ctx, input: CommandInput, binary: string): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const file = requireBinary(ctx, binary, opts.pearlHome);
  const { code } = await runBinary(ctx, file, input.args);
  return code;
}
