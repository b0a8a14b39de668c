// Placeholder: the mining-core work replaces this with the full implementation.
export interface MiningPaths {
  home: string;
  runtimeDir: string;
  logsDir: string;
  configPath: string;
  sidecarPath: string;
  lockPath: string;
}
