/**
 * JSON with integers of any size. The gateway sends `target` as a bare JSON integer of up to
 * 78 digits, which `JSON.parse` would round. Integers outside the safe range parse to `bigint`;
 * everything else parses exactly as `JSON.parse` would.
 */

export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

const MAX_DEPTH = 256;
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** A parsed document plus the exact source text of each member of the top-level object. */
export interface ParsedWithRawMembers {
  value: JsonValue;
  /** Only filled when the document is an object: key → the member's value as sent. */
  rawMembers: Map<string, string>;
}

/** Parse JSON; integers beyond ±(2^53 − 1) become `bigint`. Throws `SyntaxError`. */
export function parseJsonWithBigInts(text: string): JsonValue {
  return new Parser(text).document().value;
}

/** Like `parseJsonWithBigInts`, and also keeps each top-level member's raw text (for echoing). */
export function parseJsonKeepingRawMembers(text: string): ParsedWithRawMembers {
  return new Parser(text).document();
}

/** Serialise like `JSON.stringify` (compact), writing `bigint` as plain decimal digits. */
export function stringifyJsonWithBigInts(value: unknown): string {
  const out = write(value, 0);
  if (out === undefined) throw new TypeError("value is not serialisable as JSON");
  return out;
}

function write(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) throw new TypeError("JSON nesting is too deep");
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`cannot serialise ${value} as JSON`);
      return JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    return `[${value.map((item) => write(item, depth + 1) ?? "null").join(",")}]`;
  }
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const text = write(item, depth + 1);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  document(): ParsedWithRawMembers {
    const rawMembers = new Map<string, string>();
    this.skipSpace();
    const value = this.value(0, rawMembers);
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail("unexpected text after the JSON value");
    return { value, rawMembers };
  }

  private value(depth: number, rawMembers?: Map<string, string>): JsonValue {
    if (depth > MAX_DEPTH) this.fail("nesting is too deep");
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth, rawMembers);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "t") return this.literal("true", true);
    if (c === "f") return this.literal("false", false);
    if (c === "n") return this.literal("null", null);
    return this.number();
  }

  private object(depth: number, rawMembers?: Map<string, string>): JsonValue {
    const result: Record<string, JsonValue> = {};
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail("expected a property name");
      const key = this.string();
      this.skipSpace();
      this.expect(":");
      this.skipSpace();
      const start = this.pos;
      const item = this.value(depth + 1);
      rawMembers?.set(key, this.text.slice(start, this.pos));
      // Own data property even for "__proto__", so no prototype can be injected.
      Object.defineProperty(result, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === "}") return result;
      if (next !== ",") this.fail("expected ',' or '}'", this.pos - 1);
    }
  }

  private array(depth: number): JsonValue {
    const result: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      result.push(this.value(depth + 1));
      this.skipSpace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === "]") return result;
      if (next !== ",") this.fail("expected ',' or ']'", this.pos - 1);
    }
  }

  private string(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c)) this.fail("unterminated string", start);
      if (c === 0x22) break;
      i += c === 0x5c ? 2 : 1;
    }
    this.pos = i + 1;
    try {
      // JSON.parse checks escapes and control characters for us.
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      return this.fail("invalid string", start);
    }
  }

  private number(): JsonValue {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail("unexpected character");
    const source = match[0];
    this.pos += source.length;
    if (INTEGER.test(source)) {
      const asNumber = Number(source);
      return Number.isSafeInteger(asNumber) ? asNumber : BigInt(source);
    }
    return Number(source);
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail("unexpected character");
    this.pos += word.length;
    return value;
  }

  private expect(char: string): void {
    if (this.text[this.pos] !== char) this.fail(`expected '${char}'`);
    this.pos++;
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private fail(message: string, at = this.pos): never {
    const where = at >= this.text.length ? "end of input" : `position ${at}`;
    throw new SyntaxError(`JSON: ${message} at ${where}`);
  }
}
