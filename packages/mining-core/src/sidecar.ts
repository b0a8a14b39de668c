// Placeholder: the mining-core work replaces this with the full implementation.
export type SidecarRecord = Record<string, unknown> & { provider: string };
