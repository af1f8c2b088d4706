/**
 * The kubelet's Summary API (GET /stats/summary, k8s.io/kubelet/pkg/apis/stats/v1alpha1), the CPU-and-memory part
 * metrics-server reads (`only_cpu_and_memory=true`): the node's usageNanoCores and workingSetBytes, and per pod, per
 * container the same. The node builds it from its usage and its PodMetrics; the control plane turns a pod's entry
 * back into the metrics.k8s.io PodMetrics that `kubectl top pod` reads, and the node's into the NodeMetrics of
 * `kubectl top node`. Pure: both directions of the one shape live here.
 */
import { tryParseQuantity } from "./quantity.js";
import type { Node, NodeMetrics, Pod, PodMetrics } from "./types.js";

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

export interface NodeStats {
  nodeName: string;
  /** The whole node's usage (absent from a node that cannot read it). */
  cpu?: CpuStats;
  memory?: MemoryStats;
  /** nodelet's addition, as for pods: the window the CPU rate was measured over. */
  window?: string;
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

/** The node's own usage as the kubelet measured it. */
export interface NodeUsageSample {
  cpuNanoCores: number;
  memoryBytes: number;
  /** When it was read (RFC 3339) and over which window ("10s"). */
  time: string;
  window: string;
}

/** A quantity in its base unit ("1500000n" → 0.0015, "10Ki" → 10240); one that does not parse is 0. */
function amount(q: string): number {
  const v = tryParseQuantity(q);
  return typeof v === "string" ? 0 : Number(v.nanos) / 1e9;
}

/** The summary of a node's pods from their PodMetrics (pods without metrics are left out, as the kubelet does). */
export function toSummary(nodeName: string, metrics: { pod: Pod; metrics: PodMetrics }[], usage?: NodeUsageSample): Summary {
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
  const node: NodeStats = { nodeName };
  if (usage) {
    node.cpu = { time: usage.time, usageNanoCores: Math.round(usage.cpuNanoCores) };
    node.memory = { time: usage.time, workingSetBytes: Math.round(usage.memoryBytes) };
    node.window = usage.window;
  }
  return { node, pods };
}

/**
 * The NodeMetrics of `node` from its summary (metrics-server's decoding, as for pods: nanocores, working set in Ki,
 * the node's labels), or undefined when the summary has no node usage.
 */
export function nodeMetricsFrom(summary: Summary, node: Node): NodeMetrics | undefined {
  const { cpu, memory } = summary.node;
  if (!cpu || !memory) return undefined;
  return {
    apiVersion: "metrics.k8s.io/v1beta1",
    kind: "NodeMetrics",
    metadata: { name: node.metadata.name, labels: node.metadata.labels, creationTimestamp: cpu.time },
    timestamp: cpu.time,
    window: summary.node.window ?? "10s",
    usage: { cpu: `${cpu.usageNanoCores}n`, memory: `${Math.round(memory.workingSetBytes / 1024)}Ki` },
  };
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
