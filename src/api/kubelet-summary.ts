/**
 * The kubelet's Summary API (GET /stats/summary, k8s.io/kubelet/pkg/apis/stats/v1alpha1), the CPU-and-memory part
 * metrics-server reads (`only_cpu_and_memory=true`): per pod, per container usageNanoCores and workingSetBytes.
 * The node builds it from its PodMetrics; the control plane turns a pod's entry back into the metrics.k8s.io
 * PodMetrics that `kubectl top pod` reads. Pure: both directions of the one shape live here.
 */
import { tryParseQuantity } from "./quantity.js";
import type { Pod, PodMetrics } from "./types.js";

interface CpuStats {
  time: string;
  usageNanoCores: number;
}
interface MemoryStats {
  time: string;
  workingSetBytes: number;
}

export interface ContainerStats {
  name: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  containers: ContainerStats[];
  cpu: CpuStats;
  memory: MemoryStats;
  /** nodelet's addition: the PodMetrics window the CPU rate was measured over (e.g. "10s"). */
  window: string;
}

export interface Summary {
  node: { nodeName: string };
  pods: PodStats[];
}

/** A quantity in its base unit ("1500000n" → 0.0015, "10Ki" → 10240); one that does not parse is 0. */
function amount(q: string): number {
  const v = tryParseQuantity(q);
  return typeof v === "string" ? 0 : Number(v.nanos) / 1e9;
}

/** The summary of a node's pods from their PodMetrics (pods without metrics are left out, as the kubelet does). */
export function toSummary(nodeName: string, metrics: { pod: Pod; metrics: PodMetrics }[]): Summary {
  const pods = metrics.map(({ pod, metrics: m }): PodStats => {
    const time = m.timestamp;
    const containers = m.containers.map((c): ContainerStats => ({
      name: c.name,
      cpu: { time, usageNanoCores: Math.round(amount(c.usage.cpu) * 1e9) },
      memory: { time, workingSetBytes: Math.round(amount(c.usage.memory)) },
    }));
    return {
      podRef: { name: pod.metadata.name ?? "", namespace: pod.metadata.namespace ?? "default", uid: pod.metadata.uid ?? "" },
      containers,
      cpu: { time, usageNanoCores: containers.reduce((s, c) => s + c.cpu.usageNanoCores, 0) },
      memory: { time, workingSetBytes: containers.reduce((s, c) => s + c.memory.workingSetBytes, 0) },
      window: m.window,
    };
  });
  return { node: { nodeName }, pods };
}

/**
 * The PodMetrics of `pod` from a node's summary (metrics-server's decoding: usageNanoCores as `Nn`, working set in
 * Ki), or undefined when the summary has no entry for it (not running there, or another pod of the same name).
 */
export function podMetricsFrom(summary: Summary, pod: Pod): PodMetrics | undefined {
  const s = summary.pods.find((p) => p.podRef.namespace === (pod.metadata.namespace ?? "default") && p.podRef.name === pod.metadata.name && (!pod.metadata.uid || p.podRef.uid === pod.metadata.uid));
  if (!s) return undefined;
  const timestamp = s.cpu.time;
  return {
    apiVersion: "metrics.k8s.io/v1beta1",
    kind: "PodMetrics",
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels, creationTimestamp: timestamp },
    timestamp,
    window: s.window,
    containers: s.containers.map((c) => ({ name: c.name, usage: { cpu: `${c.cpu.usageNanoCores}n`, memory: `${Math.round(c.memory.workingSetBytes / 1024)}Ki` } })),
  };
}
