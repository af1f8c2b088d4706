/**
 * Metrics as Prometheus models them (counters, gauges, histograms with labels), held in memory and rendered in the
 * text exposition format (text-format.ts) when scraped. Collectors compute families at scrape time for values that
 * already live elsewhere (pods on the node, a cgroup's CPU time), so nothing is sampled between scrapes.
 * No I/O: a collector that reads the host is handed in by the layer that may.
 */
import { renderFamilies, type Family, type MetricType } from "./text-format.js";

export type { Family, HistogramValue, MetricType, Sample } from "./text-format.js";

export type Collector = () => Family[] | Promise<Family[]>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Definition {
  name: string;
  help: string;
  labelNames: readonly string[];
}

function checkDefinition(d: Definition, type: MetricType): void {
  if (!NAME.test(d.name)) throw new Error(`metric name ${JSON.stringify(d.name)}: not a valid Prometheus metric name`);
  for (const l of d.labelNames) {
    if (!LABEL.test(l) || l.startsWith("__")) throw new Error(`metric ${d.name}: label name ${JSON.stringify(l)} is not valid`);
    if (type === "histogram" && l === "le") throw new Error(`metric ${d.name}: "le" is reserved for histogram buckets`);
  }
}

/** The key of a label set in the order the metric declares its labels; a missing label is "". */
function keyOf(labelNames: readonly string[], labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(labelNames.map((l) => labels[l] ?? ""));
}

function labelsOf(labelNames: readonly string[], key: string): Record<string, string> {
  const values = JSON.parse(key) as string[];
  return Object.fromEntries(labelNames.map((l, i) => [l, values[i]]));
}

/** A monotonically increasing count per label set. */
export class Counter {
  private readonly values = new Map<string, number>();
  constructor(readonly d: Definition) {
    checkDefinition(d, "counter");
  }

  inc(labels: Readonly<Record<string, string>> = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.d.name}: cannot increase by ${by}`);
    const k = keyOf(this.d.labelNames, labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  family(): Family {
    const samples = [...this.values].map(([k, value]) => ({ labels: labelsOf(this.d.labelNames, k), value }));
    return { name: this.d.name, help: this.d.help, type: "counter", samples };
  }
}

/** Observations sorted into fixed buckets per label set, with their sum and count. */
export class Histogram {
  private readonly values = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly d: Definition,
    readonly buckets: readonly number[],
  ) {
    checkDefinition(d, "histogram");
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i] > buckets[i - 1])) throw new Error(`histogram ${d.name}: buckets must increase`);
    }
  }

  observe(labels: Readonly<Record<string, string>>, value: number): void {
    const k = keyOf(this.d.labelNames, labels);
    let v = this.values.get(k);
    if (!v) this.values.set(k, (v = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) v.counts[i]++;
    v.sum += value;
    v.count++;
  }

  family(): Family {
    const samples = [...this.values].map(([k, v]) => ({
      labels: labelsOf(this.d.labelNames, k),
      histogram: { buckets: this.buckets, counts: [...v.counts], sum: v.sum, count: v.count },
    }));
    return { name: this.d.name, help: this.d.help, type: "histogram", samples };
  }
}

/** A gauge family computed when scraped. */
export function gaugeFamily(name: string, help: string, samples: { labels?: Record<string, string>; value: number }[]): Family {
  checkDefinition({ name, help, labelNames: samples.flatMap((s) => Object.keys(s.labels ?? {})) }, "gauge");
  return { name, help, type: "gauge", samples: samples.map((s) => ({ labels: s.labels ?? {}, value: s.value })) };
}

/** What one endpoint exposes: its own counters and histograms, and collectors asked at each scrape. */
export class Registry {
  private readonly metrics: (Counter | Histogram)[] = [];
  private readonly collectors: Collector[] = [];

  counter(d: Definition): Counter {
    const c = new Counter(d);
    this.add(c);
    return c;
  }

  histogram(d: Definition, buckets: readonly number[]): Histogram {
    const h = new Histogram(d, buckets);
    this.add(h);
    return h;
  }

  private add(m: Counter | Histogram): void {
    if (this.metrics.some((x) => x.d.name === m.d.name)) throw new Error(`metric ${m.d.name} is registered twice`);
    this.metrics.push(m);
  }

  /** Adds a collector; returns its removal. */
  collect(fn: Collector): () => void {
    this.collectors.push(fn);
    return () => {
      const i = this.collectors.indexOf(fn);
      if (i >= 0) this.collectors.splice(i, 1);
    };
  }

  /** Every family, sorted by name; a collector that fails is left out of this scrape rather than failing it. */
  async gather(onError?: (err: unknown) => void): Promise<Family[]> {
    const out = this.metrics.map((m) => m.family());
    for (const c of this.collectors) {
      try {
        out.push(...(await c()));
      } catch (err) {
        onError?.(err);
      }
    }
    const seen = new Set<string>();
    for (const f of out) {
      if (seen.has(f.name)) throw new Error(`metric ${f.name} is exposed twice`);
      seen.add(f.name);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The text exposition format of gather(). */
  async render(onError?: (err: unknown) => void): Promise<string> {
    return renderFamilies(await this.gather(onError));
  }
}

/** The Content-Type of the text exposition format. */
export const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
