/**
 * Installs from npm tarballs, as a user would (nothing is published): `pnpm pack` every package,
 * then `npm i` the CLI with only cpu-pearl (and what it needs), or with only vllm-pearl, in empty
 * directories. Slow by nature (two npm installs), so it is one file with a generous timeout.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const PACKAGES = {
  core: "packages/mining-core",
  pearl: "packages/pearl",
  devnet: "packages/pearl-devnet",
  cpu: "packages/mining-pearl-cpu",
  vllm: "packages/mining-pearl-vllm",
  cli: "apps/cli",
} as const;

let work: ReturnType<typeof tempDir>;
const tarballs: Partial<Record<keyof typeof PACKAGES, string>> = {};

function npmInstall(dir: string, names: (keyof typeof PACKAGES)[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "install-test", "private": true }\n');
  execFileSync(
    "npm",
    [
      "i",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...names.map((n) => tarballs[n]!),
    ],
    { cwd: dir, stdio: "pipe", timeout: 240_000 },
  );
}

function jarvisIn(dir: string, args: string[]) {
  const result = spawnSync(join(dir, "node_modules", ".bin", "jarvis"), args, {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, OPENJARVIS_HOME: join(dir, "home"), NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  work = tempDir("jarvis-pack-");
  const out = join(work.path, "tarballs");
  mkdirSync(out);
  for (const [name, dir] of Object.entries(PACKAGES) as [keyof typeof PACKAGES, string][]) {
    const printed = execFileSync("pnpm", ["pack", "--pack-destination", out], {
      cwd: join(ROOT, dir),
      encoding: "utf8",
    });
    tarballs[name] = printed.trim().split("\n").at(-1)!;
    expect(existsSync(tarballs[name]!)).toBe(true);
  }
}, 120_000);

afterAll(() => {
  for (const dir of ["cpu-only", "vllm-only"]) {
    if (existsSync(join(work.path, dir, "home", "runtime", "mining.json")))
      jarvisIn(join(work.path, dir), ["mine", "stop"]);
  }
  work?.cleanup();
});

describe("npm install from tarballs", { timeout: 300_000 }, () => {
  it("with only cpu-pearl: doctor, start --devnet, status, stop work and nothing Docker-related is installed", async () => {
    const dir = join(work.path, "cpu-only");
    npmInstall(dir, ["cli", "cpu", "core", "pearl", "devnet"]);
    const installed = readdirSync(join(dir, "node_modules"));
    expect(installed).not.toContain("execa");
    expect(readdirSync(join(dir, "node_modules", "@openjarvis"))).not.toContain(
      "mining-pearl-vllm",
    );

    const doctor = jarvisIn(dir, ["mine", "doctor"]);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/cpu-pearl \(for --devnet\)\s+@openjarvis\/mining-pearl-cpu/);
    expect(doctor.stdout).toContain("not installed (npm i -g @openjarvis/mining-pearl-vllm)");

    const start = jarvisIn(dir, ["mine", "start", "--devnet", "--threads", "1"]);
    expect(start.code, start.stderr).toBe(0);
    let blocks = 0;
    const deadline = Date.now() + 120_000;
    while (blocks < 1 && Date.now() < deadline) {
      const status = jarvisIn(dir, ["--json", "mine", "status"]);
      expect(status.code, status.stdout + status.stderr).toBe(0);
      blocks = JSON.parse(status.stdout).stats.blocksFound;
      if (blocks < 1) await new Promise((r) => setTimeout(r, 500));
    }
    expect(blocks).toBeGreaterThanOrEqual(1);
    const stop = jarvisIn(dir, ["mine", "stop"]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(jarvisIn(dir, ["mine", "status"]).code).toBe(3);

    const models = jarvisIn(dir, ["mine", "models"]);
    expect(models.code).toBe(1);
    expect(models.stderr).toContain("hint: install it: npm i -g @openjarvis/mining-pearl-vllm");
  });

  it("with only vllm-pearl: CPU commands say how to install cpu-pearl, the rest works", () => {
    const dir = join(work.path, "vllm-only");
    npmInstall(dir, ["cli", "vllm", "core", "pearl"]);
    expect(readdirSync(join(dir, "node_modules", "@openjarvis"))).not.toContain("mining-pearl-cpu");

    const start = jarvisIn(dir, ["--json", "mine", "start", "--devnet"]);
    expect(start.code).toBe(1);
    expect(JSON.parse(start.stdout)).toEqual({
      ok: false,
      error: {
        code: "E_PROVIDER_NOT_INSTALLED",
        message: "provider cpu-pearl is not installed (package @openjarvis/mining-pearl-cpu)",
        hint: "install it: npm i -g @openjarvis/mining-pearl-cpu",
      },
    });
    const models = jarvisIn(dir, ["--json", "mine", "models"]);
    expect(models.code).toBe(0);
    expect(JSON.parse(models.stdout).models).toHaveLength(3);
    const status = jarvisIn(dir, ["mine", "status"]);
    expect(status.code).toBe(3);
  });
});
