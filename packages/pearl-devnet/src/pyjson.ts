/**
 * Serialise the way Python's `json.dumps` does by default (`", "` and `": "` separators, non-ASCII
 * escaped), which is what the real gateway writes. Integers of any size stay exact.
 */
export function pythonJson(value: unknown): string {
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`cannot serialise ${value}`);
      return Number.isInteger(value) ? value.toFixed(0) : JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
  }
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  const parts = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) => `${pythonJson(key)}: ${pythonJson(item)}`,
  );
  return `{${parts.join(", ")}}`;
}
