import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { DEFAULT_HF_TOKEN_ENV } from "./constants.js";
import { registryCheck } from "./models.js";
import type { Check } from "./validate.js";

export interface InspectModelOptions {
  /** Injected so tests can run offline against a local HTTP server. */
  fetch?: typeof fetch;
  /** Hugging Face root; default https://huggingface.co. */
  hfBaseUrl?: string;
  hfTokenEnv?: string;
  env?: Readonly<Record<string, string | undefined>>;
  allowPlanned?: boolean;
  /** Per HTTP request. */
  timeoutMs?: number;
}

/** The JSON artifact `jarvis mine inspect-model --output` writes. */
export interface InspectionArtifact {
  schema_version: 1;
  model: string;
  source: "local" | "huggingface";
  status: "passed" | "failed";
  allow_planned: boolean;
  hf_token_env: string;
  checks: Check[];
}

const WEIGHTS = /\.(safetensors|bin|gguf)$/;
const TOKENIZER = ["tokenizer.json", "tokenizer_config.json"];
const PROCESSOR = ["processor_config.json", "preprocessor_config.json"];
const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === ".git") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, full)));
    else out.push(relative(root, full));
  }
  return out.sort();
}

function quantMethod(config: unknown): string | undefined {
  const q = (config as { quantization_config?: { quant_method?: unknown } })?.quantization_config;
  return typeof q?.quant_method === "string" ? q.quant_method : undefined;
}

function architectures(config: unknown): string[] {
  const a = (config as { architectures?: unknown })?.architectures;
  return Array.isArray(a) ? a.filter((x): x is string => typeof x === "string") : [];
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] || "error";
}

/** Checks that hold for both sources, given the config and the file list. */
function artifactChecks(
  add: (n: string, ok: boolean, i: string) => void,
  config: unknown,
  files: string[],
) {
  const method = quantMethod(config);
  add(
    "Pearl quantization",
    method === "pearl",
    method ?? "missing quantization_config.quant_method",
  );
  const names = new Set(files.map((f) => f.split("/").pop() ?? f));
  add(
    "config.json",
    files.includes("config.json"),
    files.includes("config.json") ? "present" : "missing",
  );
  const tokenizer = TOKENIZER.some((t) => names.has(t));
  add("Tokenizer metadata", tokenizer, tokenizer ? "present" : `missing ${TOKENIZER.join("/")}`);
  const weights = files.filter((f) => WEIGHTS.test(f));
  add(
    "Weights",
    weights.length > 0,
    weights.length > 0 ? `${weights.length} files` : "no .safetensors/.bin/.gguf files",
  );
  // Gemma multimodal checkpoints need their processor files for vLLM to load them.
  if (architectures(config).some((a) => /Gemma\d*ForConditionalGeneration|Gemma4/.test(a))) {
    const missing = PROCESSOR.filter((p) => !names.has(p));
    add(
      "Gemma processor metadata",
      missing.length === 0,
      missing.length === 0 ? "present" : `missing ${missing.join(", ")}`,
    );
  }
}

/**
 * Is this a loadable Pearl checkpoint? `dirOrRepo` is a local directory (if it exists) or a
 * Hugging Face repository id read through the Hub's HTTP API.
 */
export async function inspectModel(
  dirOrRepo: string,
  options: InspectModelOptions = {},
): Promise<InspectionArtifact> {
  const fetchImpl = options.fetch ?? fetch;
  const base = (options.hfBaseUrl ?? "https://huggingface.co").replace(/\/+$/, "");
  const tokenEnv = options.hfTokenEnv ?? DEFAULT_HF_TOKEN_ENV;
  const token = (options.env ?? process.env)[tokenEnv] || undefined;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const allowPlanned = options.allowPlanned ?? false;
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, info: string) =>
    checks.push({ name, ok, info: token ? info.split(token).join("***") : info });

  let isLocal = false;
  try {
    isLocal = (await stat(dirOrRepo)).isDirectory();
  } catch {
    isLocal = false;
  }

  if (isLocal) {
    add("Model registry", true, "local artifact (not registered)");
    let config: unknown;
    try {
      config = JSON.parse(await readFile(join(dirOrRepo, "config.json"), "utf8"));
      add("Local artifact", true, dirOrRepo);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      add(
        "Local artifact",
        false,
        missing ? `missing ${join(dirOrRepo, "config.json")}` : `config.json: ${firstLine(error)}`,
      );
    }
    if (config !== undefined) {
      const files = await listFiles(dirOrRepo);
      add("File list", files.length > 0, `${files.length} files`);
      artifactChecks(add, config, files);
    }
  } else {
    const registry = registryCheck(dirOrRepo, allowPlanned);
    add("Model registry", registry.ok, registry.info);
    if (!REPO_ID.test(dirOrRepo)) {
      add("HF model", false, "not a local directory and not a Hugging Face id (owner/name)");
    } else {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const get = async (path: string) => {
        const response = await fetchImpl(`${base}${path}`, {
          headers,
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) {
          await response.body?.cancel();
          const auth = (response.status === 401 || response.status === 403) && !token;
          throw new Error(
            `HTTP ${response.status}${auth ? `; set $${tokenEnv} for gated/private models` : ""}`,
          );
        }
        return response.json() as Promise<unknown>;
      };
      let info: { config?: unknown; siblings?: Array<{ rfilename?: unknown }> } | undefined;
      try {
        info = (await get(`/api/models/${dirOrRepo}`)) as typeof info;
        add("HF model", true, "accessible");
      } catch (error) {
        add("HF model", false, firstLine(error));
      }
      if (info) {
        // The model API's `config` is a summary; the full file has quantization_config.
        let config = info.config;
        if (quantMethod(config) === undefined) {
          try {
            config = await get(`/${dirOrRepo}/resolve/main/config.json`);
          } catch {
            // Reported by the quantization check below.
          }
        }
        let files: string[] = [];
        if (Array.isArray(info.siblings)) {
          files = info.siblings
            .map((s) => s.rfilename)
            .filter((f): f is string => typeof f === "string");
        } else {
          try {
            const tree = (await get(`/api/models/${dirOrRepo}/tree/main?recursive=true`)) as Array<{
              path?: unknown;
              type?: unknown;
            }>;
            files = tree
              .filter((e) => e.type !== "directory" && typeof e.path === "string")
              .map((e) => e.path as string);
          } catch (error) {
            add("HF file list", false, firstLine(error));
          }
        }
        if (files.length > 0) add("HF file list", true, `${files.length} files`);
        else if (!checks.some((c) => c.name === "HF file list"))
          add("HF file list", false, "no files listed");
        artifactChecks(add, config, files);
      }
    }
  }

  return {
    schema_version: 1,
    model: dirOrRepo,
    source: isLocal ? "local" : "huggingface",
    status: checks.every((c) => c.ok) ? "passed" : "failed",
    allow_planned: allowPlanned,
    hf_token_env: tokenEnv,
    checks,
  };
}
