export type { Ctx, GlobalFlags } from "./context.js";
export type { Env, Io, Prompter, SelectPrompt, TextPrompt } from "./io.js";
export { processIo } from "./io.js";
export type { CommandInput, Dispatch, ProgramOptions } from "./program.js";
export { createProgram, EXIT, run } from "./program.js";
export {
  FIRST_PARTY,
  installCommand,
  isMissingPackage,
  type ProviderEntry,
  type ProviderSet,
  providerSet,
} from "./providers.js";
