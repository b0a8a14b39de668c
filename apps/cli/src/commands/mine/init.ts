/**
 * `jarvis mine init`: write `[mining]` into config.toml. Asks for missing values on a terminal
 * (each checked as it is typed); with flags or `--yes` it never asks. An existing `[mining]`
 * section is only replaced with `--force`; the rest of the file is kept byte for byte.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  detectHardware,
  ErrorCodes,
  type HardwareInfo,
  MINING_EXTRA_DEFAULTS,
  MiningError,
  type MiningSectionInput,
  parseTomlDocument,
  writeMiningSection,
} from "@openjarvis/mining-core";
import { decodeMiningAddress } from "@openjarvis/pearl";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { Prompter } from "../../io.js";
import type { CommandInput } from "../../program.js";
import { clackPrompter } from "../../ui/prompts.js";
import { intOption, parseOptions } from "../options.js";
import { pathsOf, providersFor } from "../session.js";
import { vllmModule } from "../vllm.js";

const port = intOption(1, 65535);
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

const Options = z.object({
  provider: z.string().min(1).optional(),
  walletAddress: z.string().optional(),
  submitTarget: z.string().optional(),
  network: z.enum(["mainnet", "testnet", "regtest"]).optional(),
  pearldRpcUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  pearldRpcUser: z.string().min(1).optional(),
  pearldRpcPasswordEnv: envName.optional(),
  model: z.string().min(1).optional(),
  localModelPath: z.string().min(1).optional(),
  vllmArg: z.array(z.string()).optional(),
  image: z.string().min(1).optional(),
  cudaVisibleDevices: z
    .string()
    .regex(/^[0-9A-Za-z-]*(,[0-9A-Za-z-]+)*$/, "must be a comma list of GPU ids")
    .optional(),
  gatewayHost: z.string().min(1).optional(),
  gatewayPort: port.optional(),
  metricsPort: port.optional(),
  threads: intOption(1, 1024).optional(),
  yes: z.boolean().optional(),
  force: z.boolean().optional(),
});
type Options = z.output<typeof Options>;

/** `--provider auto`: an NVIDIA GPU on Linux runs vllm-pearl; everything else mines on the CPU. */
export function autoProvider(hw: HardwareInfo): "vllm-pearl" | "cpu-pearl" {
  const nvidia = hw.gpus.some((gpu) => gpu.vendor.toLowerCase() === "nvidia");
  return hw.platform === "linux" && nvidia ? "vllm-pearl" : "cpu-pearl";
}

/** Error text for the prompt, or undefined when the address is usable on `network`. */
export function walletProblem(address: string, network?: string): string | undefined {
  try {
    decodeMiningAddress(address.trim(), network);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function urlProblem(value: string): string | undefined {
  return /^https?:\/\//.test(value) && URL.canParse(value) ? undefined : "must be an http(s) URL";
}

function envProblem(value: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)
    ? undefined
    : "must be an environment variable name";
}

function existingMiningSection(file: string): boolean {
  if (!existsSync(file)) return false;
  const document = parseTomlDocument(readFileSync(file, "utf8"), file);
  return document.mining !== undefined;
}

async function ask(
  prompter: Prompter | undefined,
  given: string | undefined,
  prompt: { message: string; initialValue?: string; validate?(v: string): string | undefined },
  fallback: string,
): Promise<string> {
  if (given !== undefined) return given;
  if (!prompter) return fallback;
  return (await prompter.text(prompt)).trim();
}

export default async function init(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts: Options = parseOptions(Options, input.opts);
  const file = pathsOf(ctx).configPath;
  if (existingMiningSection(file) && !opts.force) {
    throw new MiningError(
      ErrorCodes.CONFIG_EXISTS,
      `${file} already has a [mining] section; nothing was changed`,
      {
        hint: "pass --force to replace it (every other section and comment is kept)",
        details: { file },
      },
    );
  }
  const prompter = ctx.canPrompt && !opts.yes ? (ctx.prompter ?? clackPrompter(ctx.io)) : undefined;
  const hardware = await detectHardware({ env: ctx.env });

  let provider = opts.provider;
  if (provider === undefined && prompter) {
    provider = await prompter.select({
      message: "Mining provider",
      options: [
        { value: "auto", label: "auto", hint: `picks ${autoProvider(hardware)} on this machine` },
        { value: "cpu-pearl", label: "cpu-pearl", hint: "any CPU" },
        { value: "vllm-pearl", label: "vllm-pearl", hint: "NVIDIA Hopper GPU + Docker" },
      ],
      initialValue: "auto",
    });
  }
  if (provider === undefined || provider === "auto") provider = autoProvider(hardware);

  const submitTarget = opts.submitTarget ?? "solo";
  if (submitTarget !== "solo" && submitTarget !== "devnet") {
    throw new MiningError(
      ErrorCodes.USAGE,
      `--submit-target must be solo or devnet, got ${JSON.stringify(submitTarget)}`,
      {
        hint: submitTarget.startsWith("pool:")
          ? "pool mining is not implemented yet; mine solo against your own pearld"
          : "solo = your own pearld; devnet = a local test network",
        exitCode: 2,
      },
    );
  }
  const devnet = submitTarget === "devnet";
  const network = opts.network ?? (devnet ? undefined : "mainnet");

  const wallet = await ask(
    prompter,
    opts.walletAddress,
    {
      message: `Pearl wallet address (Taproot, ${network === "testnet" ? "tprl1p" : network === "regtest" ? "rprl1p" : "prl1p"}…)`,
      validate: (v) => walletProblem(v, network),
    },
    "",
  );
  if (wallet === "") {
    throw new MiningError(ErrorCodes.USAGE, "a wallet address is required (--wallet)", {
      hint: "get one with `jarvis pearl address`, or try mining without one: `jarvis mine start --devnet`",
      exitCode: 2,
    });
  }
  decodeMiningAddress(wallet, network); // throws E_WALLET_INVALID with a hint

  const extra: Record<string, string | number | string[] | undefined> = {};
  let passwordEnv: string = MINING_EXTRA_DEFAULTS.pearld_rpc_password_env;
  if (!devnet) {
    extra.pearld_rpc_url = await ask(
      prompter,
      opts.pearldRpcUrl,
      {
        message: "pearld RPC URL",
        initialValue: MINING_EXTRA_DEFAULTS.pearld_rpc_url,
        validate: urlProblem,
      },
      MINING_EXTRA_DEFAULTS.pearld_rpc_url,
    );
    extra.pearld_rpc_user = await ask(
      prompter,
      opts.pearldRpcUser,
      {
        message: "pearld RPC user",
        initialValue: MINING_EXTRA_DEFAULTS.pearld_rpc_user,
        validate: (v) => (v ? undefined : "required"),
      },
      MINING_EXTRA_DEFAULTS.pearld_rpc_user,
    );
    passwordEnv = await ask(
      prompter,
      opts.pearldRpcPasswordEnv,
      {
        message: "Environment variable holding the pearld password",
        initialValue: passwordEnv,
        validate: envProblem,
      },
      passwordEnv,
    );
    extra.pearld_rpc_password_env = passwordEnv;
  }

  let model: string | undefined;
  if (provider === "vllm-pearl") {
    model = opts.model ?? MINING_EXTRA_DEFAULTS.model;
    // Without --image the provider's pinned default applies (not OpenJarvis' mutable :master).
    if (opts.image) extra.docker_image_tag = opts.image;
    extra.model = model;
    extra.cuda_visible_devices = (opts.cudaVisibleDevices ?? "").trim();
    extra.gateway_port = opts.gatewayPort ?? MINING_EXTRA_DEFAULTS.gateway_port;
    extra.gateway_metrics_port = opts.metricsPort ?? MINING_EXTRA_DEFAULTS.gateway_metrics_port;
    extra.vllm_port = MINING_EXTRA_DEFAULTS.vllm_port;
    // The model's own serving defaults, as OpenJarvis wrote them (when vllm-pearl is installed).
    const spec = await vllmModule()
      .then((vllm) => vllm.findModel(model ?? ""))
      .catch(() => undefined);
    if (spec) {
      extra.gpu_memory_utilization = spec.defaultGpuMemoryUtilization;
      extra.max_model_len = spec.defaultMaxModelLen;
    }
    extra.hf_token_env = MINING_EXTRA_DEFAULTS.hf_token_env;
    if (opts.localModelPath) {
      const dir = resolve(ctx.io.cwd, opts.localModelPath);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new MiningError(ErrorCodes.USAGE, `--local-model-path ${dir} is not a directory`, {
          hint: "point it at a converted Pearl model directory (with config.json)",
          exitCode: 2,
        });
      }
      extra.local_model_path = dir;
    }
    if (opts.vllmArg && opts.vllmArg.length > 0) extra.vllm_args = opts.vllmArg;
  } else if (provider === "cpu-pearl") {
    extra.gateway_host = opts.gatewayHost ?? MINING_EXTRA_DEFAULTS.gateway_host;
    extra.gateway_port = opts.gatewayPort ?? MINING_EXTRA_DEFAULTS.gateway_port;
    extra.metrics_port = opts.metricsPort ?? MINING_EXTRA_DEFAULTS.metrics_port;
    if (opts.threads !== undefined) extra.threads = opts.threads;
  }

  const warnings: string[] = [];
  const entry = await providersFor(ctx).entry(provider);
  if (!entry) {
    await providersFor(ctx).get(provider); // throws "unknown provider" listing the known ids
  } else if (entry.status !== "loaded" || !entry.provider) {
    warnings.push(
      `${entry.error?.message ?? `${provider} is not installed`}; ${entry.error?.hint ?? ""}`.trim(),
    );
  } else {
    const engineId = provider === "vllm-pearl" ? "vllm" : "";
    const caps = entry.provider.detect(hardware, engineId, model ?? MINING_EXTRA_DEFAULTS.model);
    if (!caps.supported && !opts.force) {
      throw new MiningError(
        ErrorCodes.PROVIDER_UNSUPPORTED,
        `${provider} is not supported on this machine: ${caps.reason ?? "unsupported"}`,
        {
          hint: "see `jarvis mine doctor` and `jarvis mine models`; pick another --provider, or --force to write it anyway",
          details: { provider },
        },
      );
    }
    if (!caps.supported)
      warnings.push(
        `${provider} is not supported on this machine: ${caps.reason ?? "unsupported"}`,
      );
  }
  if (!devnet && ctx.env[passwordEnv] === undefined) {
    warnings.push(`$${passwordEnv} is not set. Set it before \`jarvis mine start\`.`);
  }

  const section: MiningSectionInput = {
    provider,
    wallet_address: wallet,
    submit_target: submitTarget,
    fee_bps: 0,
    fee_payout_address: "",
    extra,
  };
  writeMiningSection(file, section);
  for (const warning of warnings) ctx.warn(warning);
  ctx.json({ ok: true, path: file, provider, submitTarget, walletAddress: wallet, warnings });
  ctx.print(
    `${ctx.colors.green("✔")} Wrote [mining] to ${file} (provider ${provider}, ${devnet ? "devnet" : "solo"}).\n` +
      "Next: `jarvis mine doctor` to check the setup, then `jarvis mine start`.",
  );
  return 0;
}
