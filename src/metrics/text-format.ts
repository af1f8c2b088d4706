/**
 * The Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): `# HELP` and `# TYPE` before
 * each family's samples, label values escaped (\\, \", \n), HELP text escaped (\\, \n), histograms as cumulative
 * `_bucket{le=...}` lines ending in `+Inf` (equal to `_count`), then `_sum` and `_count`.
 */
export type MetricType = "counter" | "gauge" | "histogram";

/** One labelled value of a counter or gauge, or one labelled histogram. */
export type Sample =
  | { labels: Readonly<Record<string, string>>; value: number }
  | { labels: Readonly<Record<string, string>>; histogram: HistogramValue };

export interface HistogramValue {
  /** Upper bounds, ascending, without +Inf. */
  buckets: readonly number[];
  /** Observations at or below each bound (not cumulative; rendering sums them). */
  counts: readonly number[];
  sum: number;
  count: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}


function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A float as Go's strconv.FormatFloat(v, 'g', -1, 64) spells the special values. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function labelText(labels: Readonly<Record<string, string>>, extra?: [string, string]): string {
  const pairs = Object.entries(labels).filter(([, v]) => v !== "");
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function sampleLines(name: string, s: Sample): string[] {
  if ("value" in s) return [`${name}${labelText(s.labels)} ${formatValue(s.value)}`];
  const h = s.histogram;
  const lines: string[] = [];
  let cumulative = 0;
  h.buckets.forEach((b, i) => {
    cumulative += h.counts[i];
    lines.push(`${name}_bucket${labelText(s.labels, ["le", formatValue(b)])} ${cumulative}`);
  });
  lines.push(`${name}_bucket${labelText(s.labels, ["le", "+Inf"])} ${h.count}`);
  lines.push(`${name}_sum${labelText(s.labels)} ${formatValue(h.sum)}`);
  lines.push(`${name}_count${labelText(s.labels)} ${h.count}`);
  return lines;
}

/** The families as one text document (each line ends in \n). */
export function renderFamilies(families: Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(...sampleLines(f.name, s));
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}
