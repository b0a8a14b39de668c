export {
  type Calibration,
  calibrationPath,
  readCalibration,
  writeCalibration,
} from "./calibration.js";
export {
  CPU_PEARL_EXTRA_DEFAULTS,
  type GatewayMode,
  PROVIDER_ID,
  resolveSettings,
  type SupervisorSettings,
} from "./config.js";
export { cpuPearlProvider, hasWasmSimd } from "./provider.js";
export { METRICS, renderMetrics, type SupervisorStatus } from "./status.js";

import { cpuPearlProvider } from "./provider.js";

export default cpuPearlProvider;
