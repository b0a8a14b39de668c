const MASK = "***";
/** Secrets shorter than this are not masked: masking "a" or "1" would shred every line. */
const MIN_SECRET_LENGTH = 4;

// The three patterns OpenJarvis masks in Pearl's output (upstream logs its RPC password).
const PATTERNS: Array<[RegExp, string]> = [
  [/(rpc_password\s*:\s*)\S+/gi, `$1${MASK}`],
  [/(PEARLD_RPC_PASSWORD=)\S+/g, `$1${MASK}`],
  [/("PEARLD_RPC_PASSWORD"\s*:\s*")(?:[^"\\]|\\.)*(")/g, `$1${MASK}$2`],
];

/** Mask known secret patterns and each given secret value with `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  const values = secrets
    .filter(
      (secret): secret is string =>
        typeof secret === "string" && secret.length >= MIN_SECRET_LENGTH,
    )
    .sort((a, b) => b.length - a.length);
  for (const secret of values) out = out.split(secret).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

// CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ESC \`) and two-byte escapes.
const ANSI =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
