export {
  ADDRESS_HRPS,
  type AddressNetwork,
  decodeMiningAddress,
  encodeTaprootAddress,
  MAX_ADDRESS_LENGTH,
  type MiningAddress,
  networkOfAddress,
} from "./address.js";
export { blake3, blake3ChunkCv, blake3Keyed, blake3ParentCv } from "./blake3.js";
export { type BuildPlainProofInput, buildPlainProof } from "./build.js";
export { bytesToHex, hexToBytes } from "./bytes.js";
export {
  encodeMiningConfiguration,
  jobKey,
  MINING_CONFIGURATION_LENGTH,
  type MiningConfiguration,
} from "./config.js";
export {
  type DecodedIncompleteHeader,
  decodeIncompleteHeader,
  encodeIncompleteHeader,
  headerNbits,
  INCOMPLETE_HEADER_LENGTH,
  type IncompleteHeader,
} from "./header.js";
export {
  leavesForRows,
  type MerkleProof,
  merkleMultiproof,
  merkleRootFromProof,
  merkleRootKeyed,
  pad1024,
} from "./merkle.js";
export {
  type MineJob,
  type MineOptions,
  type MineProgress,
  type MineResult,
  mineReference,
} from "./mine.js";
export {
  type NoiseLabel,
  type NoisePermutation,
  noisePermutation,
  noisePrf,
  noiseUniformRow,
  noisyRowA,
  noisyRowBt,
} from "./noise.js";
export {
  type PeriodicPattern,
  patternFromBytes,
  patternFromList,
  patternOffsetIsValid,
  patternPeriod,
  patternSize,
  patternToBytes,
  patternToList,
  validOffsets,
} from "./pattern.js";
export {
  decodePlainProof,
  encodePlainProof,
  type MatrixMerkleProof,
  type PlainProof,
  plainProofFromBase64,
  plainProofToBase64,
} from "./proof.js";
export { B_STREAM, fillMatrix } from "./random.js";
export { deriveNoiseSeeds, type NoiseSeeds, SALT_A, SALT_B } from "./seeds.js";
export {
  type CertVersion,
  checkCertVersion,
  checkShape,
  MAINNET_SHAPE,
  type MiningShape,
  OPENJARVIS_SHAPE,
} from "./shape.js";
export {
  expectedAttemptsPerBlock,
  nbitsToTarget,
  PENALTY_BASE_RANK,
  targetToNbits,
  tileBound,
  tilesPerAttempt,
  winProbabilityPerTile,
} from "./target.js";
export { hashLeqBound, jackpotHash, tileJackpotState } from "./transcript.js";
export { type VerifyOptions, type VerifyResult, verifyPlainProof } from "./verify.js";
