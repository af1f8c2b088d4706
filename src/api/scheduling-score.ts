/**
 * The scheduler's scoring for one pod over the nodes that passed the filters (pkg/scheduler/framework/plugins, v1.32
 * defaults), pure: each score plugin gives every node 0-100 (after its normalization), the framework multiplies by
 * the plugin's weight and sums, and the highest total wins (ties broken at random, as selectHost's reservoir
 * sampling does). Plugins and weights: TaintToleration (3), NodeAffinity (2), NodeResourcesFit with LeastAllocated or
 * MostAllocated (1), NodeResourcesBalancedAllocation (1), ImageLocality (1). The filters it adds to scheduling.ts's
 * (NodeName, NodePorts) complete the default filter order.
 */
import { matchesNodeSelectorTerms, toleratesTaint, type Filter, type NodeInfo, type NodeSelectorTerm } from "./scheduling.js";
import type { Node, Pod, Taint } from "./types.js";

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/** Requests as scoring counts them. */
export interface Resources {
  cpuMilli: number;
  memoryBytes: number;
}

/**
 * What scoring needs to know of pods' requests: the requests as written (BalancedAllocation) and with the
 * scheduler's defaults for containers that set none (NodeResourcesFit: 100m CPU and 200 MiB each,
 * schedutil.GetNonzeroRequests).
 */
export interface RequestsFor {
  requested: (pod: Pod) => Resources;
  nonZero: (pod: Pod) => Resources;
}

/** schedutil.DefaultMilliCPURequest and DefaultMemoryRequest. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export type ScoringStrategy = "LeastAllocated" | "MostAllocated";

/** A score plugin: raw scores for every node, then its normalization over all of them. */
export interface ScorePlugin {
  name: string;
  weight: number;
  score: (pod: Pod, nodes: NodeInfo[]) => number[];
}

/** NodeName: a pod that names a node fits only there. */
export const nodeName: Filter = (pod, { node }) =>
  pod.spec.nodeName && pod.spec.nodeName !== node.metadata.name
    ? { plugin: "NodeName", code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't match the requested node name"] }
    : undefined;

interface HostPort {
  hostIP: string;
  protocol: string;
  hostPort: number;
}

function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec.containers) {
    for (const p of (c.ports ?? []) as { hostPort?: number; hostIP?: string; protocol?: string }[]) {
      if (p.hostPort) out.push({ hostPort: p.hostPort, hostIP: p.hostIP || "0.0.0.0", protocol: p.protocol || "TCP" });
    }
  }
  return out;
}

/** HostPortInfo.CheckConflict: same port and protocol, and the same address or either one the wildcard. */
function conflicts(a: HostPort, b: HostPort): boolean {
  return a.hostPort === b.hostPort && a.protocol === b.protocol && (a.hostIP === b.hostIP || a.hostIP === "0.0.0.0" || b.hostIP === "0.0.0.0");
}

/** NodePorts: the pod's host ports must be free on the node. */
export const nodePorts: Filter = (pod, { pods }) => {
  const wanted = hostPorts(pod);
  if (wanted.length === 0) return undefined;
  const used = pods.flatMap(hostPorts);
  return wanted.some((w) => used.some((u) => conflicts(w, u)))
    ? { plugin: "NodePorts", code: "Unschedulable", reasons: ["node(s) didn't have free ports for the requested pod ports"] }
    : undefined;
};

/** The requests of the pod plus those of the pods already on the node. */
function requestedOn(pod: Pod, info: NodeInfo, of: (p: Pod) => Resources): Resources {
  return [pod, ...info.pods].map(of).reduce((a, b) => ({ cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes }), { cpuMilli: 0, memoryBytes: 0 });
}

/** leastRequestedScore: the share left free, 0 when over. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** mostRequestedScore: the share used, 0 when over. */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor((requested * MAX_NODE_SCORE) / capacity);
}

/** NodeResourcesFit's score: per resource (cpu and memory, weight 1 each), then their weighted mean. */
export function nodeResourcesFitScore(strategy: ScoringStrategy, requests: RequestsFor): ScorePlugin {
  const per = strategy === "LeastAllocated" ? leastRequestedScore : mostRequestedScore;
  return {
    name: "NodeResourcesFit",
    weight: 1,
    score: (pod, nodes) =>
      nodes.map((info) => {
        if (!info.allocatable) return 0;
        const req = requestedOn(pod, info, requests.nonZero);
        return Math.floor((per(req.cpuMilli, info.allocatable.cpuMilli) + per(req.memoryBytes, info.allocatable.memoryBytes)) / 2);
      }),
  };
}

/**
 * NodeResourcesBalancedAllocation: how evenly the node's cpu and memory would be used, `(1 − std) · 100` with `std`
 * the standard deviation of the two fractions (`|f_cpu − f_mem| / 2`); a pod that requests nothing is skipped (0
 * everywhere).
 */
export function balancedAllocation(requests: RequestsFor): ScorePlugin {
  return {
    name: "NodeResourcesBalancedAllocation",
    weight: 1,
    score: (pod, nodes) => {
      const own = requests.requested(pod);
      if (own.cpuMilli === 0 && own.memoryBytes === 0) return nodes.map(() => 0);
      return nodes.map((info) => {
        if (!info.allocatable || info.allocatable.cpuMilli === 0 || info.allocatable.memoryBytes === 0) return 0;
        const req = requestedOn(pod, info, requests.requested);
        const fCpu = Math.min(req.cpuMilli / info.allocatable.cpuMilli, 1);
        const fMem = Math.min(req.memoryBytes / info.allocatable.memoryBytes, 1);
        const std = Math.abs(fCpu - fMem) / 2;
        return Math.floor((1 - std) * MAX_NODE_SCORE);
      });
    },
  };
}

/** helper.DefaultNormalizeScore: scaled so the highest is 100 (reversed: the lowest); all 0 stays 0 (reversed: 100). */
export function defaultNormalizeScore(scores: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return scores.map((s) => {
    const n = Math.floor((MAX_NODE_SCORE * s) / max);
    return reverse ? MAX_NODE_SCORE - n : n;
  });
}

/** TaintToleration's score: fewer untolerated PreferNoSchedule taints is better. */
export const taintTolerationScore: ScorePlugin = {
  name: "TaintToleration",
  weight: 3,
  score: (pod, nodes) => {
    const tolerations = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
    const counts = nodes.map(({ node }) =>
      ((node.spec?.taints ?? []) as Taint[]).filter((taint) => taint.effect === "PreferNoSchedule" && !tolerations.some((t) => toleratesTaint(t, taint))).length,
    );
    return defaultNormalizeScore(counts, true);
  },
};

interface PreferredTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

/** NodeAffinity's score: the weights of the preferred terms the node matches, normalized. */
export const nodeAffinityScore: ScorePlugin = {
  name: "NodeAffinity",
  weight: 2,
  score: (pod, nodes) => {
    const preferred =
      (pod.spec as { affinity?: { nodeAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: PreferredTerm[] } } }).affinity?.nodeAffinity
        ?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const sums = nodes.map(({ node }) => preferred.reduce((sum, t) => sum + (t.weight && matchesNodeSelectorTerms([t.preference], node) ? t.weight : 0), 0));
    return defaultNormalizeScore(sums, false);
  },
};

/** ImageLocality's thresholds (image_locality.go): 23 MB, and 1000 MB per container. */
const MIN_THRESHOLD = 23 * 1024 * 1024;
const MAX_CONTAINER_THRESHOLD = 1000 * 1024 * 1024;

/** Image names as node.status.images lists them, with `:latest` where a reference names no tag. */
function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf("/");
  return name.includes("@") || name.slice(lastSlash + 1).includes(":") ? name : `${name}:latest`;
}

/**
 * ImageLocality: nodes that already hold the pod's images score higher, each image's size scaled by the share of
 * nodes holding it (so that one node holding a popular image is not favoured for it alone).
 */
export const imageLocality: ScorePlugin = {
  name: "ImageLocality",
  weight: 1,
  score: (pod, nodes) => {
    const imagesOf = (node: Node) => {
      const m = new Map<string, number>();
      const listed = (node.status as { images?: { names?: string[]; sizeBytes?: number }[] } | undefined)?.images ?? [];
      for (const img of listed) {
        for (const n of img.names ?? []) m.set(normalizedImageName(n), img.sizeBytes ?? 0);
      }
      return m;
    };
    const perNode = nodes.map((i) => imagesOf(i.node));
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    const maxThreshold = MAX_CONTAINER_THRESHOLD * containers.length;
    return perNode.map((images) => {
      let sum = 0;
      for (const c of containers) {
        const name = normalizedImageName(c.image ?? "");
        const size = images.get(name);
        if (size === undefined) continue;
        const spread = perNode.filter((m) => m.has(name)).length / nodes.length;
        sum += Math.floor(size * spread);
      }
      const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
      return Math.floor((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
    });
  },
};

/** The default score plugins with their weights (the topology and inter-pod plugins are not among them yet). */
export function defaultScorePlugins(requests: RequestsFor, strategy: ScoringStrategy = "LeastAllocated"): ScorePlugin[] {
  return [taintTolerationScore, nodeAffinityScore, nodeResourcesFitScore(strategy, requests), balancedAllocation(requests), imageLocality];
}

export interface NodeScore {
  name: string;
  total: number;
  /** Each plugin's score (0-100, before its weight). */
  plugins: Record<string, number>;
}

/** RunScorePlugins: every plugin's normalized score per node, and the weighted total. */
export function scoreNodes(pod: Pod, nodes: NodeInfo[], plugins: readonly ScorePlugin[]): NodeScore[] {
  const out: NodeScore[] = nodes.map((i) => ({ name: i.node.metadata.name ?? "", total: 0, plugins: {} }));
  for (const p of plugins) {
    const scores = p.score(pod, nodes);
    scores.forEach((s, i) => {
      out[i].plugins[p.name] = s;
      out[i].total += s * p.weight;
    });
  }
  return out;
}

/**
 * selectHost: the node with the highest total; among equal ones, each equally likely (reservoir sampling, with
 * `random` in [0, 1)). Undefined for no nodes.
 */
export function selectHost(scores: readonly NodeScore[], random: () => number = Math.random): string | undefined {
  let best: NodeScore | undefined;
  let ties = 0;
  for (const s of scores) {
    if (!best || s.total > best.total) {
      best = s;
      ties = 1;
    } else if (s.total === best.total) {
      ties++;
      if (random() * ties < 1) best = s;
    }
  }
  return best?.name;
}

