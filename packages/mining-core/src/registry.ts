import { ErrorCodes, MiningError } from "./errors.js";
import { type MiningProvider, PROVIDER_API_VERSION } from "./provider.js";

const REQUIRED_METHODS = ["detect", "start", "stop", "isRunning", "stats"] as const;
const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

function problemsOf(value: unknown): string[] {
  if (typeof value !== "object" || value === null) {
    return [`expected a provider object, got ${value === null ? "null" : typeof value}`];
  }
  const candidate = value as Record<string, unknown>;
  const problems: string[] = [];
  if (candidate.apiVersion !== PROVIDER_API_VERSION) {
    problems.push(
      `apiVersion is ${JSON.stringify(candidate.apiVersion)}, but this mining-core supports ${PROVIDER_API_VERSION}`,
    );
  }
  if (typeof candidate.id !== "string" || !ID_PATTERN.test(candidate.id)) {
    problems.push(
      `id must be a short lowercase string like "cpu-pearl", got ${JSON.stringify(candidate.id)}`,
    );
  }
  if (typeof candidate.displayName !== "string" || candidate.displayName.trim() === "") {
    problems.push("displayName must be a non-empty string");
  }
  for (const method of REQUIRED_METHODS) {
    if (typeof candidate[method] !== "function") problems.push(`${method} must be a function`);
  }
  if (candidate.logs !== undefined && typeof candidate.logs !== "function") {
    problems.push("logs, when present, must be a function");
  }
  const { extraKeys } = candidate;
  if (
    extraKeys !== undefined &&
    !(Array.isArray(extraKeys) && extraKeys.every((key) => typeof key === "string"))
  ) {
    problems.push("extraKeys, when present, must be an array of strings");
  }
  return problems;
}

/**
 * Check that `value` (or a module's `default` export) is a provider for this API version.
 * Purely structural: a provider built against another copy of mining-core is accepted.
 */
export function validateProvider(value: unknown): MiningProvider {
  let candidate = value;
  const moduleDefault = (value as { default?: unknown } | null)?.default;
  if (problemsOf(value).length > 0 && moduleDefault !== undefined) candidate = moduleDefault;
  const problems = problemsOf(candidate);
  if (problems.length > 0) {
    const id = (candidate as { id?: unknown } | null)?.id;
    const name = typeof id === "string" ? `provider "${id}"` : "the provider";
    throw new MiningError(
      ErrorCodes.PROVIDER_INVALID,
      `${name} is not valid: ${problems.join("; ")}`,
      {
        hint:
          (candidate as { apiVersion?: unknown } | null)?.apiVersion !== PROVIDER_API_VERSION
            ? "install a provider version built for this @openjarvis/mining-core (see its peer dependency)"
            : "build the provider with defineProvider() from @openjarvis/mining-core",
        details: { problems },
      },
    );
  }
  return candidate as MiningProvider;
}

/** Providers by id, in registration order. Create one per program; there is no global one. */
export class ProviderRegistry {
  private readonly providers = new Map<string, MiningProvider>();

  /** Add a provider; a second provider with the same id is E_PROVIDER_DUPLICATE. */
  register(provider: unknown): MiningProvider {
    const valid = validateProvider(provider);
    if (this.providers.has(valid.id)) {
      throw new MiningError(
        ErrorCodes.PROVIDER_DUPLICATE,
        `a mining provider with id "${valid.id}" is already registered`,
        {
          hint: "two installed packages provide the same id; remove one of them",
          details: { id: valid.id },
        },
      );
    }
    this.providers.set(valid.id, valid);
    return valid;
  }

  /** Register unless the id is already present; returns the registered provider. */
  ensureRegistered(provider: unknown): MiningProvider {
    const valid = validateProvider(provider);
    return this.providers.get(valid.id) ?? this.register(valid);
  }

  /** The provider, or E_PROVIDER_UNKNOWN listing the known ids. */
  get(id: string): MiningProvider {
    const provider = this.providers.get(id);
    if (provider) return provider;
    const known = this.keys();
    throw new MiningError(ErrorCodes.PROVIDER_UNKNOWN, `unknown mining provider "${id}"`, {
      hint:
        known.length > 0
          ? `known providers: ${known.join(", ")}`
          : "no providers are registered; install one, e.g. @openjarvis/mining-pearl-cpu",
      details: { id, known },
    });
  }

  contains(id: string): boolean {
    return this.providers.has(id);
  }

  keys(): string[] {
    return [...this.providers.keys()];
  }

  values(): MiningProvider[] {
    return [...this.providers.values()];
  }

  clear(): void {
    this.providers.clear();
  }
}
