/** `jarvis mine models`: the Pearl model registry as a table. */
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { vllmModule } from "../vllm.js";

export default async function models(ctx: Ctx, _input: CommandInput): Promise<number> {
  const { listModels } = await vllmModule();
  const list = listModels();
  ctx.json({ ok: true, models: list });
  const rows = list.map((m) => [
    m.status === "validated" ? ctx.colors.green(m.status) : ctx.colors.yellow(m.status),
    m.modelId,
    m.baseModelId,
    `${m.minVramGb.toFixed(0)} GB`,
    String(m.defaultMaxModelLen),
  ]);
  ctx.print(
    `Pearl Mining Models\n${ctx.table(["Status", "Model", "Base model", "VRAM", "Context"], rows)}`,
  );
  const notes = [...new Set(list.map((m) => m.notes).filter(Boolean))];
  if (notes.length > 0) ctx.print(notes.map((note) => `  ${ctx.colors.dim(note)}`).join("\n"));
  return 0;
}
