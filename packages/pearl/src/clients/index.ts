export {
  formatGatewayAddress,
  type GatewayAddress,
  parseGatewayUrl,
} from "./gateway-address.js";
export {
  DEFAULT_GATEWAY_TIMEOUT_MS,
  GATEWAY_MAX_LINE_BYTES,
  GatewayClient,
  type GatewayClientOptions,
  type GatewayJob,
  toGatewayJob,
} from "./gateway-client.js";
export {
  type JsonValue,
  type ParsedWithRawMembers,
  parseJsonKeepingRawMembers,
  parseJsonWithBigInts,
  stringifyJsonWithBigInts,
} from "./json.js";
export {
  type BlockchainInfo,
  type BlockTemplate,
  type NodeMiningInfo,
  PearldClient,
  type PearldClientOptions,
} from "./pearld-client.js";
