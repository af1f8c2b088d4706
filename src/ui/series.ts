/**
 * What a pod's page charts: CPU and memory of each pod over the last 15 minutes, one point per sampling tick, kept in
 * memory (bounded: `windowMs / intervalMs` points a pod, pods that go are forgotten at the next tick). Pure but for
 * the injected clock. The daemon's wiring feeds it the pod cgroup's counters (the ones metrics.k8s.io reads): CPU
 * as cumulative nanoseconds, made a rate here between two ticks, so the view keeps no state in the node's own
 * metrics sampler (whose window the autoscaler reads).
 */
export interface UsagePoint {
  /** ms since the epoch. */
  t: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  /** Cumulative CPU time of the pod's cgroup. */
  cpuNanos: number;
  memoryBytes: number;
}

export const SERIES_WINDOW_MS = 15 * 60_000;

export class UsageSeries {
  private readonly series = new Map<string, UsagePoint[]>();
  private readonly lastCpu = new Map<string, { t: number; cpuNanos: number }>();

  constructor(
    private readonly now: () => number,
    private readonly windowMs = SERIES_WINDOW_MS,
  ) {}

  /** Records one tick's usage of every pod; pods absent from it lose their history. */
  record(usage: PodUsage[]): void {
    const t = this.now();
    const live = new Set<string>();
    for (const u of usage) {
      const key = `${u.namespace}/${u.name}`;
      live.add(key);
      const prev = this.lastCpu.get(key);
      this.lastCpu.set(key, { t, cpuNanos: u.cpuNanos });
      // The first tick of a pod (or a counter that went back: a new cgroup) has no rate yet.
      if (!prev || t <= prev.t || u.cpuNanos < prev.cpuNanos) continue;
      let points = this.series.get(key);
      if (!points) this.series.set(key, (points = []));
      points.push({ t, cpuNanoCores: ((u.cpuNanos - prev.cpuNanos) * 1000) / (t - prev.t), memoryBytes: u.memoryBytes });
      const cut = points.findIndex((p) => p.t > t - this.windowMs);
      if (cut > 0) points.splice(0, cut);
    }
    for (const key of this.lastCpu.keys()) {
      if (live.has(key)) continue;
      this.lastCpu.delete(key);
      this.series.delete(key);
    }
  }

  /** The pod's points within the window, oldest first (a copy). */
  of(namespace: string, name: string): UsagePoint[] {
    const t = this.now();
    return (this.series.get(`${namespace}/${name}`) ?? []).filter((p) => p.t > t - this.windowMs);
  }
}
