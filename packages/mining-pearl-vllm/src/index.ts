export { type AttachOptions, attachMiner } from "./attach.js";
export {
  CONTAINER_NAME,
  DEFAULT_IMAGE_TAG,
  DEFAULT_MODEL,
  LABEL_MANAGED,
  LABEL_MODEL,
  LABEL_PROVIDER,
  LEGACY_DEFAULT_IMAGE_TAG,
  PEARL_PINNED_COMMIT,
  PEARL_REPO_URL,
  PROVIDER_ID,
} from "./constants.js";
export { defaultEngine, hfCacheDir, secretValues } from "./context.js";
export {
  type DetectOptions,
  detectForConfig,
  detectVllmPearl,
  tensorParallelSizeOf,
} from "./detect.js";
export { type DoctorRow, doctorChecks } from "./doctor.js";
export { DockerCliEngine, type DockerCliEngineOptions } from "./engine/docker-cli.js";
export { mapCliFailure } from "./engine/errors.js";
export { type MemoryContainer, MemoryEngine } from "./engine/memory.js";
export type {
  BuildSpec,
  ContainerEngine,
  ContainerInfo,
  ContainerState,
  ContainerSummary,
  EngineVersion,
  LogStreamOptions,
  RunSpec,
} from "./engine/types.js";
export {
  countGatewayLine,
  countGatewayOutcomes,
  emptyOutcomes,
  type GatewayOutcomes,
  gatewayFailureIn,
} from "./gateway-log.js";
export {
  type EnsureImageOptions,
  ensureImage,
  type ImageOrigin,
  type PearlSource,
  PINNED_PEARL_SOURCE,
} from "./image.js";
export { type InspectionArtifact, type InspectModelOptions, inspectModel } from "./inspect.js";
export {
  findModel,
  listModels,
  PEARL_MODELS,
  type PearlModelSpec,
  type PearlModelStatus,
  pearlVariantFor,
  registryCheck,
} from "./models.js";
export {
  createVllmPearlProvider,
  type VllmPearlProviderOptions,
  vllmPearlProvider,
} from "./provider.js";
export { type ReadinessOptions, waitForReady } from "./readiness.js";
export { buildRunArgs, type RunArgs, type RunArgsOptions } from "./run-args.js";
export { networkOfRpcUrl, resolveSettings, splitArgs, type VllmSettings } from "./settings.js";
export {
  type Check,
  type ValidateModelOptions,
  type ValidationArtifact,
  validateModel,
} from "./validate.js";
export { serverRoot, type VllmMetrics, vllmMetricsFrom } from "./vllm-metrics.js";

import { vllmPearlProvider } from "./provider.js";
export default vllmPearlProvider;
