/** `jarvis pearl …` against real executables (small shell scripts standing in for Pearl's tools). */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  encodeIncompleteHeader,
  mineReference,
  OPENJARVIS_SHAPE,
  plainProofToBase64,
} from "@openjarvis/pearl";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jarvis, tempDir } from "./helpers.js";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

function tool(binDir: string, name: string, body: string): string {
  mkdirSync(binDir, { recursive: true });
  const file = join(binDir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe("jarvis pearl doctor / node / wallet / ctl", () => {
  it("finds tools under --pearl-home before PATH and never in the current directory", async () => {
    const home = join(dir.path, "pearl");
    const fromHome = tool(join(home, "bin"), "pearld", "exit 0");
    tool(join(dir.path, "path"), "pearld", "exit 0");
    tool(join(dir.path, "path"), "oyster", "exit 0");
    tool(join(dir.path, "cwd", "pearl", "bin"), "prlctl", "exit 0");
    const result = await jarvis(["--json", "pearl", "doctor", "--pearl-home", home], {
      env: { PATH: join(dir.path, "path"), HOME: dir.path },
      cwd: join(dir.path, "cwd"),
    });
    expect(result.code).toBe(0);
    const { binaries } = result.json<{ binaries: { name: string; path: string | null }[] }>();
    expect(binaries).toEqual([
      { name: "pearld", path: fromHome },
      { name: "oyster", path: join(dir.path, "path", "oyster") },
      { name: "prlctl", path: null },
    ]);
  });

  it("runs the tool with the arguments verbatim and returns its exit code", async () => {
    tool(
      join(dir.path, "bin"),
      "pearld",
      'for a in "$@"; do echo "arg:$a"; done; echo oops >&2; exit 7',
    );
    const result = await jarvis(["pearl", "node", "--", "--help", "-C", "x y"], {
      env: { PATH: join(dir.path, "bin") },
    });
    expect(result.code).toBe(7);
    expect(result.stdout).toBe("arg:--help\narg:-C\narg:x y\n");
    expect(result.stderr).toBe("oops\n");
  });

  it("says how to get a tool that is missing", async () => {
    const result = await jarvis(["--json", "pearl", "wallet", "create"], {
      env: { PATH: join(dir.path, "empty"), HOME: dir.path },
    });
    expect(result.code).toBe(1);
    const { error } = result.json<{ error: { code: string; message: string; hint: string } }>();
    expect(error.code).toBe("E_PEARL_BINARY_NOT_FOUND");
    expect(error.message).toContain("'oyster'");
    expect(error.hint).toContain("PEARL_HOME");
  });
});

describe("jarvis pearl address", () => {
  it("keeps the password out of argv and hands it over in a private file", async () => {
    const log = join(dir.path, "argv.txt");
    tool(
      join(dir.path, "bin"),
      "prlctl",
      `printf '%s\\n' "$@" > ${log}
cfg=$(printf '%s\\n' "$@" | sed -n 's/^--configfile=//p')
stat -c %a "$cfg" >> ${log}
cat "$cfg" >> ${log}
echo prl1pnewaddress`,
    );
    const result = await jarvis(["--json", "pearl", "address", "-u", "alice"], {
      env: { PATH: `${join(dir.path, "bin")}:/usr/bin:/bin`, OYSTER_RPC_PASSWORD: "hunter2" },
    });
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ ok: true, address: "prl1pnewaddress" });
    const seen = readFileSync(log, "utf8").split("\n");
    const argv = seen.slice(0, seen.indexOf("600"));
    expect(argv).toEqual([
      expect.stringMatching(/^--configfile=/),
      "--wallet",
      "-u",
      "alice",
      "-s",
      "localhost:44207",
      "--notls",
      "getnewaddress",
    ]);
    expect(argv.join(" ")).not.toContain("hunter2");
    expect(seen).toContain("rpcpass=hunter2");
  });

  it("refuses to run without a password", async () => {
    tool(join(dir.path, "bin"), "prlctl", "echo should-not-run");
    const result = await jarvis(["pearl", "address"], { env: { PATH: join(dir.path, "bin") } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: the wallet RPC password is not set ($OYSTER_RPC_PASSWORD)",
    );
    expect(result.stdout).toBe("");
  });
});

describe("jarvis pearl verify-proof", () => {
  const nbits = 0x207fffff;
  const header = encodeIncompleteHeader({
    version: 1,
    prevBlock: new Uint8Array(32).fill(1),
    merkleRoot: new Uint8Array(32).fill(2),
    timestamp: 1_767_225_600,
    nbits,
  });

  it("prints ok for a mined proof (base64 file, hex header, stdin) and the reason for a failing one", async () => {
    const { proof } = await mineReference({
      header,
      certVersion: 3,
      shape: {
        ...OPENJARVIS_SHAPE,
        rows: [...OPENJARVIS_SHAPE.rows],
        cols: [...OPENJARVIS_SHAPE.cols],
      },
    });
    const base64 = plainProofToBase64(proof);
    const file = join(dir.path, "proof.b64");
    writeFileSync(file, `${base64}\n`);
    const hex = Buffer.from(header).toString("hex");
    const ok = await jarvis([
      "pearl",
      "verify-proof",
      "--header",
      hex,
      "--proof",
      file,
      "--cert-version",
      "3",
    ]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("ok\n");
    const viaStdin = await jarvis(
      [
        "--json",
        "pearl",
        "verify-proof",
        "--header",
        Buffer.from(header).toString("base64"),
        "--proof",
        "-",
        "--cert-version",
        "3",
      ],
      {
        stdin: Readable.from([Buffer.from(base64)]),
      },
    );
    expect(viaStdin.json()).toEqual({ ok: true, valid: true, certVersion: 3, nbits });
    const tooHard = await jarvis([
      "--json",
      "pearl",
      "verify-proof",
      "--header",
      hex,
      "--proof",
      file,
      "--cert-version",
      "3",
      "--nbits",
      "0x03000001",
    ]);
    expect(tooHard.code).toBe(1);
    const { error } = tooHard.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe("E_PROOF_INVALID");
    expect(error.message).toMatch(/^invalid: /);
  });

  it("rejects a header of the wrong length and a bad --nbits as usage errors", async () => {
    const file = join(dir.path, "p");
    writeFileSync(file, "AAAA");
    const shortHeader = await jarvis([
      "pearl",
      "verify-proof",
      "--header",
      "abcd",
      "--proof",
      file,
      "--cert-version",
      "3",
    ]);
    expect(shortHeader.code).toBe(2);
    expect(shortHeader.stderr).toContain("76-byte");
    const hex = Buffer.from(header).toString("hex");
    const badNbits = await jarvis([
      "pearl",
      "verify-proof",
      "--header",
      hex,
      "--proof",
      file,
      "--cert-version",
      "3",
      "--nbits",
      "zz",
    ]);
    expect(badNbits.code).toBe(2);
    const badProof = await jarvis([
      "pearl",
      "verify-proof",
      "--header",
      hex,
      "--proof",
      file,
      "--cert-version",
      "3",
    ]);
    expect(badProof.code).toBe(1);
    expect(badProof.stderr).toContain("does not decode");
  });
});
