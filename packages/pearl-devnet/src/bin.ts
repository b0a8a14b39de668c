#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ErrorCodes, isMiningError, MiningError } from "@openjarvis/mining-core";
import {
  expectedAttemptsPerBlock,
  MAINNET_SHAPE,
  nbitsToTarget,
  tileBound,
} from "@openjarvis/pearl";
import { DEVNET_DEFAULT_NBITS, DEVNET_NOTE, startDevnet } from "./devnet.js";
import type { WireGeneration } from "./gateway.js";

const PASSWORD_ENV = "PEARL_DEVNET_RPC_PASSWORD";

const HELP = `pearl-devnet: a local Pearl gateway + node that verifies every proof.
${DEVNET_NOTE}.

Usage: pearl-devnet [options]
  --socket <path>        serve the miner RPC on this Unix socket (default: a temp path
                         unless --port is given)
  --port <n>             serve the miner RPC on TCP 127.0.0.1:<n> (0 = any free port)
  --node-port <n>        node JSON-RPC + /status port on 127.0.0.1 (default: any free port)
  --nbits <hex>          compact target of every job (default 0x${DEVNET_DEFAULT_NBITS.toString(16)})
  --cert-version <1-3>   certificate version of every job (default 3)
  --generation <A|B|C>   upstream gateway wire generation to speak (default C)
  --no-rank-penalty      accept rank < 128 and use the unpenalised bound
  --start-delay-ms <n>   answer "paused" (-32001) for this long after start
  --rpc-user <name>      node RPC user (default "devnet"); the password comes only from
                         $${PASSWORD_ENV} (default "devnet")
  --quiet                no log lines on stderr
  -h, --help             this text
`;

function fail(message: string, hint: string): never {
  throw new MiningError(ErrorCodes.USAGE, message, { hint, exitCode: 2 });
}

function int(name: string, text: string | undefined, radix = 10): number | undefined {
  if (text === undefined) return undefined;
  const clean = radix === 16 ? text.replace(/^0x/i, "") : text;
  const pattern = radix === 16 ? /^[0-9a-f]{1,8}$/i : /^[0-9]+$/;
  if (!pattern.test(clean)) fail(`--${name} ${text} is not a number`, HELP.split("\n")[0] ?? "");
  return Number.parseInt(clean, radix);
}

async function main(): Promise<void> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse().values;
  } catch (error) {
    fail((error as Error).message, "run pearl-devnet --help");
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const generation = values.generation?.toUpperCase();
  if (generation !== undefined && !["A", "B", "C"].includes(generation)) {
    fail(`--generation ${values.generation} is not A, B or C`, "use --generation C (current)");
  }
  const certVersion = int("cert-version", values["cert-version"]);
  const quiet = values.quiet === true;
  const devnet = await startDevnet({
    ...(values.socket !== undefined ? { socketPath: values.socket } : {}),
    ...(values.port !== undefined ? { port: int("port", values.port) } : {}),
    ...(values["node-port"] !== undefined
      ? { nodePort: int("node-port", values["node-port"]) }
      : {}),
    ...(values.nbits !== undefined ? { nbits: int("nbits", values.nbits, 16) } : {}),
    ...(certVersion !== undefined ? { certVersion: certVersion as 1 | 2 | 3 } : {}),
    ...(generation !== undefined ? { generation: generation as WireGeneration } : {}),
    rankPenalty: values["no-rank-penalty"] !== true,
    ...(values["start-delay-ms"] !== undefined
      ? { startDelayMs: int("start-delay-ms", values["start-delay-ms"]) }
      : {}),
    ...(values["rpc-user"] !== undefined ? { rpcUser: values["rpc-user"] } : {}),
    rpcPassword: process.env[PASSWORD_ENV] || "devnet",
    ...(quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
  });
  const job = devnet.snapshot().job;
  const nbits = Number(job?.nbits ?? DEVNET_DEFAULT_NBITS);
  const attempts = expectedAttemptsPerBlock(
    tileBound(nbitsToTarget(nbits), MAINNET_SHAPE, { rankPenalty: false }),
    MAINNET_SHAPE,
  );
  process.stdout.write(
    [
      `devnet gateway: ${devnet.gatewayAddress}`,
      `devnet jobs: nbits 0x${nbits.toString(16)}, cert version ${job?.certVersion}, about ${attempts.toPrecision(3)} attempts per block with the mainnet shape`,
      `devnet node: ${devnet.nodeUrl} (user ${devnet.rpcUser}, password from $${PASSWORD_ENV} or "devnet")`,
      `devnet status: ${devnet.statusUrl}`,
      `devnet: ${DEVNET_NOTE}`,
      "",
    ].join("\n"),
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (!quiet) process.stderr.write(`${new Date().toISOString()} devnet ${signal}: stopping\n`);
    devnet.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    strict: true,
    allowPositionals: false,
    options: {
      socket: { type: "string" },
      port: { type: "string" },
      "node-port": { type: "string" },
      nbits: { type: "string" },
      "cert-version": { type: "string" },
      generation: { type: "string" },
      "no-rank-penalty": { type: "boolean" },
      "start-delay-ms": { type: "string" },
      "rpc-user": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`devnet error: ${message}\n`);
  if (isMiningError(error) && error.hint) process.stderr.write(`devnet hint: ${error.hint}\n`);
  process.exit(isMiningError(error) ? error.exitCode : 1);
});
