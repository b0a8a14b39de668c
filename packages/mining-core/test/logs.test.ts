import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { followFile, redactSecrets, rotateLogIfLarge, stripAnsi, tailLines } from "../src/index.js";
import { tempDir } from "./helpers.js";

describe("rotateLogIfLarge", () => {
  it("shifts numbered files and drops the oldest beyond keep", () => {
    const file = path.join(tempDir(), "miner.log");
    expect(rotateLogIfLarge(file, 10)).toBe(false);
    for (const content of ["first-generation-xx", "second-generation-x", "third-generation-xx"]) {
      writeFileSync(file, content);
      expect(rotateLogIfLarge(file, 10, 2)).toBe(true);
    }
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.1`, "utf8")).toBe("third-generation-xx");
    expect(readFileSync(`${file}.2`, "utf8")).toBe("second-generation-x");
    expect(existsSync(`${file}.3`)).toBe(false);
    writeFileSync(file, "small");
    expect(rotateLogIfLarge(file, 10, 2)).toBe(false);
  });
});

describe("tailLines", () => {
  it("returns the last lines of a large file", async () => {
    const file = path.join(tempDir(), "big.log");
    writeFileSync(file, `${Array.from({ length: 20_000 }, (_, i) => `line ${i} ✓`).join("\n")}\n`);
    expect(await tailLines(file, 3)).toEqual(["line 19997 ✓", "line 19998 ✓", "line 19999 ✓"]);
    expect(await tailLines(file, 0)).toEqual([]);
    expect(await tailLines(path.join(tempDir(), "missing.log"), 5)).toEqual([]);
  });

  it("handles a short file without a trailing newline", async () => {
    const file = path.join(tempDir(), "short.log");
    writeFileSync(file, "a\r\nb\nc");
    expect(await tailLines(file, 10)).toEqual(["a", "b", "c"]);
  });
});

describe("followFile", () => {
  it("yields appended lines, survives truncation, and ends on abort", async () => {
    const file = path.join(tempDir(), "follow.log");
    writeFileSync(file, "old line\n");
    const controller = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const line of followFile(file, { signal: controller.signal, pollMs: 10 })) {
        seen.push(line);
        if (line === "one") appendFileSync(file, "two\npart");
        if (line === "two") setTimeout(() => appendFileSync(file, "ial\n"), 30);
        if (line === "partial") setTimeout(() => writeFileSync(file, "after truncate\n"), 30);
        if (line === "after truncate") controller.abort();
      }
    })();
    setTimeout(() => appendFileSync(file, "one\n"), 50);
    await done;
    expect(seen).toEqual(["one", "two", "partial", "after truncate"]);
  });
});

describe("redactSecrets", () => {
  it("masks OpenJarvis' three patterns and given secret values", () => {
    const log = [
      "gateway config: rpc_password: hunter2hunter2 host=127.0.0.1",
      "RPC_PASSWORD:  s3cr3t!",
      "env PEARLD_RPC_PASSWORD=abc123def other=1",
      '{"PEARLD_RPC_PASSWORD": "p\\"w", "user": "rpcuser"}',
      "token hf_abcdefgh used twice: hf_abcdefgh",
    ].join("\n");
    const out = redactSecrets(log, ["hf_abcdefgh", "", "ab", undefined]);
    expect(out).toBe(
      [
        "gateway config: rpc_password: *** host=127.0.0.1",
        "RPC_PASSWORD:  ***",
        "env PEARLD_RPC_PASSWORD=*** other=1",
        '{"PEARLD_RPC_PASSWORD": "***", "user": "rpcuser"}',
        "token *** used twice: ***",
      ].join("\n"),
    );
    expect(redactSecrets("ab cd ab", ["ab"])).toBe("ab cd ab");
  });

  it("masks secrets containing regex characters literally", () => {
    expect(redactSecrets("pw=a.b*c+(d) end", ["a.b*c+(d)"])).toBe("pw=*** end");
  });
});

describe("stripAnsi", () => {
  it("removes colour, cursor and hyperlink sequences", () => {
    expect(
      stripAnsi("\u001b[1;32mOK\u001b[0m \u001b[2K\u001b]8;;https://x\u0007link\u001b]8;;\u0007"),
    ).toBe("OK link");
  });
});
