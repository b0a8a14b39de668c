/** A parser for the Prometheus text exposition format (what vLLM serves on `/metrics`). */

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  timestamp?: number;
}

export interface HistogramSeries {
  /** The series' labels without `le` / `quantile`. */
  labels: Record<string, string>;
  /** Cumulative bucket counts by upper bound (`+Inf` is `Infinity`), ascending. */
  buckets: Array<{ le: number; count: number }>;
  /** Summary quantiles, ascending. */
  quantiles: Array<{ quantile: number; value: number }>;
  sum?: number;
  count?: number;
}

export interface PrometheusFamily {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped" | (string & {});
  help?: string;
  samples: PrometheusSample[];
  /** For histograms and summaries: one entry per label set. */
  series?: HistogramSeries[];
}

export interface PrometheusParseResult {
  samples: PrometheusSample[];
  families: Record<string, PrometheusFamily>;
  /** Lines that were neither comments nor valid samples (they are skipped). */
  invalidLines: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parsePrometheusNumber(text: string): number | null {
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, char: string) => (char === "n" ? "\n" : "\\"));
}

/** Parse `{a="x",b="y\"z"}` starting at `start` (the `{`); returns labels and the index after `}`. */
function parseLabels(
  line: string,
  start: number,
): { labels: Record<string, string>; end: number } | null {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (line[i] === "}") return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (!name) return null;
    i += name.length;
    while (line[i] === " " || line[i] === "\t") i++;
    if (line[i] !== "=") return null;
    i++;
    while (line[i] === " " || line[i] === "\t") i++;
    if (line[i] !== '"') return null;
    i++;
    let value = "";
    for (;;) {
      const char = line[i];
      if (char === undefined) return null;
      if (char === '"') break;
      if (char === "\\") {
        const next = line[i + 1];
        value +=
          next === "n" ? "\n" : next === '"' ? '"' : next === "\\" ? "\\" : `\\${next ?? ""}`;
        i += 2;
      } else {
        value += char;
        i++;
      }
    }
    labels[name] = value;
    i++;
    while (line[i] === " " || line[i] === "\t") i++;
    if (line[i] === ",") i++;
    else if (line[i] !== "}") return null;
  }
}

export function parseSampleLine(line: string): PrometheusSample | null {
  const name = NAME.exec(line)?.[0];
  if (!name) return null;
  let i = name.length;
  let labels: Record<string, string> = {};
  if (line[i] === "{") {
    const parsed = parseLabels(line, i);
    if (!parsed) return null;
    labels = parsed.labels;
    i = parsed.end;
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === "") return null;
  const value = parsePrometheusNumber(rest[0]!);
  if (value === null) return null;
  const sample: PrometheusSample = { name, labels, value };
  if (rest[1] !== undefined) {
    if (!/^-?\d+$/.test(rest[1])) return null;
    sample.timestamp = Number(rest[1]);
  }
  return sample;
}

const SUFFIXES: Record<string, string[]> = {
  histogram: ["_bucket", "_sum", "_count", "_created"],
  summary: ["_sum", "_count", "_created"],
  counter: ["_total", "_created"],
};

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function groupSeries(family: PrometheusFamily): HistogramSeries[] {
  const byLabels = new Map<string, HistogramSeries>();
  for (const sample of family.samples) {
    const { le, quantile, ...rest } = sample.labels;
    const key = labelKey(rest);
    let series = byLabels.get(key);
    if (!series) {
      series = { labels: rest, buckets: [], quantiles: [] };
      byLabels.set(key, series);
    }
    const suffix = sample.name.slice(family.name.length);
    if (suffix === "_bucket" && le !== undefined) {
      const bound = parsePrometheusNumber(le);
      if (bound !== null) series.buckets.push({ le: bound, count: sample.value });
    } else if (suffix === "_sum") series.sum = sample.value;
    else if (suffix === "_count") series.count = sample.value;
    else if (suffix === "" && quantile !== undefined) {
      const q = parsePrometheusNumber(quantile);
      if (q !== null) series.quantiles.push({ quantile: q, value: sample.value });
    }
  }
  for (const series of byLabels.values()) {
    series.buckets.sort((a, b) => a.le - b.le);
    series.quantiles.sort((a, b) => a.quantile - b.quantile);
  }
  return [...byLabels.values()];
}

/** Parse exposition text into flat samples and families (histograms/summaries grouped by label set). */
export function parsePrometheusText(text: string): PrometheusParseResult {
  const samples: PrometheusSample[] = [];
  const families: Record<string, PrometheusFamily> = {};
  let invalidLines = 0;
  const family = (name: string): PrometheusFamily => {
    let existing = families[name];
    if (!existing) {
      existing = { name, type: "untyped", samples: [] };
      families[name] = existing;
    }
    return existing;
  };
  const owner = (sampleName: string): PrometheusFamily => {
    if (families[sampleName]) return families[sampleName];
    for (const [type, suffixes] of Object.entries(SUFFIXES)) {
      for (const suffix of suffixes) {
        if (!sampleName.endsWith(suffix)) continue;
        const base = families[sampleName.slice(0, -suffix.length)];
        if (base && base.type === type) return base;
      }
    }
    return family(sampleName);
  };
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const meta = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (meta) {
        const target = family(meta[2]!);
        if (meta[1] === "HELP") target.help = unescapeHelp(meta[3] ?? "");
        else target.type = (meta[3] ?? "untyped").trim();
      }
      continue;
    }
    const sample = parseSampleLine(line);
    if (!sample) {
      invalidLines++;
      continue;
    }
    samples.push(sample);
    owner(sample.name).samples.push(sample);
  }
  for (const entry of Object.values(families)) {
    if (entry.type === "histogram" || entry.type === "summary") entry.series = groupSeries(entry);
  }
  return { samples, families, invalidLines };
}

function matches(sample: PrometheusSample, name: string, labels?: Record<string, string>): boolean {
  if (sample.name !== name) return false;
  if (!labels) return true;
  return Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
}

/** The first sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(
  samples: readonly PrometheusSample[],
  name: string,
  labels?: Record<string, string>,
): number | undefined {
  return samples.find((sample) => matches(sample, name, labels))?.value;
}

/** The sum over every series named `name` (e.g. across models); undefined when there is none. */
export function sumSamples(
  samples: readonly PrometheusSample[],
  name: string,
  labels?: Record<string, string>,
): number | undefined {
  let total: number | undefined;
  for (const sample of samples) {
    if (matches(sample, name, labels)) total = (total ?? 0) + sample.value;
  }
  return total;
}
