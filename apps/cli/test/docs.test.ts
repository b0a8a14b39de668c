/**
 * The commands shown in docs/ cannot rot: every `jarvis …` line of a ```bash block must parse
 * with the real program, and the ones that need nothing outside this machine are run, in order,
 * against a fresh home per page, with the exit code the page states (`# exits N`, else 0).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Dispatch } from "../src/program.js";
import { jarvis, tempDir, WALLETS } from "./helpers.js";

const DOCS = resolve(import.meta.dirname, "../../../docs");

interface DocCommand {
  line: string;
  argv: string[];
  expectedCode: number;
}

/** Shell-like split: quotes, and $VAR / "$VAR" expansion from `vars`. */
export function shellWords(text: string, vars: Record<string, string>): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "$" && quote === '"') {
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0] ?? "";
        current += vars[name] ?? "";
        i += name.length;
      } else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "$") {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0] ?? "";
      current += vars[name] ?? "";
      i += name.length;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function commandsIn(markdown: string, vars: Record<string, string>): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const block of markdown.matchAll(/```bash\n([\s\S]*?)```/g)) {
    const lines = block[1]!.replace(/\\\n\s*/g, " ").split("\n");
    for (const raw of lines) {
      const line = raw.trim().replace(/^\$ /, "");
      if (!line.startsWith("jarvis ")) continue;
      const [command, comment = ""] = line.split(/\s+#\s*/, 2) as [string, string?];
      const exits = /exits (\d)/.exec(comment);
      const words = shellWords(command.split("|")[0]!, vars);
      commands.push({ line, argv: words.slice(1), expectedCode: exits ? Number(exits[1]) : 0 });
    }
  }
  return commands;
}

/** Commands that need a pearld, a GPU, Docker, Pearl's binaries or the Internet are only parsed. */
function runnable(argv: string[]): boolean {
  const words = argv.filter((w) => !w.startsWith("-"));
  const [group, name] = words;
  if (group === "pearl") return name === "doctor";
  if (group !== "mine") return true;
  if (name === "start") return argv.includes("--devnet");
  return !["validate-model", "inspect-model"].includes(name ?? "");
}

const pages = readdirSync(DOCS).filter((f) => f.endsWith(".md"));
const vars = { PEARL_WALLET: WALLETS.mainnet };

describe("docs", () => {
  it("has the guides the README promises", () => {
    const index = readFileSync(join(DOCS, "README.md"), "utf8");
    for (const link of index.matchAll(/\]\(([\w-]+\.md)\)/g)) expect(pages).toContain(link[1]);
    expect(pages.length).toBeGreaterThanOrEqual(7);
  });

  it("shows commands that all parse", async () => {
    let total = 0;
    for (const page of pages) {
      for (const command of commandsIn(readFileSync(join(DOCS, page), "utf8"), vars)) {
        let dispatched = false;
        const dispatch: Dispatch = async () => {
          dispatched = true;
          return 0;
        };
        const result = await jarvis(command.argv, { dispatch });
        expect(result.code, `${page}: ${command.line}\n${result.stderr}`).toBe(0);
        expect(dispatched || command.argv.includes("--help"), `${page}: ${command.line}`).toBe(
          true,
        );
        total += 1;
      }
    }
    expect(total).toBeGreaterThan(15);
  });

  for (const page of pages) {
    const commands = commandsIn(readFileSync(join(DOCS, page), "utf8"), vars).filter((c) =>
      runnable(c.argv),
    );
    if (commands.length === 0) continue;
    it(`runs the commands of ${page}`, { timeout: 120_000 }, async () => {
      const home = tempDir();
      const env = { OPENJARVIS_HOME: home.path, PEARLD_RPC_PASSWORD: "docs-test" };
      try {
        for (const command of commands) {
          const result = await jarvis(command.argv, { env });
          expect(result.code, `${page}: ${command.line}\n${result.stdout}${result.stderr}`).toBe(
            command.expectedCode,
          );
          if (command.argv.includes("--json"))
            expect(() => JSON.parse(result.stdout)).not.toThrow();
        }
      } finally {
        await jarvis(["mine", "stop"], { env });
        home.cleanup();
      }
    });
  }
});
