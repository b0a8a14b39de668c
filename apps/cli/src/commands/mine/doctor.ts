/**
 * `jarvis mine doctor`: rows for what the configured provider needs (a CPU miner is not asked
 * about GPUs or Docker). Every failing row says the next step; exit 1 when a required row fails.
 */
import {
  detectHardware,
  ErrorCodes,
  freeDiskGb,
  type HardwareInfo,
  isMiningError,
  type LoadedMiningConfig,
  loadMiningConfig,
  MINING_EXTRA_DEFAULTS,
  type MiningConfig,
  readSecret,
} from "@openjarvis/mining-core";
import {
  decodeMiningAddress,
  GatewayClient,
  PearldClient,
  parseGatewayUrl,
} from "@openjarvis/pearl";
import { z } from "zod";
import type { Ctx } from "../../context.js";
import type { CommandInput } from "../../program.js";
import { installCommand, type ProviderEntry } from "../../providers.js";
import { parseOptions } from "../options.js";
import { findBinary } from "../pearl/binaries.js";
import { optionalConfig, pathsOf, providerContext, providersFor, readSession } from "../session.js";
import { vllmModule } from "../vllm.js";

const Options = z.object({ provider: z.string().min(1).optional() });

export type RowStatus = "ok" | "warn" | "fail" | "info";

export interface DoctorRow {
  section: string;
  name: string;
  status: RowStatus;
  info: string;
  /** What to do about a warn/fail row. */
  next?: string;
  /** A failing required row makes doctor exit 1. */
  required: boolean;
}

const CPU_MIN_FREE_GB = 1;

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] || (error instanceof Error ? error.name : "error");
}

async function pearldRows(config: MiningConfig, env: Ctx["env"]): Promise<DoctorRow[]> {
  const section = "pearld";
  const url = String(config.extra.pearld_rpc_url ?? MINING_EXTRA_DEFAULTS.pearld_rpc_url);
  const user = String(config.extra.pearld_rpc_user ?? MINING_EXTRA_DEFAULTS.pearld_rpc_user);
  const passwordEnv = String(
    config.extra.pearld_rpc_password_env ?? MINING_EXTRA_DEFAULTS.pearld_rpc_password_env,
  );
  const password = readSecret(env, passwordEnv);
  const rows: DoctorRow[] = [];
  if (password === undefined) {
    rows.push({
      section,
      name: "Password",
      status: "fail",
      info: `$${passwordEnv} is not set`,
      next: `export ${passwordEnv}=<the rpcpass of pearld>`,
      required: true,
    });
  }
  let client: PearldClient;
  try {
    client = new PearldClient({ url, user, password: password ?? "", timeoutMs: 5000 });
  } catch (error) {
    return [
      ...rows,
      {
        section,
        name: "Reachable",
        status: "fail",
        info: firstLine(error),
        next: "fix [mining.extra] pearld_rpc_url",
        required: true,
      },
    ];
  }
  let chain: string | undefined;
  try {
    const info = await client.getBlockchainInfo();
    chain = info.chain;
    rows.push({
      section,
      name: "Reachable",
      status: "ok",
      info: `${url} (${info.chain}, height ${info.blocks})`,
      required: true,
    });
    rows.push({ section, name: "Auth", status: "ok", info: `user ${user}`, required: true });
  } catch (error) {
    const code = isMiningError(error) ? error.code : "";
    if (code === ErrorCodes.NODE_AUTH) {
      rows.push({ section, name: "Reachable", status: "ok", info: url, required: true });
      rows.push({
        section,
        name: "Auth",
        status: "fail",
        info: "HTTP 401: user or password rejected",
        next: `check pearld_rpc_user and $${passwordEnv} against pearld's --rpcuser/--rpcpass`,
        required: true,
      });
    } else {
      rows.push({
        section,
        name: "Reachable",
        status: "fail",
        info: firstLine(error),
        next: "start pearld (`jarvis pearl node`) with --rpcuser/--rpcpass, or fix pearld_rpc_url",
        required: true,
      });
    }
    return rows;
  }
  // getblockchaininfo reports headers == blocks always; only getblocktemplate's -10 says "syncing".
  try {
    const template = await client.getBlockTemplate();
    rows.push({
      section,
      name: "Synced",
      status: "ok",
      info: `template at height ${template.height} (cert version ${template.requiredcertversion ?? 1})`,
      required: true,
    });
  } catch (error) {
    const code = isMiningError(error) ? error.code : "";
    const next =
      code === ErrorCodes.NODE_SYNCING
        ? "wait for pearld to finish downloading blocks"
        : code === ErrorCodes.NODE_NOT_CONNECTED
          ? "pearld has no peers; check its network connection"
          : "see pearld's log";
    rows.push({
      section,
      name: "Synced",
      status: "fail",
      info: firstLine(error),
      next,
      required: true,
    });
  }
  return Object.assign(rows, { chain });
}

function walletRow(config: MiningConfig, chain: string | undefined): DoctorRow {
  const section = "Wallet";
  if (config.submitTarget.kind === "devnet" && config.walletAddress === "") {
    return {
      section,
      name: "Address",
      status: "info",
      info: "none needed on the devnet",
      required: false,
    };
  }
  const network =
    chain === undefined
      ? undefined
      : chain.startsWith("testnet") || chain === "signet"
        ? "testnet"
        : chain === "mainnet"
          ? "mainnet"
          : "regtest";
  try {
    const decoded = decodeMiningAddress(config.walletAddress, network);
    return {
      section,
      name: "Address",
      status: "ok",
      info: `Taproot, checksum ok, ${decoded.network}${chain ? " (matches pearld)" : ""}`,
      required: true,
    };
  } catch (error) {
    return {
      section,
      name: "Address",
      status: "fail",
      info: firstLine(error),
      next: isMiningError(error) && error.hint ? error.hint : "fix [mining] wallet_address",
      required: true,
    };
  }
}

async function gatewayRows(config: MiningConfig, ctx: Ctx): Promise<DoctorRow[]> {
  const section = "Gateway";
  if (config.submitTarget.kind === "devnet") {
    return [
      {
        section,
        name: "Gateway",
        status: "ok",
        info: "embedded devnet (no pearld, no pearl-gateway)",
        required: true,
      },
    ];
  }
  const external = (config.extra.gateway_url ?? config.extra.gateway_socket) as string | undefined;
  if (external) {
    let client: GatewayClient | undefined;
    try {
      client = new GatewayClient(parseGatewayUrl(external), {
        requestTimeoutMs: 5000,
        connectTimeoutMs: 2000,
        reconnect: { maxWaitMs: 0 },
      });
      const job = await client.getMiningInfo();
      return [
        {
          section,
          name: "Gateway",
          status: "ok",
          info: `${external} answers (job cert version ${job.certVersion})`,
          required: true,
        },
      ];
    } catch (error) {
      const paused = isMiningError(error) && error.code === ErrorCodes.GATEWAY_PAUSED;
      return [
        {
          section,
          name: "Gateway",
          status: paused ? "warn" : "fail",
          info: firstLine(error),
          next: paused
            ? "the gateway has no block template yet: check that pearld is synced"
            : `start the gateway at ${external}, or remove gateway_url to let jarvis spawn one`,
          required: !paused,
        },
      ];
    } finally {
      client?.close();
    }
  }
  const command = String(config.extra.gateway_command ?? "pearl-gateway");
  const found = command.includes("/") ? command : findBinary(ctx, command);
  return [
    found
      ? {
          section,
          name: "pearl-gateway",
          status: "ok",
          info: `${found} (spawned by jarvis on port ${String(config.extra.gateway_port ?? 8337)})`,
          required: true,
        }
      : {
          section,
          name: "pearl-gateway",
          status: "fail",
          info: `${command} not found on PATH`,
          next: "install Pearl's gateway (`pip install pearl-gateway` from the Pearl repository) or set [mining.extra] gateway_url to a running one",
          required: true,
        },
  ];
}

function providerRows(entries: ProviderEntry[], checked: string, why: string): DoctorRow[] {
  return entries.map((entry) => {
    const mine = entry.id === checked;
    const name = `${entry.id}${mine ? ` (${why})` : ""}`;
    if (entry.status === "loaded") {
      return {
        section: "Providers",
        name,
        status: "ok",
        info: `${entry.spec}${entry.version ? ` ${entry.version}` : ""}`,
        required: mine,
      };
    }
    const next =
      entry.error?.hint ??
      (entry.source === "first-party" ? installCommand(entry.spec) : undefined);
    return {
      section: "Providers",
      name,
      status: mine ? "fail" : entry.status === "broken" ? "warn" : "info",
      info:
        entry.status === "not-installed"
          ? `not installed${entry.source === "first-party" ? ` (${installCommand(entry.spec)})` : ""}`
          : firstLine(entry.error),
      ...(next ? { next } : {}),
      required: mine,
    };
  });
}

export async function collectDoctor(ctx: Ctx, providerOverride?: string): Promise<DoctorRow[]> {
  const rows: DoctorRow[] = [];
  const loadedResult = optionalConfig(ctx);
  const loaded: LoadedMiningConfig | null = loadedResult.ok ? loadedResult.value : null;
  if (loaded) {
    rows.push({
      section: "Config",
      name: "config.toml",
      status: "ok",
      info: loaded.path,
      required: true,
    });
  } else if (loadedResult.ok === false) {
    const error = loadedResult.error;
    const missing =
      error.code === ErrorCodes.CONFIG_NOT_FOUND ||
      error.code === ErrorCodes.CONFIG_MISSING_SECTION;
    rows.push({
      section: "Config",
      name: "config.toml",
      status: missing ? "warn" : "fail",
      info: error.message,
      next: missing
        ? "`jarvis mine init` (or mine without one: `jarvis mine start --devnet`)"
        : (error.hint ?? "fix the config"),
      required: !missing,
    });
  }
  const providerId = providerOverride ?? loaded?.config.provider ?? "cpu-pearl";
  const set = providersFor(ctx, loaded);
  const entries = await set.all();
  if (loaded) {
    // Keys a loaded provider declares are its own, not unknown.
    const knownExtraKeys = entries.flatMap((e) => e.provider?.extraKeys ?? []);
    const { warnings } = loadMiningConfig({ path: loaded.path, env: ctx.env, knownExtraKeys });
    rows.push(
      ...warnings.map((warning) => ({
        section: "Config",
        name: "Warning",
        status: "warn" as const,
        info: warning,
        required: false,
      })),
    );
  }
  const why = providerOverride ? "checked" : loaded ? "configured" : "for --devnet";
  rows.push(...providerRows(entries, providerId, why));
  if (!entries.some((e) => e.id === providerId)) {
    rows.push({
      section: "Providers",
      name: `${providerId} (${why})`,
      status: "fail",
      info: "unknown provider",
      next: `known: ${entries
        .filter((e) => e.status === "loaded")
        .map((e) => e.id)
        .join(", ")}; a third-party one goes in [mining] providers = [...]`,
      required: true,
    });
  }

  const hardware: HardwareInfo = await detectHardware({ env: ctx.env });
  rows.push({
    section: "Hardware",
    name: "CPU",
    status: "info",
    info: `${hardware.cpuBrand}, ${hardware.cpuCount} threads, ${hardware.ramGb} GB RAM`,
    required: false,
  });
  const entry = entries.find((e) => e.id === providerId);
  const config: MiningConfig =
    loaded && loaded.config.provider === providerId
      ? loaded.config
      : {
          provider: providerId,
          walletAddress: "",
          submitTarget: { kind: "devnet" },
          feeBps: 0,
          feePayoutAddress: null,
          extra: { ...MINING_EXTRA_DEFAULTS },
          providers: [],
        };
  const model = String(config.extra.model ?? MINING_EXTRA_DEFAULTS.model);
  if (entry?.provider) {
    const caps = entry.provider.detect(
      hardware,
      providerId === "vllm-pearl" ? "vllm" : "",
      model,
      config,
    );
    rows.push({
      section: "Hardware",
      name: `${providerId} support`,
      status: caps.supported ? "ok" : "fail",
      info: caps.supported
        ? `supported${caps.estimatedHashrate ? ` (~${caps.estimatedHashrate.toFixed(1)} attempts/s calibrated)` : ""}`
        : (caps.reason ?? "unsupported"),
      ...(caps.supported
        ? {}
        : {
            next: "see `jarvis mine models` / pick another provider with `jarvis mine init --force`",
          }),
      required: true,
    });
  }

  if (providerId === "vllm-pearl" && entry?.provider) {
    rows.push(...(await vllmRows(config, ctx)));
  } else {
    const home = pathsOf(ctx).home;
    const free = await freeDiskGb(home).catch(() => null);
    rows.push(
      free === null
        ? {
            section: "Disk",
            name: "Free space",
            status: "warn",
            info: `cannot measure ${home}`,
            required: false,
          }
        : {
            section: "Disk",
            name: "Free space",
            status: free >= CPU_MIN_FREE_GB ? "ok" : "fail",
            info: `${free} GB free at ${home}`,
            ...(free >= CPU_MIN_FREE_GB
              ? {}
              : { next: "free some space for logs and the session file" }),
            required: true,
          },
    );
  }

  let chain: string | undefined;
  if (loaded && config === loaded.config && config.submitTarget.kind === "solo") {
    const nodeRows = await pearldRows(config, ctx.env);
    chain = (nodeRows as DoctorRow[] & { chain?: string }).chain;
    rows.push(...nodeRows);
  } else if (config.submitTarget.kind === "pool") {
    rows.push({
      section: "pearld",
      name: "Target",
      status: "fail",
      info: "pool mining is not implemented",
      next: 'set submit_target = "solo"',
      required: true,
    });
  }
  if (providerId === "cpu-pearl" && (config.submitTarget.kind !== "devnet" || loaded)) {
    rows.push(...(await gatewayRows(config, ctx)));
  }
  if (loaded && config === loaded.config) rows.push(walletRow(config, chain));

  const session = readSession(ctx);
  rows.push(
    !session
      ? { section: "Session", name: "Miner", status: "info", info: "not running", required: false }
      : {
          section: "Session",
          name: "Miner",
          status: session.processAlive === false ? "warn" : "ok",
          info: `${session.sidecar.provider}${session.sidecar.pid ? ` pid ${session.sidecar.pid}` : ""} ${session.processAlive === false ? "is gone (stale session)" : session.processAlive ? "running (identity verified)" : "recorded"}`,
          ...(session.processAlive === false ? { next: "`jarvis mine stop` clears it" } : {}),
          required: false,
        },
  );
  return rows;
}

async function vllmRows(config: MiningConfig, ctx: Ctx): Promise<DoctorRow[]> {
  const { doctorChecks } = await vllmModule();
  const checks = await doctorChecks(config, providerContext(ctx));
  return checks.map((check) => ({
    section: "vLLM miner",
    name: check.label,
    status: check.ok ? "ok" : check.required ? "fail" : "warn",
    info: check.detail,
    ...(check.hint && !check.ok ? { next: check.hint } : {}),
    required: check.required,
  }));
}

export function renderDoctor(rows: DoctorRow[], ctx: Ctx): string {
  const { green, red, yellow, dim, bold } = ctx.colors;
  const label = {
    ok: green("OK"),
    fail: red("FAIL"),
    warn: yellow("WARN"),
    info: dim("--"),
  } as const;
  const lines = ["Pearl Mining Doctor"];
  let section = "";
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push("", bold(section));
    }
    lines.push(`  ${row.name.padEnd(22)} ${row.info.padEnd(45)} ${label[row.status]}`);
    if (row.next && (row.status === "fail" || row.status === "warn"))
      lines.push(`  ${" ".repeat(22)} ${dim("→")} ${row.next}`);
  }
  return `${lines.join("\n")}\n`;
}

export default async function doctor(ctx: Ctx, input: CommandInput): Promise<number> {
  const opts = parseOptions(Options, input.opts);
  const spinner = ctx.spinner("checking");
  let rows: DoctorRow[];
  try {
    rows = await collectDoctor(ctx, opts.provider);
  } finally {
    spinner.stop();
  }
  const failed = rows.filter((row) => row.status === "fail" && row.required);
  ctx.json({
    ok: failed.length === 0,
    rows,
    ...(failed.length > 0
      ? {
          error: {
            code: ErrorCodes.DOCTOR_FAILED,
            message: `${failed.length} required check(s) failed`,
            hint: failed[0]?.next ?? "see the rows",
          },
        }
      : {}),
  });
  ctx.print(renderDoctor(rows, ctx));
  if (failed.length > 0)
    ctx.note(`${failed.length} required check${failed.length === 1 ? "" : "s"} failed.`);
  return failed.length === 0 ? 0 : 1;
}
