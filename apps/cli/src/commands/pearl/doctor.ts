/** `jarvis pearl doctor`: where pearld, oyster and prlctl are (or how to get them). */
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { parseOptions } from "../options.js";
import { findBinary, GET_PEARL_HINT, PEARL_BINARIES } from "./binaries.js";

const Options = z.object({ pearlHome: z.string().optional() });

export default async function doctor(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const rows = PEARL_BINARIES.map((name) => ({
    name,
    path: findBinary(ctx, name, opts.pearlHome),
  }));
  const missing = rows.filter((row) => row.path === null);
  ctx.json({
    ok: true,
    binaries: rows,
    ...(missing.length > 0 ? { hint: GET_PEARL_HINT } : {}),
  });
  const { green, red } = ctx.colors;
  const lines = rows.map(
    (row) =>
      `  ${row.name.padEnd(8)} ${row.path ? `${row.path} ${green("OK")}` : `not found ${red("FAIL")}`}`,
  );
  ctx.print(`Pearl CLI Doctor\n${lines.join("\n")}`);
  if (missing.length > 0) ctx.note(`hint: ${GET_PEARL_HINT}`);
  // Informational like OpenJarvis: a missing native tool does not stop mining with jarvis.
  return 0;
}
