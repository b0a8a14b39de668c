/**
 * Locate and replace the `[mining]` / `[mining.extra]` tables in TOML text without touching any
 * other byte. A small line scanner finds real table headers: it skips multi-line strings and
 * multi-line arrays, where a line starting with `[` is data, not a header.
 */

interface Header {
  line: number;
  key: string[] | null;
  isArray: boolean;
}

type Mode = "normal" | "mlBasic" | "mlLiteral";

function parseHeaderKey(line: string): { key: string[] | null; isArray: boolean } {
  let i = line.indexOf("[");
  const isArray = line[i + 1] === "[";
  i += isArray ? 2 : 1;
  const parts: string[] = [];
  for (;;) {
    while (line[i] === " " || line[i] === "\t") i++;
    const char = line[i];
    if (char === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
      try {
        parts.push(JSON.parse(line.slice(i, j + 1)) as string);
      } catch {
        return { key: null, isArray };
      }
      i = j + 1;
    } else if (char === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) return { key: null, isArray };
      parts.push(line.slice(i + 1, j));
      i = j + 1;
    } else {
      const match = /^[A-Za-z0-9_-]+/.exec(line.slice(i));
      if (!match) return { key: null, isArray };
      parts.push(match[0]);
      i += match[0].length;
    }
    while (line[i] === " " || line[i] === "\t") i++;
    if (line[i] === ".") {
      i++;
      continue;
    }
    return { key: line[i] === "]" ? parts : null, isArray };
  }
}

/** Find table headers, tracking strings, comments and bracket depth across lines. */
function findHeaders(lines: string[]): Header[] {
  const headers: Header[] = [];
  let mode: Mode = "normal";
  let depth = 0;
  lines.forEach((line, index) => {
    if (mode === "normal" && depth === 0 && /^\s*\[/.test(line)) {
      headers.push({ line: index, ...parseHeaderKey(line) });
      return;
    }
    let i = 0;
    while (i < line.length) {
      if (mode === "mlBasic") {
        if (line[i] === "\\") i += 2;
        else if (line.startsWith('"""', i)) {
          mode = "normal";
          i += 3;
          while (line[i] === '"') i++;
        } else i++;
        continue;
      }
      if (mode === "mlLiteral") {
        const end = line.indexOf("'''", i);
        if (end < 0) break;
        mode = "normal";
        i = end + 3;
        while (line[i] === "'") i++;
        continue;
      }
      const char = line[i];
      if (char === "#") break;
      if (line.startsWith('"""', i)) {
        mode = "mlBasic";
        i += 3;
      } else if (line.startsWith("'''", i)) {
        mode = "mlLiteral";
        i += 3;
      } else if (char === '"') {
        i++;
        while (i < line.length && line[i] !== '"') i += line[i] === "\\" ? 2 : 1;
        i++;
      } else if (char === "'") {
        const end = line.indexOf("'", i + 1);
        i = end < 0 ? line.length : end + 1;
      } else {
        if (char === "[" || char === "{") depth++;
        else if ((char === "]" || char === "}") && depth > 0) depth--;
        i++;
      }
    }
  });
  return headers;
}

function isMiningTable(header: Header): boolean {
  if (header.isArray || header.key === null) return false;
  const [first, second, ...rest] = header.key;
  return first === "mining" && rest.length === 0 && (second === undefined || second === "extra");
}

const stripEol = (line: string) => line.replace(/\r?\n$/, "");

/** Replace the mining tables in `text` with `block` (lines), or append it. */
export function replaceMiningSection(text: string, block: string[]): string {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  // Each element keeps its own line terminator so untouched lines are reproduced exactly.
  const lines = text === "" ? [] : text.split(/(?<=\n)/);
  const bare = lines.map(stripEol);
  const headers = findHeaders(bare);
  const spans: Array<{ start: number; end: number }> = [];
  headers.forEach((header, k) => {
    if (!isMiningTable(header)) return;
    let end = headers[k + 1]?.line ?? lines.length;
    // Blank and comment lines right before the next header belong to that header.
    while (end > header.line + 1 && /^\s*(#.*)?$/.test(bare[end - 1] ?? "")) end--;
    spans.push({ start: header.line, end });
  });
  const rendered = block.map((line) => `${line}${eol}`);
  if (spans.length === 0) {
    let prefix = text;
    if (prefix !== "" && !prefix.endsWith("\n")) prefix += eol;
    if (prefix !== "" && !/(\r?\n){2}$/.test(prefix)) prefix += eol;
    return prefix + rendered.join("");
  }
  const out: string[] = [];
  let cursor = 0;
  spans.forEach((span, k) => {
    const gap = lines.slice(cursor, span.start);
    // Blank lines that only separated two mining tables go with the removed one.
    while (k > 0 && gap.length > 0 && /^\s*$/.test(gap[gap.length - 1]!)) gap.pop();
    out.push(...gap);
    if (k === 0) {
      out.push(...rendered);
      // Keep a blank line before whatever followed the old section.
      if (span.end < lines.length && !/^\s*$/.test(bare[span.end] ?? "")) out.push(eol);
    }
    cursor = span.end;
  });
  let last = lines.slice(cursor).join("");
  if (cursor >= lines.length && out.length > 0) last = "";
  return out.join("") + last;
}
