/**
 * The kubelet's metrics under their upstream names (pkg/kubelet/metrics/metrics.go) and the cAdvisor series the
 * kubelet serves on /metrics/cadvisor (google/cadvisor metrics/prometheus.go), read from the runtime when scraped:
 *   kubelet_running_pods                 pods with a running sandbox
 *   kubelet_running_containers           containers by container_state (created, running, exited)
 *   kubelet_pod_start_duration_seconds   first seen by the kubelet → first reported Running (PodStartTracker)
 *   container_cpu_usage_seconds_total    each running container's (and pod's) cgroup CPU time
 *   container_memory_working_set_bytes   each running container's (and pod's) working set
 */
import type { CgroupUsage } from "../sys/cgroups/types.js";
import { gaugeFamily, type Family, type Histogram, type Registry } from "../metrics/registry.js";
import type { ContainerRecord, SandboxRecord } from "../runtime/pod-runtime.js";

/** What the metrics read of the runtime. */
export interface MetricsRuntime {
  sandboxes(): SandboxRecord[];
  containers(podUid?: string): ContainerRecord[];
  usage(id: string): Promise<CgroupUsage>;
  podUsage(podUid: string): Promise<CgroupUsage>;
}

/** Upstream's buckets for kubelet_pod_start_duration_seconds. */
export const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

/**
 * kubelet_pod_start_duration_seconds: a pod's first sighting is remembered until its status first turns Running
 * (observed then, once) or it leaves the node. A pod already Running when the kubelet starts is not observed, as
 * upstream observes only a Pending → Running transition it writes.
 */
export class PodStartTracker {
  private readonly firstSeen = new Map<string, number>();
  private readonly histogram: Histogram;

  constructor(
    registry: Registry,
    private readonly now: () => number,
  ) {
    this.histogram = registry.histogram(
      {
        name: "kubelet_pod_start_duration_seconds",
        help: "[ALPHA] Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run",
        labelNames: [],
      },
      POD_START_BUCKETS,
    );
  }

  seen(uid: string): void {
    if (!this.firstSeen.has(uid)) this.firstSeen.set(uid, this.now());
  }

  /** The status about to be written moves the pod from `from` to `to`. */
  phaseChange(uid: string, from: string | undefined, to: string | undefined): void {
    if (to !== "Running" || from === "Running") return;
    const seen = this.firstSeen.get(uid);
    if (seen === undefined) return;
    this.firstSeen.delete(uid);
    this.histogram.observe({}, Math.max(0, this.now() - seen) / 1000);
  }

  forget(uid: string): void {
    this.firstSeen.delete(uid);
  }

  /** Pods seen and not yet started (bounded by the pods on the node). */
  get pending(): number {
    return this.firstSeen.size;
  }
}

/** Adds the kubelet's gauges to `registry`; returns their removal. */
export function registerKubeletMetrics(registry: Registry, runtime: MetricsRuntime): () => void {
  return registry.collect(() => {
    const running = runtime.sandboxes().filter((s) => s.state === "ready").length;
    const byState = new Map<string, number>([["created", 0], ["running", 0], ["exited", 0]]);
    for (const c of runtime.containers()) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
    return [
      gaugeFamily("kubelet_running_pods", "[ALPHA] Number of pods that have a running pod sandbox", [{ value: running }]),
      gaugeFamily(
        "kubelet_running_containers",
        "[ALPHA] Number of containers currently running",
        [...byState].map(([state, value]) => ({ labels: { container_state: state }, value })),
      ),
    ];
  });
}

/** Adds cAdvisor's per-container CPU and memory series to `registry`; returns their removal. */
export function registerCadvisorMetrics(registry: Registry, runtime: MetricsRuntime): () => void {
  return registry.collect(async () => {
    const cpu: { labels: Record<string, string>; value: number }[] = [];
    const memory: { labels: Record<string, string>; value: number }[] = [];
    const add = (labels: Record<string, string>, u: CgroupUsage) => {
      cpu.push({ labels, value: u.cpuNanos / 1e9 });
      memory.push({ labels, value: u.memoryWorkingSetBytes });
    };
    for (const s of runtime.sandboxes().filter((x) => x.state === "ready")) {
      const pod = { namespace: s.namespace, pod: s.name };
      // A cgroup that vanished between the listing and the read (the container just exited) is left out.
      const podUsage = await runtime.podUsage(s.podUid).catch(() => undefined);
      if (podUsage) add({ ...pod, id: cgroupId(s.cgroupPath), container: "", image: "", name: "" }, podUsage);
      for (const c of runtime.containers(s.podUid).filter((x) => x.state === "running")) {
        const u = await runtime.usage(c.id).catch(() => undefined);
        if (u) add({ ...pod, id: cgroupId(c.cgroupPath), container: c.name, image: c.image, name: c.id }, u);
      }
    }
    return [counterFamily("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.", cpu), gaugeFamily("container_memory_working_set_bytes", "Current working set in bytes.", memory)];
  });
}

function cgroupId(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}

function counterFamily(name: string, help: string, samples: { labels: Record<string, string>; value: number }[]): Family {
  return { ...gaugeFamily(name, help, samples), type: "counter" };
}
