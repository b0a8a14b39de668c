/**
 * The `jarvis` program: global flags, the `mine` and `pearl` groups, exit codes and error
 * rendering. Command behaviour lives in `commands/**` and is imported only when that command
 * runs, so `jarvis --help` loads nothing but commander.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "@commander-js/extra-typings";
import { declareMine } from "./cli/mine.js";
import { declarePearl } from "./cli/pearl.js";
import type { Ctx, GlobalFlags } from "./context.js";
import type { Io } from "./io.js";

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, NOT_RUNNING: 3 } as const;

export interface CommandInput {
  /** Positional arguments, in order. */
  args: string[];
  /** The command's own options as commander parsed them (validated by the command with zod). */
  opts: Record<string, unknown>;
}

export type CommandModule = { default: (ctx: Ctx, input: CommandInput) => Promise<number> };
export type CommandLoader = () => Promise<CommandModule>;

/** Runs a parsed command. Tests replace it to check option parsing apart from behaviour. */
export type Dispatch = (
  name: string,
  load: CommandLoader,
  input: CommandInput,
  flags: GlobalFlags,
) => Promise<number>;

/** Declares a command's action; used by the `cli/*.ts` declarations. */
export type Act = (name: string, load: CommandLoader) => (...args: unknown[]) => Promise<void>;

export interface ProgramOptions {
  dispatch?: Dispatch;
}

const USAGE_HINT = "hint: add --help to see the usage";

/** `src/` and `dist/` both sit next to package.json. */
function version(): string {
  try {
    const manifest = readFileSync(new URL("../package.json", import.meta.url), "utf8");
    return (JSON.parse(manifest) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function createProgram(io: Io, options: ProgramOptions = {}, state = { exitCode: 0 }) {
  const dispatch =
    options.dispatch ?? ((_name, load, input, flags) => runCommand(io, load, input, flags));
  const program = new Command("jarvis")
    .description("OpenJarvis: mine Pearl with the hardware you own.")
    .option("--json", "machine-readable output on stdout")
    .option("--home <dir>", "OpenJarvis home (default: $OPENJARVIS_HOME or ~/.openjarvis)")
    .option("--config <file>", "config file (default: $OPENJARVIS_CONFIG or <home>/config.toml)")
    .option("--debug", "show the cause chain of errors")
    .option("--no-color", "no colours (also NO_COLOR=1)")
    .version(version(), "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      getOutHelpWidth: () => io.columns ?? 100,
      getErrHelpWidth: () => io.columns ?? 100,
      outputError: (text, write) => write(text),
    })
    .showHelpAfterError(USAGE_HINT);

  const act: Act =
    (name, load) =>
    async (...actionArgs) => {
      const command = actionArgs.at(-1) as Command;
      const globals = command.optsWithGlobals() as Record<string, unknown>;
      const flags: GlobalFlags = {
        json: globals.json === true,
        debug: globals.debug === true,
        color: globals.color !== false,
        ...(typeof globals.home === "string" ? { home: globals.home } : {}),
        ...(typeof globals.config === "string" ? { config: globals.config } : {}),
      };
      const positional = actionArgs
        .slice(0, -2)
        .flatMap((value) =>
          Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)],
        );
      state.exitCode = await dispatch(
        name,
        load,
        { args: positional, opts: command.opts() as Record<string, unknown> },
        flags,
      );
    };

  declareMine(program, act);
  declarePearl(program, act);
  return program;
}

const NATIVE_COMMANDS = new Set(["node", "wallet", "ctl"]);
const GLOBAL_SWITCHES = new Set(["--json", "--debug", "--no-color"]);
const VALUE_OPTIONS = new Set(["--home", "--config", "--pearl-home"]);

/**
 * `jarvis pearl node|wallet|ctl` hand their arguments to a native tool verbatim. jarvis' own
 * options are taken only up to the first argument it does not know; a `--` is inserted there so
 * commander never interprets the tool's options (`--help`, `-C`, …).
 */
export function protectNativeArgs(argv: string[]): string[] {
  let i = skipJarvisOptions(argv, 0);
  if (argv[i] !== "pearl" || !NATIVE_COMMANDS.has(argv[i + 1] ?? "")) return argv;
  i = skipJarvisOptions(argv, i + 2);
  if (i >= argv.length || argv[i] === "--") return argv;
  return [...argv.slice(0, i), "--", ...argv.slice(i)];
}

/** Index of the first argument at or after `from` that is not one of jarvis' own options. */
function skipJarvisOptions(argv: string[], from: number): number {
  let i = from;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (GLOBAL_SWITCHES.has(arg)) i += 1;
    else if (VALUE_OPTIONS.has(arg)) i += 2;
    else if ([...VALUE_OPTIONS].some((option) => arg.startsWith(`${option}=`))) i += 1;
    else return i;
  }
  return argv.length;
}

/** Parses `argv` (without node and script), runs the command, and returns the exit code. */
export async function run(
  rawArgv: string[],
  io: Io,
  options: ProgramOptions = {},
): Promise<number> {
  const argv = protectNativeArgs(rawArgv);
  const state = { exitCode: 0 };
  const beforeDashes = argv.indexOf("--") === -1 ? argv : argv.slice(0, argv.indexOf("--"));
  const json = beforeDashes.includes("--json");
  const debug = beforeDashes.includes("--debug");
  const program = createProgram(json ? quietUsageIo(io) : io, options, state);
  try {
    await program.parseAsync(argv, { from: "user" });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return usageExit(error, io, json);
    const color = io.isTTY && !beforeDashes.includes("--no-color") && !io.env.NO_COLOR;
    return reportError(error, io, { json, debug, color });
  }
}

/** In `--json` mode commander's usage text would be noise on stderr; help still goes to stdout. */
function quietUsageIo(io: Io): Io {
  return { ...io, stderr: () => {} };
}

function usageExit(error: CommanderError, io: Io, json: boolean): number {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version")
    return EXIT.OK;
  if (json) {
    const message = error.message.replace(/^error: /, "");
    const body = {
      ok: false,
      error: { code: "E_USAGE", message, hint: "add --help to see the usage" },
    };
    io.stdout(`${JSON.stringify(body)}\n`);
  }
  return EXIT.USAGE;
}

async function reportError(
  error: unknown,
  io: Io,
  flags: { json: boolean; debug: boolean; color: boolean },
): Promise<number> {
  const { renderError, isMiningError } = await import("@openjarvis/mining-core");
  const rendered = renderError(error, { debug: flags.debug });
  if (flags.json) io.stdout(`${JSON.stringify(rendered.json)}\n`);
  else io.stderr(flags.color ? colourise(rendered.text) : rendered.text);
  if (isMiningError(error)) {
    if (error.code === "E_USAGE") return EXIT.USAGE;
    return error.exitCode;
  }
  return EXIT.FAILURE;
}

function colourise(text: string): string {
  return text
    .replace(/^error:/m, "\x1b[31merror:\x1b[39m")
    .replace(/^hint:/m, "\x1b[33mhint:\x1b[39m");
}

async function runCommand(
  io: Io,
  load: CommandLoader,
  input: CommandInput,
  flags: GlobalFlags,
): Promise<number> {
  const [module, { createCtx }] = await Promise.all([load(), import("./context.js")]);
  return module.default(createCtx(io, flags), input);
}
