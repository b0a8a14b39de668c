/** `jarvis pearl wallet ARGS…`: run `oyster` with ARGS verbatim and exit with its code. */
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { runNative } from "./native.js";

export default function wallet(ctx: Ctx, input: CommandInput): Promise<number> {
  return runNative(ctx, input, "oyster");
}
