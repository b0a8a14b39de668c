/** The @clack/prompts prompter used on a real terminal. Cancelling (Ctrl-C) is E_ABORTED. */
import { isCancel, select, text } from "@clack/prompts";
import { ErrorCodes, MiningError } from "@openjarvis/mining-core";
import type { Io, Prompter } from "../io.js";

function aborted(): never {
  throw new MiningError(ErrorCodes.ABORTED, "aborted; nothing was written", {
    hint: "run it again, or pass every value as a flag (see --help) with --yes",
  });
}

export function clackPrompter(io: Io): Prompter {
  const common = { ...(io.stdin ? { input: io.stdin } : {}), output: process.stderr };
  return {
    async text(prompt) {
      const value = await text({
        ...common,
        message: prompt.message,
        ...(prompt.initialValue !== undefined ? { initialValue: prompt.initialValue } : {}),
        ...(prompt.placeholder !== undefined ? { placeholder: prompt.placeholder } : {}),
        ...(prompt.validate
          ? { validate: (v: string | undefined) => prompt.validate?.(v ?? "") }
          : {}),
      });
      if (isCancel(value)) aborted();
      return String(value ?? "");
    },
    async select(prompt) {
      const value = await select({
        ...common,
        message: prompt.message,
        options: prompt.options.map((o) => ({
          value: o.value,
          label: o.label,
          ...(o.hint ? { hint: o.hint } : {}),
        })),
        ...(prompt.initialValue !== undefined ? { initialValue: prompt.initialValue } : {}),
      } as Parameters<typeof select>[0]);
      if (isCancel(value)) aborted();
      return value as typeof prompt.initialValue & string;
    },
  };
}
