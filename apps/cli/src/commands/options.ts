/** zod at the edge: option values arrive as strings and leave as checked, typed values. */
import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import { z } from "zod";

export const intOption = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int("must be a whole number").min(min).max(max);

export const secondsOption = (min: number, max: number) =>
  z.coerce.number().finite().min(min).max(max);

/** Parse commander's option record; a bad value is a usage error naming the flag. */
export function parseOptions<T extends z.ZodType>(
  schema: T,
  raw: Record<string, unknown>,
): z.output<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue?.path[0] ?? "");
  const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const value = key ? raw[key] : undefined;
  throw new MiningError(
    ErrorCodes.USAGE,
    `${flag}: ${issue?.message ?? "invalid value"}${value === undefined ? "" : ` (got ${JSON.stringify(value)})`}`,
    { hint: "add --help to see the usage", exitCode: 2, details: { option: flag } },
  );
}
