/** Provider-wide constants, in one place (OpenJarvis repeated these literals in several files). */

export const PROVIDER_ID = "vllm-pearl";
export const CONTAINER_NAME = "openjarvis-pearl-miner";

/** Our labels on every container we start, so we never touch a container that is not ours. */
export const LABEL_MANAGED = "org.openjarvis.mining.managed";
export const LABEL_PROVIDER = "org.openjarvis.mining.provider";
export const LABEL_MODEL = "org.openjarvis.mining.model";
export const LABEL_PEARL_COMMIT = "org.openjarvis.mining.pearl-commit";

/**
 * Pearl source the default image is built from: upstream commit 77fef91e, "Moe fork changes
 * (#173)" (Gen B in ../shared/pearl/GATEWAY-AND-NODE.md §0). Its entrypoint waits for the
 * gateway's Unix socket, and its Dockerfile already uses the CUDA devel base, so no patching is
 * needed. A fixed commit, never a branch: builds must be reproducible.
 */
export const PEARL_REPO_URL = "https://github.com/pearl-research-labs/pearl.git";
export const PEARL_PINNED_COMMIT = "77fef91ed7a875f03b9de7c82446f3f287ceb38d";
export const PEARL_DOCKERFILE = "miner/vllm-miner/Dockerfile";

/**
 * The default image is built locally and tagged under `localhost/`, which no public registry
 * serves, so a pull can never fetch somebody else's image that would receive the RPC password.
 */
export const DEFAULT_IMAGE_TAG = `localhost/openjarvis/pearl-miner:${PEARL_PINNED_COMMIT.slice(0, 12)}`;
/** OpenJarvis' default tag; configs written by OpenJarvis carry it and mean "the default". */
export const LEGACY_DEFAULT_IMAGE_TAG = "openjarvis/pearl-miner:master";

export const DEFAULT_MODEL = "pearl-ai/Llama-3.3-70B-Instruct-pearl";
export const DEFAULT_VLLM_PORT = 8000;
export const DEFAULT_VLLM_HOST = "127.0.0.1";
export const DEFAULT_PEARLD_RPC_URL = "http://localhost:44107";
export const DEFAULT_PEARLD_RPC_USER = "rpcuser";
export const DEFAULT_PASSWORD_ENV = "PEARLD_RPC_PASSWORD";
export const DEFAULT_HF_TOKEN_ENV = "HF_TOKEN";

/** Where the container sees the HF cache and a local model directory. */
export const CONTAINER_HF_CACHE = "/root/.cache/huggingface";
export const CONTAINER_LOCAL_MODEL = "/models/openjarvis-local-pearl-model";

export const STOP_TIMEOUT_SECONDS = 30;
/** OpenJarvis' free-disk threshold for the 70B model (the only number it documents). */
export const MIN_FREE_DISK_GB = 200;
