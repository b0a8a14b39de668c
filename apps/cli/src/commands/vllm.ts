/**
 * vllm-pearl's extras (model registry, attach, model checks), loaded only when a command needs
 * them. The type import is erased at build time, so the CLI runs without the package installed.
 */
import type * as VllmPearl from "@openjarvis/mining-pearl-vllm";
import { FIRST_PARTY, firstParty, notInstalledError } from "../providers.js";

export type VllmModule = typeof VllmPearl;

export async function vllmModule(): Promise<VllmModule> {
  const entry = await firstParty("vllm-pearl");
  if (entry.status !== "loaded" || !entry.module) {
    throw entry.error ?? notInstalledError("vllm-pearl", FIRST_PARTY["vllm-pearl"]);
  }
  return entry.module as unknown as VllmModule;
}
