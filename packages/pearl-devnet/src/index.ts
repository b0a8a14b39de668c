export type { DevnetBlock, ProofOutcome, ProofRecord } from "./chain.js";
export {
  DEVNET_DEFAULT_NBITS,
  DEVNET_INSTANT_NBITS,
  DEVNET_NOTE,
  type Devnet,
  type DevnetOptions,
  type DevnetSnapshot,
  startDevnet,
} from "./devnet.js";
export type { ReplyFault, WireGeneration } from "./gateway.js";
export type { DevnetLogSink } from "./log.js";
export type { NodeFault } from "./node.js";
