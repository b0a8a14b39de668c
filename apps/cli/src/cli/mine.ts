/**
 * `jarvis mine …` declarations: names, flags and aliases (OpenJarvis-compatible, see docs), with
 * each action loaded on demand. Values are validated by the command itself.
 */
import { type Command, Option } from "@commander-js/extra-typings";
import type { Act } from "../program.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function declareMine(program: Command, act: Act): void {
  const mine = program.command("mine").description("Configure and run Pearl mining.");

  mine
    .command("init")
    .description("write the [mining] section of config.toml (asks for missing values on a TTY)")
    .addOption(
      new Option("--provider <id>", "auto, cpu-pearl, vllm-pearl or a third-party provider id"),
    )
    .option("--wallet, --wallet-address <address>", "Pearl Taproot address (prl1p…) that gets paid")
    .addOption(
      new Option("--submit-target <target>", "where proofs go: solo (your pearld) or devnet"),
    )
    .addOption(
      new Option("--network <network>", "network the wallet must belong to").choices([
        "mainnet",
        "testnet",
        "regtest",
      ]),
    )
    .option(
      "--pearld-url, --pearld-rpc-url <url>",
      "pearld RPC URL (default http://localhost:44107)",
    )
    .option("--pearld-user, --pearld-rpc-user <user>", "pearld RPC user (default rpcuser)")
    .option(
      "--pearld-password-env, --pearld-rpc-password-env <name>",
      "environment variable holding the pearld password (default PEARLD_RPC_PASSWORD)",
    )
    .option("--model <id>", "vllm-pearl: Pearl model")
    .option("--local-model-path <dir>", "vllm-pearl: a local Pearl model directory")
    .option("--vllm-arg <arg>", "vllm-pearl: extra `vllm serve` argument (repeatable)", collect)
    .option("--image <tag>", "vllm-pearl: miner image tag")
    .option("--cuda-visible-devices <ids>", "vllm-pearl: GPU ids, comma separated (default all)")
    .option("--gateway-host <host>", "cpu-pearl: gateway host (default 127.0.0.1)")
    .option("--gateway-port <port>", "gateway RPC port (default 8337)")
    .option("--gateway-metrics-port, --metrics-port <port>", "metrics port (default 8339)")
    .option("--threads <n>", "cpu-pearl: worker threads (default: one per core)")
    .option("-y, --yes", "never ask; use defaults for anything not given")
    .option(
      "--force",
      "replace an existing [mining] section; accept a provider this machine cannot run",
    )
    .action(act("mine init", () => import("../commands/mine/init.js")));

  mine
    .command("start")
    .description("start mining with the configured provider")
    .option("--devnet", "mine on a local devnet with cpu-pearl (no config, no pearld, no value)")
    .option("--threads <n>", "cpu-pearl: worker threads (default: config, else one per core)")
    .action(act("mine start", () => import("../commands/mine/start.js")));

  mine
    .command("stop")
    .description("stop mining")
    .action(act("mine stop", () => import("../commands/mine/stop.js")));

  mine
    .command("status")
    .description("show the running miner (exit code 3 when nothing runs)")
    .option("-w, --watch", "refresh in place until Ctrl-C")
    .option("--interval <seconds>", "refresh interval for --watch", "2")
    .option("--count <n>", "with --watch: stop after n refreshes")
    .action(act("mine status", () => import("../commands/mine/status.js")));

  mine
    .command("doctor")
    .description("check everything the configured provider needs; each failure says what to do")
    .option("--provider <id>", "check this provider instead of the configured one")
    .action(act("mine doctor", () => import("../commands/mine/doctor.js")));

  mine
    .command("logs")
    .description("print the miner's log (secrets redacted)")
    .option("-n, --tail <lines>", "number of lines from the end", "200")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .action(act("mine logs", () => import("../commands/mine/logs.js")));

  mine
    .command("attach")
    .description("record a vLLM miner you started yourself, so jarvis can use and watch it")
    .requiredOption(
      "--vllm-endpoint <url>",
      "OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1",
    )
    .requiredOption("--gateway-url <url>", "the miner's pearl-gateway RPC URL")
    .option("--gateway-metrics-url <url>", "the gateway metrics URL, if it has one")
    .option("--model <id>", "model served by the endpoint")
    .option("--container-id <id>", "container id, if any", "external")
    .option("--wallet <address>", "wallet the miner pays", "")
    .option("--allow-remote", "accept endpoints that are not on this machine")
    .action(act("mine attach", () => import("../commands/mine/attach.js")));

  mine
    .command("models")
    .description("list the Pearl mining models")
    .action(act("mine models", () => import("../commands/mine/models.js")));

  mine
    .command("bench")
    .description("measure this machine's CPU mining speed and the expected time to a block")
    .option("--seconds <s>", "how long to run", "10")
    .option("--threads <n>", "worker threads (default: one per core)")
    .action(act("mine bench", () => import("../commands/mine/bench.js")));

  mine
    .command("validate-model")
    .description("check that a running vLLM miner serves a Pearl model and mines")
    .option("--model <id>", "model id (default: the session's, else the default Pearl model)")
    .option("--vllm-endpoint <url>", "endpoint (default: the session's)")
    .option("--gateway-metrics-url <url>", "gateway metrics URL (default: the session's)")
    .option("--allow-planned", "accept a model that is planned, not validated")
    .option("--prompt <text>", "also run one chat completion")
    .option("--output <file>", "write the JSON artifact here")
    .option("--timeout <seconds>", "per request", "10")
    .action(act("mine validate-model", () => import("../commands/mine/validate-model.js")));

  mine
    .command("inspect-model")
    .description("check a Pearl model artifact (local directory or Hugging Face id)")
    .option("--model <id-or-dir>", "model id or local directory (default: the default Pearl model)")
    .option("--allow-planned", "accept a model that is planned, not validated")
    .option(
      "--hf-token-env <name>",
      "environment variable holding a Hugging Face token",
      "HF_TOKEN",
    )
    .option("--output <file>", "write the JSON artifact here")
    .option("--timeout <seconds>", "per request", "10")
    .action(act("mine inspect-model", () => import("../commands/mine/inspect-model.js")));
}
