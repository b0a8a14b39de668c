export type { AttemptPhases } from "./core.js";
export { mine } from "./mine.js";
export {
  createMinerPool,
  type MinerCounters,
  type MinerPool,
  type MinerPoolOptions,
  type MinerPoolStats,
  type PoolMineOptions,
} from "./pool.js";
