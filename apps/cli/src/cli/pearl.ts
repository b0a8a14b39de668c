/** `jarvis pearl …` declarations: Pearl's native tools, an address helper and a proof checker. */
import type { Command } from "@commander-js/extra-typings";
import type { Act } from "../program.js";

export function declarePearl(program: Command, act: Act): void {
  const pearl = program
    .command("pearl")
    .description("Access Pearl node, wallet, and RPC tools.")
    .enablePositionalOptions();

  pearl
    .command("doctor")
    .description("find pearld, oyster and prlctl")
    .option("--pearl-home <dir>", "Pearl checkout or install directory (its bin/ is searched)")
    .action(act("pearl doctor", () => import("../commands/pearl/doctor.js")));

  const natives = [
    ["node", "pearld", "the Pearl node", () => import("../commands/pearl/node.js")],
    ["wallet", "oyster", "the Oyster wallet", () => import("../commands/pearl/wallet.js")],
    ["ctl", "prlctl", "the RPC client", () => import("../commands/pearl/ctl.js")],
  ] as const;
  for (const [name, binary, what, load] of natives) {
    pearl
      .command(name)
      .description(`run ${binary} (${what}) with ARGS; put -- before ARGS that jarvis also knows`)
      .option("--pearl-home <dir>", "Pearl checkout or install directory (its bin/ is searched)")
      .argument("[args...]", `arguments for ${binary}`)
      .allowUnknownOption()
      .passThroughOptions()
      .action(act(`pearl ${name}`, load));
  }

  pearl
    .command("address")
    .description("ask the Oyster wallet for a new mining address (prlctl getnewaddress)")
    .option("--pearl-home <dir>", "Pearl checkout or install directory (its bin/ is searched)")
    .option("-u, --user <user>", "wallet RPC user", "rpcuser")
    .option(
      "--password-env <name>",
      "environment variable holding the wallet RPC password",
      "OYSTER_RPC_PASSWORD",
    )
    .option("-P, --password <password>", "deprecated: visible to other users; use --password-env")
    .option("-s, --server <host:port>", "wallet RPC server", "localhost:44207")
    .option("--notls", "plain HTTP (default)")
    .option("--tls", "use TLS")
    .option("--skipverify", "do not verify the TLS certificate (default)")
    .option("--verify", "verify the TLS certificate")
    .action(act("pearl address", () => import("../commands/pearl/address.js")));

  pearl
    .command("verify-proof")
    .description("verify a plain proof against a 76-byte header; prints ok or the reason")
    .requiredOption("--header <base64|hex>", "the 76-byte incomplete header")
    .requiredOption("--proof <file|->", "the proof: base64 text or raw bincode; - reads stdin")
    .requiredOption("--cert-version <n>", "certificate version of the job (1, 2 or 3)")
    .option(
      "--nbits <x>",
      "difficulty bits (hex like 0x1d00ffff or decimal); default: the header's",
    )
    .option("--rank-penalty", "also apply mainnet's rank rules (rank ≥ 128, penalised bound)")
    .action(act("pearl verify-proof", () => import("../commands/pearl/verify-proof.js")));
}
