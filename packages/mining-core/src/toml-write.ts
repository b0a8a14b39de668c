/** A minimal TOML value writer for the `[mining]` section (read back by smol-toml in tests). */

export type TomlValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | readonly TomlValue[]
  | { readonly [key: string]: TomlValue };

export function tomlString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

export function tomlValue(value: TomlValue): string {
  if (typeof value === "string") return tomlString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    // String() gives "1e+21" / "1.5e-7" for extremes, which TOML accepts as floats too.
    return Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? value.toFixed(0) : String(value);
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map((item) => tomlValue(item)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, TomlValue>).filter(
    ([, item]) => item !== undefined && item !== null,
  );
  return `{ ${entries.map(([key, item]) => `${tomlKey(key)} = ${tomlValue(item)}`).join(", ")} }`;
}

export function keyValueLines(values: Record<string, TomlValue>): string[] {
  return Object.entries(values).map(([key, value]) => `${tomlKey(key)} = ${tomlValue(value)}`);
}
