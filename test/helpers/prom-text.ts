/**
 * A strict reader of the Prometheus text exposition format 0.0.4, to check what /metrics serves: HELP/TYPE lines
 * once per family and before its samples, a family's lines together, valid metric and label names, quoted label
 * values with only \\ \" \n escapes, float values (NaN, +Inf, -Inf), and histograms whose buckets are cumulative,
 * increase in `le`, end in +Inf equal to _count, with _sum and _count present. Throws naming the line on any fault.
 */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: ParsedSample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(s: string, where: string): number {
  if (s === "NaN") return NaN;
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`${where}: ${JSON.stringify(s)} is not a float`);
  return Number(s);
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let s = text.slice(1);
  for (;;) {
    if (s.startsWith("}")) return { labels, rest: s.slice(1) };
    const name = LABEL.exec(s)?.[0];
    if (!name) throw new Error(`${where}: bad label name at ${JSON.stringify(s.slice(0, 20))}`);
    if (name in labels) throw new Error(`${where}: label ${name} repeated`);
    s = s.slice(name.length);
    if (!s.startsWith('="')) throw new Error(`${where}: label ${name} without ="`);
    s = s.slice(2);
    let value = "";
    for (;;) {
      const c = s[0];
      if (c === undefined) throw new Error(`${where}: unterminated value of ${name}`);
      s = s.slice(1);
      if (c === '"') break;
      if (c === "\n") throw new Error(`${where}: raw newline in ${name}`);
      if (c !== "\\") {
        value += c;
        continue;
      }
      const e = s[0];
      s = s.slice(1);
      if (e === "\\" || e === '"') value += e;
      else if (e === "n") value += "\n";
      else throw new Error(`${where}: bad escape \\${e} in ${name}`);
    }
    labels[name] = value;
    if (s.startsWith(",")) s = s.slice(1);
    else if (!s.startsWith("}")) throw new Error(`${where}: expected , or } after ${name}`);
  }
}

/** The base family a sample line belongs to (a histogram's _bucket, _sum and _count belong to it). */
function familyOf(sample: string, families: Map<string, ParsedFamily>): ParsedFamily | undefined {
  for (const suffix of ["", "_bucket", "_sum", "_count"]) {
    if (!sample.endsWith(suffix)) continue;
    const f = families.get(sample.slice(0, sample.length - suffix.length));
    if (f && (suffix === "" ? f.type !== "histogram" : f.type === "histogram" || f.type === "summary")) return f;
  }
  return undefined;
}

export function parsePromText(text: string): Map<string, ParsedFamily> {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the document must end with a newline");
  const families = new Map<string, ParsedFamily>();
  const closed = new Set<string>();
  let current: ParsedFamily | undefined;
  text.split("\n").slice(0, -1).forEach((line, i) => {
    const where = `line ${i + 1}`;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, what, name, rest] = meta;
      if (!METRIC.test(name) || METRIC.exec(name)![0] !== name) throw new Error(`${where}: bad metric name ${name}`);
      if (current?.name !== name) {
        if (closed.has(name) || families.has(name)) throw new Error(`${where}: family ${name} appears twice`);
        if (current) closed.add(current.name);
        current = { name, help: "", type: "untyped", samples: [] };
        families.set(name, current);
      }
      if (current.samples.length) throw new Error(`${where}: ${what} after samples of ${name}`);
      if (what === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        current.type = rest;
      } else {
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) throw new Error(`${where}: bad escape in HELP`);
        current.help = rest.replace(/\\(\\|n)/g, (_m, c: string) => (c === "n" ? "\n" : "\\"));
      }
      return;
    }
    if (line.startsWith("#") || line === "") return;
    const name = METRIC.exec(line)?.[0];
    if (!name) throw new Error(`${where}: bad sample line ${JSON.stringify(line)}`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) ({ labels, rest } = parseLabels(rest, where));
    const parts = rest.trim().split(" ");
    if (!rest.startsWith(" ") || parts.length < 1 || parts.length > 2) throw new Error(`${where}: expected " value [timestamp]"`);
    const value = parseValue(parts[0], where);
    const f = familyOf(name, families);
    if (!f || f !== current) throw new Error(`${where}: sample ${name} is not in the family being read (${current?.name ?? "none"})`);
    f.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

function checkHistogram(f: ParsedFamily): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let h = series.get(key);
    if (!h) series.set(key, (h = { buckets: [] }));
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      h.buckets.push([parseValue(le, f.name), s.value]);
    } else if (s.name.endsWith("_sum")) h.sum = s.value;
    else if (s.name.endsWith("_count")) h.count = s.value;
  }
  for (const [key, h] of series) {
    if (h.sum === undefined || h.count === undefined) throw new Error(`${f.name}${key}: missing _sum or _count`);
    const last = h.buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    if (last[1] !== h.count) throw new Error(`${f.name}${key}: +Inf bucket ${last[1]} != count ${h.count}`);
    for (let i = 1; i < h.buckets.length; i++) {
      if (!(h.buckets[i][0] > h.buckets[i - 1][0])) throw new Error(`${f.name}${key}: le does not increase`);
      if (h.buckets[i][1] < h.buckets[i - 1][1]) throw new Error(`${f.name}${key}: buckets are not cumulative`);
    }
  }
}

/** The samples of `name` (a sample name, e.g. x_bucket) whose labels include `labels`. */
export function samplesOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): ParsedSample[] {
  return [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
