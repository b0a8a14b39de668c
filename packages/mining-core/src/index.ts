export * from "./errors.js";
export type { MiningPaths } from "./paths.js";
export * from "./provider.js";
export type { SidecarRecord } from "./sidecar.js";
