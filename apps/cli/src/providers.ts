/**
 * Provider loading. First-party providers are separate packages imported by name on demand, so
 * the CLI works with any subset installed; a missing one is "not installed" with the exact
 * install command. Third-party providers are named in `[mining] providers = [...]` and resolved
 * from the config file's directory first, then from the CLI's own location.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  ErrorCodes,
  isMiningError,
  MiningError,
  type MiningProvider,
  validateProvider,
} from "@openjarvis/mining-core";

export const FIRST_PARTY = {
  "cpu-pearl": "@openjarvis/mining-pearl-cpu",
  "vllm-pearl": "@openjarvis/mining-pearl-vllm",
} as const;

export type FirstPartyId = keyof typeof FIRST_PARTY;

export function isFirstParty(id: string): id is FirstPartyId {
  return Object.hasOwn(FIRST_PARTY, id);
}

export function installCommand(packageName: string): string {
  return `npm i -g ${packageName}`;
}

export type ProviderStatus = "loaded" | "not-installed" | "broken";

export interface ProviderEntry {
  /** Provider id (for a third-party module that failed to load: its spec). */
  id: string;
  source: "first-party" | "third-party";
  /** Package name or path as written. */
  spec: string;
  status: ProviderStatus;
  provider?: MiningProvider;
  /** The whole module, for first-party extras (e.g. vllm-pearl's model registry). */
  module?: Record<string, unknown>;
  version?: string;
  error?: MiningError;
}

/** `import()` seam: tests pass an importer that fails like a missing package would. */
export type Importer = (specifier: string) => Promise<Record<string, unknown>>;
const defaultImporter: Importer = (specifier) => import(specifier);

/** Only "this very package is absent" counts as not installed; anything else is a real fault. */
export function isMissingPackage(error: unknown, packageName: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === "ERR_MODULE_NOT_FOUND" &&
    typeof message === "string" &&
    message.includes(`Cannot find package '${packageName}'`)
  );
}

export function notInstalledError(id: string, packageName: string): MiningError {
  return new MiningError(
    ErrorCodes.PROVIDER_NOT_INSTALLED,
    `provider ${id} is not installed (package ${packageName})`,
    {
      hint: `install it: ${installCommand(packageName)}`,
      details: { provider: id, package: packageName },
    },
  );
}

function providerFromModule(module: Record<string, unknown>, spec: string): MiningProvider {
  let candidate: unknown = module.default ?? module.provider;
  // CommonJS interop can nest the default export one level deeper.
  if (
    candidate &&
    typeof candidate === "object" &&
    "default" in candidate &&
    !("id" in candidate)
  ) {
    candidate = (candidate as { default: unknown }).default;
  }
  if (candidate === undefined) {
    throw new MiningError(ErrorCodes.PROVIDER_INVALID, `${spec} has no default export`, {
      hint: "a provider module must `export default defineProvider({...})`",
      details: { spec },
    });
  }
  try {
    return validateProvider(candidate);
  } catch (error) {
    if (isMiningError(error)) {
      throw new MiningError(error.code, `${spec}: ${error.message}`, {
        ...(error.hint ? { hint: error.hint } : {}),
        details: { spec, ...error.details },
      });
    }
    throw error;
  }
}

function firstPartyVersion(packageName: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve(`${packageName}/package.json`);
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

const cache = new Map<string, Promise<ProviderEntry>>();

export async function loadFirstParty(
  id: FirstPartyId,
  importer: Importer = defaultImporter,
): Promise<ProviderEntry> {
  const packageName = FIRST_PARTY[id];
  const base = { id, source: "first-party", spec: packageName } as const;
  let module: Record<string, unknown>;
  try {
    module = await importer(packageName);
  } catch (error) {
    if (isMissingPackage(error, packageName)) {
      return { ...base, status: "not-installed", error: notInstalledError(id, packageName) };
    }
    return { ...base, status: "broken", error: brokenError(id, packageName, error) };
  }
  try {
    const provider = providerFromModule(module, packageName);
    const version = firstPartyVersion(packageName);
    return { ...base, status: "loaded", provider, module, ...(version ? { version } : {}) };
  } catch (error) {
    return { ...base, status: "broken", error: brokenError(id, packageName, error) };
  }
}

function brokenError(id: string, spec: string, error: unknown): MiningError {
  if (isMiningError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new MiningError(
    ErrorCodes.PROVIDER_INVALID,
    `provider ${id} failed to load: ${message.split("\n")[0]}`,
    {
      hint: `reinstall it (${installCommand(spec)}) or run with --debug for the cause`,
      cause: error,
      details: { provider: id, spec },
    },
  );
}

/** Cached per process: a command may ask for the same provider several times. */
export function firstParty(id: FirstPartyId, importer?: Importer): Promise<ProviderEntry> {
  if (importer) return loadFirstParty(id, importer);
  let entry = cache.get(id);
  if (!entry) {
    entry = loadFirstParty(id);
    cache.set(id, entry);
  }
  return entry;
}

/** Resolve a package name the way Node would from `fromDir`, honouring `exports`. */
export function resolvePackageEntry(name: string, fromDir: string): string | null {
  let dir = resolve(fromDir);
  for (;;) {
    const manifestPath = join(dir, "node_modules", name, "package.json");
    if (existsSync(manifestPath)) return entryOf(dirname(manifestPath));
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function entryOf(packageDir: string): string | null {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
    exports?: unknown;
    module?: string;
    main?: string;
  };
  const target = pickExport(manifest.exports) ?? manifest.module ?? manifest.main ?? "index.js";
  const file = join(packageDir, target);
  return existsSync(file) ? file : null;
}

function pickExport(exportsField: unknown): string | undefined {
  if (typeof exportsField === "string") return exportsField;
  if (!exportsField || typeof exportsField !== "object") return undefined;
  const record = exportsField as Record<string, unknown>;
  if ("." in record) return pickExport(record["."]);
  for (const condition of ["import", "node", "default"]) {
    const picked = pickExport(record[condition]);
    if (picked) return picked;
  }
  return undefined;
}

function isPathSpec(spec: string): boolean {
  return spec.startsWith("./") || spec.startsWith("../") || isAbsolute(spec) || spec === ".";
}

function notInstalledEntry(
  spec: string,
  message: string,
  options: { hint: string; details: Record<string, unknown> },
): ProviderEntry {
  return {
    source: "third-party",
    spec,
    id: spec,
    status: "not-installed",
    error: new MiningError(ErrorCodes.PROVIDER_NOT_INSTALLED, message, options),
  };
}

/** Load a `[mining] providers` entry; `configDir` is the directory of the config file. */
export async function loadThirdParty(spec: string, configDir: string): Promise<ProviderEntry> {
  const base = { source: "third-party", spec } as const;
  let url: string;
  if (isPathSpec(spec)) {
    const file = resolve(configDir, spec);
    if (!existsSync(file)) {
      return notInstalledEntry(spec, `provider module ${file} does not exist`, {
        hint: "fix [mining] providers (paths are relative to the config file's directory)",
        details: { spec, path: file },
      });
    }
    url = pathToFileURL(file).href;
  } else {
    const fromConfig = resolvePackageEntry(spec, configDir);
    url = fromConfig ? pathToFileURL(fromConfig).href : spec;
  }
  let module: Record<string, unknown>;
  try {
    module = await import(url);
  } catch (error) {
    if (isMissingPackage(error, spec)) {
      return notInstalledEntry(spec, `provider package ${spec} is not installed`, {
        hint: `install it next to your config file or globally: ${installCommand(spec)}`,
        details: { spec },
      });
    }
    return { ...base, id: spec, status: "broken", error: brokenError(spec, spec, error) };
  }
  try {
    const provider = providerFromModule(module, spec);
    return { ...base, id: provider.id, status: "loaded", provider, module };
  } catch (error) {
    return { ...base, id: spec, status: "broken", error: brokenError(spec, spec, error) };
  }
}

export interface ProviderSet {
  /** The provider with this id, loaded; otherwise a MiningError that says why not. */
  get(id: string): Promise<MiningProvider>;
  /** The load result for one id, without throwing. */
  entry(id: string): Promise<ProviderEntry | undefined>;
  /** Every first-party and configured third-party provider (loads them all). */
  all(): Promise<ProviderEntry[]>;
}

/**
 * First-party providers plus the configured third-party ones. Loading is lazy: asking for
 * cpu-pearl never imports vllm-pearl (and its container tooling).
 */
export function providerSet(
  options: { thirdParty?: string[]; configDir?: string; importer?: Importer } = {},
): ProviderSet {
  let thirdParty: Promise<ProviderEntry[]> | undefined;
  const loadThirdParties = () => {
    thirdParty ??= (async () => {
      const loaded: ProviderEntry[] = [];
      for (const spec of options.thirdParty ?? []) {
        const entry = await loadThirdParty(spec, options.configDir ?? process.cwd());
        const taken = isFirstParty(entry.id) || loaded.some((e) => e.id === entry.id);
        if (entry.status === "loaded" && taken) {
          loaded.push({
            ...entry,
            status: "broken",
            error: new MiningError(
              ErrorCodes.PROVIDER_DUPLICATE,
              `provider id ${entry.id} from ${spec} is already taken`,
              {
                hint: "remove it from [mining] providers or give it another id",
                details: { spec, id: entry.id },
              },
            ),
          });
        } else {
          loaded.push(entry);
        }
      }
      return loaded;
    })();
    return thirdParty;
  };
  const entry = async (id: string): Promise<ProviderEntry | undefined> => {
    if (isFirstParty(id)) return firstParty(id, options.importer);
    return (await loadThirdParties()).find((e) => e.id === id || e.spec === id);
  };
  return {
    entry,
    async all() {
      const first: ProviderEntry[] = [];
      for (const id of Object.keys(FIRST_PARTY) as FirstPartyId[]) {
        first.push(await firstParty(id, options.importer));
      }
      return [...first, ...(await loadThirdParties())];
    },
    async get(id) {
      const found = await entry(id);
      if (!found) {
        const third = (await loadThirdParties()).filter((e) => e.status === "loaded");
        const known = [...Object.keys(FIRST_PARTY), ...third.map((e) => e.id)];
        const apple =
          id === "apple-mps-pearl"
            ? 'this port has no apple-mps-pearl: cpu-pearl runs on Apple silicon (provider = "cpu-pearl"); '
            : "";
        throw new MiningError(
          ErrorCodes.PROVIDER_UNKNOWN,
          `unknown mining provider ${JSON.stringify(id)}`,
          {
            hint: `${apple}known providers: ${known.join(", ")}; third-party providers go in [mining] providers = [...]`,
            details: { provider: id, known },
          },
        );
      }
      if (found.status !== "loaded" || !found.provider) {
        throw found.error ?? notInstalledError(id, found.spec);
      }
      return found.provider;
    },
  };
}
