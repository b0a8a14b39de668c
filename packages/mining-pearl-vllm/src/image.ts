import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ErrorCodes, MiningError, type ProgressEvent } from "@openjarvis/mining-core";
import { execa } from "execa";
import {
  DEFAULT_IMAGE_TAG,
  PEARL_DOCKERFILE,
  PEARL_PINNED_COMMIT,
  PEARL_REPO_URL,
} from "./constants.js";
import type { ContainerEngine } from "./engine/types.js";

export interface PearlSource {
  repoUrl: string;
  /** A full 40-hex commit, never a branch. */
  commit: string;
  /** Relative to the repository root (the build context). */
  dockerfile: string;
}

export const PINNED_PEARL_SOURCE: PearlSource = Object.freeze({
  repoUrl: PEARL_REPO_URL,
  commit: PEARL_PINNED_COMMIT,
  dockerfile: PEARL_DOCKERFILE,
});

export interface EnsureImageOptions {
  engine: ContainerEngine;
  tag: string;
  /** `<cacheDir>/pearl` holds the checkout. */
  cacheDir: string;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Whether this tag may be built from source; by default only the default tag is. */
  buildable?: boolean;
  source?: PearlSource;
  /** Extra `docker build` flags; Pearl's build opens many files (OpenJarvis used the same). */
  buildFlags?: string[];
  /** Environment for git (PATH, HOME, proxies). */
  env?: Readonly<Record<string, string | undefined>>;
}

export type ImageOrigin = "local" | "pulled" | "built";

function manualBuildHint(tag: string, source: PearlSource): string {
  return (
    `build it by hand: \`git clone --recursive ${source.repoUrl} pearl && cd pearl && git checkout ${source.commit} && ` +
    `docker build -t ${tag} -f ${source.dockerfile} .\`, then run \`jarvis mine start\` again`
  );
}

/**
 * Makes sure `tag` exists locally: use it if present, else pull it (skipped for `localhost/`
 * tags, which no registry serves), else build it from the pinned Pearl commit if allowed.
 * Every failure says what to do next.
 */
export async function ensureImage(options: EnsureImageOptions): Promise<ImageOrigin> {
  const { engine, tag } = options;
  const progress = (message: string) => options.onProgress?.({ stage: "image", message });
  const source = options.source ?? PINNED_PEARL_SOURCE;
  if (await engine.imageExists(tag)) return "local";

  let pullError = "pull skipped: localhost/ images are built, not pulled";
  if (!tag.startsWith("localhost/")) {
    progress(`pulling ${tag}`);
    try {
      await engine.pull(tag, progress);
      return "pulled";
    } catch (error) {
      if ((error as MiningError).code !== ErrorCodes.CONTAINER_IMAGE_NOT_FOUND) throw error;
      pullError = (error as Error).message;
    }
  }
  if (!(options.buildable ?? tag === DEFAULT_IMAGE_TAG)) {
    throw new MiningError(
      ErrorCodes.CONTAINER_IMAGE_NOT_FOUND,
      `image '${tag}' is not present locally and could not be pulled (${pullError})`,
      {
        hint:
          `pull or build it yourself, or remove [mining.extra].docker_image_tag to use the default ` +
          `(${DEFAULT_IMAGE_TAG}), which \`jarvis mine start\` builds from Pearl ${source.commit.slice(0, 12)}`,
        details: { image: tag },
      },
    );
  }

  const dir = join(options.cacheDir, "pearl");
  progress(
    `building ${tag} from Pearl ${source.commit.slice(0, 12)} (the first build takes 30-60 minutes)`,
  );
  await checkout(dir, source, options, tag);
  try {
    await engine.build({
      contextDir: dir,
      dockerfile: source.dockerfile,
      tag,
      flags: options.buildFlags ?? ["--ulimit", "nofile=1048576:1048576"],
      onLine: progress,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    const e = error as MiningError;
    if (e.code === ErrorCodes.ABORTED) throw error;
    throw new MiningError(
      e.code ?? ErrorCodes.CONTAINER_FAILED,
      `building ${tag} failed: ${e.message}`,
      {
        hint: `the build output above shows the failing step; fix it and run \`jarvis mine start\` again (the checkout stays cached in ${dir}), or ${manualBuildHint(tag, source)}`,
        details: { image: tag, checkout: dir },
      },
    );
  }
  return "built";
}

/** Fetches exactly `source.commit` into `dir` and leaves a clean tree with submodules. */
async function checkout(
  dir: string,
  source: PearlSource,
  options: EnsureImageOptions,
  tag: string,
): Promise<void> {
  if (!/^[0-9a-f]{40}$/.test(source.commit)) {
    throw new MiningError(
      ErrorCodes.CONFIG_INVALID,
      `Pearl commit must be 40 hex digits; got ${source.commit}`,
    );
  }
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: "0" };
  for (const [k, v] of Object.entries(options.env ?? process.env))
    if (v !== undefined) env[k] ??= v;
  const git = async (args: string[], cwd = dir) => {
    options.onProgress?.({ stage: "image", message: `git ${args[0]}` });
    const result = await execa("git", args, {
      cwd,
      env,
      extendEnv: false,
      reject: false,
      stdin: "ignore",
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    return result;
  };
  const must = async (args: string[], cwd = dir) => {
    const result = await git(args, cwd);
    if (result.isCanceled)
      throw new MiningError(ErrorCodes.ABORTED, "cancelled while fetching Pearl");
    if (result.failed) {
      const notFound = (result as { code?: string }).code === "ENOENT";
      const tail = String(result.stderr).trim().split("\n").slice(-5).join(" | ");
      throw new MiningError(
        ErrorCodes.CONTAINER_IMAGE_NOT_FOUND,
        notFound
          ? "cannot build the miner image: `git` is not installed"
          : `cannot build the miner image: \`git ${args[0]}\` failed (exit ${result.exitCode}): ${tail}`,
        {
          hint: notFound
            ? "install git, then run `jarvis mine start` again"
            : `check access to ${source.repoUrl}, or ${manualBuildHint(tag, source)}`,
          details: { checkout: dir, command: `git ${args[0]}` },
        },
      );
    }
    return String(result.stdout).trim();
  };

  // A missing cwd would make the spawn fail as if git itself were missing.
  mkdirSync(options.cacheDir, { recursive: true });
  if (!existsSync(join(dir, ".git"))) {
    await must(["init", "--quiet", dir], options.cacheDir);
    await must(["remote", "add", "origin", source.repoUrl]);
  } else {
    await must(["remote", "set-url", "origin", source.repoUrl]);
  }
  // Fetch the exact commit; servers that refuse fetch-by-id get a full fetch instead.
  const byId = await git(["fetch", "--quiet", "--depth", "1", "origin", source.commit]);
  if (byId.failed) await must(["fetch", "--quiet", "origin"]);
  // --force and clean: a previous, interrupted build may have left changes behind.
  await must(["checkout", "--quiet", "--force", "--detach", source.commit]);
  await must(["clean", "-fdxq"]);
  await must(["submodule", "update", "--init", "--recursive", "--force"]);
  const head = await must(["rev-parse", "HEAD"]);
  if (head !== source.commit) {
    throw new MiningError(
      ErrorCodes.CONTAINER_IMAGE_NOT_FOUND,
      `the Pearl checkout is at ${head}, not the pinned ${source.commit}`,
      { hint: `delete ${dir} and run \`jarvis mine start\` again` },
    );
  }
}
