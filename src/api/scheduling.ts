/**
 * The scheduler's filters for one pod against one node (pkg/scheduler/framework/plugins, in the default plugin
 * order: NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit), and the FailedScheduling message the
 * scheduler writes from their verdicts over every node (FitError.Error with DefaultPreemption's PostFilter message).
 * Pure: node admission (kubelet/node-admission.ts) plays the one-node scheduler with them, the DaemonSet controller
 * decides node eligibility with them, and a multi-node scheduler can run them per node.
 */
import type { Requests } from "./pod-requests.js";
import type { Node, Pod, PodSpec, Taint, Toleration } from "./types.js";

export type FilterCode = "Unschedulable" | "UnschedulableAndUnresolvable";

/** A filter's refusal: the plugin, whether preemption could help (Unschedulable) or not, and the reasons. */
export interface FilterStatus {
  plugin: string;
  code: FilterCode;
  reasons: string[];
}

/** What a filter sees of a node: the Node, the pods bound to it (not finished), and what it can allocate. */
export interface NodeInfo {
  node: Node;
  pods: Pod[];
  allocatable?: Allocatable;
}

export type Filter = (pod: Pod, info: NodeInfo) => FilterStatus | undefined;

/** The plugins' reasons (ErrReason… constants). */
export const REASONS = {
  unschedulable: "node(s) were unschedulable",
  affinity: "node(s) didn't match Pod's node affinity/selector",
  tooManyPods: "Too many pods",
} as const;

export const UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";

/** Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === "Exists") return true;
  return (t.operator === undefined || t.operator === "Equal") && (t.value ?? "") === (taint.value ?? "");
}

/** FindMatchingUntoleratedTaint over NoSchedule and NoExecute taints (DoNotScheduleTaintsFilterFunc). */
export function untoleratedTaint(tolerations: Toleration[] | undefined, taints: Taint[]): Taint | undefined {
  return taints.find((taint) => (taint.effect === "NoSchedule" || taint.effect === "NoExecute") && !(tolerations ?? []).some((t) => toleratesTaint(t, taint)));
}

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: Requirement[];
  matchFields?: Requirement[];
}

function requirementMatches(r: Requirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && vals.includes(value);
    case "NotIn":
      return value === undefined || !vals.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const n = Number(value);
      const bound = Number(vals[0]);
      if (value === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return r.operator === "Gt" ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

function requiredTerms(spec: PodSpec): NodeSelectorTerm[] | undefined {
  const affinity = (spec as { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } }).affinity;
  return affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
}

/** GetRequiredNodeAffinity(pod).Match(node): the nodeSelector, and one of the required terms (an empty term matches nothing). */
export function matchesNodeAffinity(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = requiredTerms(spec);
  return !terms || matchesNodeSelectorTerms(terms, node);
}

/** NodeSelector.Match: one of the terms matches the node's labels and fields (an empty term matches nothing). */
export function matchesNodeSelectorTerms(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const fields: Record<string, string | undefined> = { "metadata.name": node.metadata.name };
  return terms.some(
    (t) =>
      !!(t.matchExpressions?.length || t.matchFields?.length) &&
      (t.matchExpressions ?? []).every((r) => requirementMatches(r, labels[r.key])) &&
      (t.matchFields ?? []).every((r) => requirementMatches(r, fields[r.key])),
  );
}

/**
 * volume/util CheckNodeAffinity: whether a PersistentVolume may be used on `node` (no affinity: anywhere; required
 * terms: one of them matches). The terms are matched against the node's labels only, as the PV controller does.
 */
export function volumeNodeAffinityMatches(nodeAffinity: unknown, node: Node): boolean {
  const terms = (nodeAffinity as { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } } | undefined)?.required?.nodeSelectorTerms;
  return !terms || matchesNodeSelectorTerms(terms, { ...node, metadata: { labels: node.metadata.labels } });
}

const taintsOf = (node: Node): Taint[] => (node.spec?.taints ?? []) as Taint[];

/** NodeUnschedulable: a cordoned node takes only pods tolerating the unschedulable taint. */
export const nodeUnschedulable: Filter = (pod, { node }) => {
  if (!node.spec?.unschedulable) return undefined;
  const tolerated = (pod.spec.tolerations ?? []).some((t) => toleratesTaint(t, { key: UNSCHEDULABLE_TAINT, effect: "NoSchedule" }));
  return tolerated ? undefined : { plugin: "NodeUnschedulable", code: "UnschedulableAndUnresolvable", reasons: [REASONS.unschedulable] };
};

/** TaintToleration. */
export const taintToleration: Filter = (pod, { node }) => {
  const taint = untoleratedTaint(pod.spec.tolerations, taintsOf(node));
  return taint ? { plugin: "TaintToleration", code: "UnschedulableAndUnresolvable", reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`] } : undefined;
};

/** NodeAffinity (nodeSelector and required node affinity). */
export const nodeAffinity: Filter = (pod, { node }) =>
  matchesNodeAffinity(pod.spec, node) ? undefined : { plugin: "NodeAffinity", code: "UnschedulableAndUnresolvable", reasons: [REASONS.affinity] };

/** What a node can allocate: CPU, memory and the number of pods. */
export interface Allocatable extends Requests {
  pods: number;
}

/** What a pod asks of a node, for NodeResourcesFit (the caller's resourcehelper.PodRequests). */
export type RequestsOf = (pod: Pod) => Requests;

/**
 * NodeResourcesFit's verdict from sums: what the pod asks, what the node's `podCount` pods already request, and what
 * the node can allocate. Every resource short is a reason ("Too many pods", "Insufficient cpu", "Insufficient
 * memory").
 */
export function resourcesFitStatus(want: Requests, used: Requests, podCount: number, allocatable: Allocatable): FilterStatus | undefined {
  const reasons: string[] = [];
  if (podCount + 1 > allocatable.pods) reasons.push(REASONS.tooManyPods);
  if (want.cpuMilli > 0 && want.cpuMilli > allocatable.cpuMilli - used.cpuMilli) reasons.push("Insufficient cpu");
  if (want.memoryBytes > 0 && want.memoryBytes > allocatable.memoryBytes - used.memoryBytes) reasons.push("Insufficient memory");
  return reasons.length ? { plugin: "NodeResourcesFit", code: "Unschedulable", reasons } : undefined;
}

/** NodeResourcesFit over a node's pods, each pod's requests by `requestsOf` (the scheduler keeps their sum instead). */
export function nodeResourcesFit(requestsOf: RequestsOf): Filter {
  return (pod, { pods, allocatable }) => {
    if (!allocatable) return undefined;
    const used = pods.map(requestsOf).reduce((a, b) => ({ cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes }), { cpuMilli: 0, memoryBytes: 0 });
    return resourcesFitStatus(requestsOf(pod), used, pods.length, allocatable);
  };
}

/** The placement filters in the scheduler's order (the resource filter is added by whoever knows pod requests). */
export const PLACEMENT_FILTERS: readonly Filter[] = [nodeUnschedulable, taintToleration, nodeAffinity];

/** RunFilterPlugins: the first refusal, or undefined when the node passes every filter. */
export function runFilters(filters: readonly Filter[], pod: Pod, info: NodeInfo): FilterStatus | undefined {
  for (const f of filters) {
    const status = f(pod, info);
    if (status) return status;
  }
  return undefined;
}

/** "1 Insufficient cpu, 2 node(s) didn't match …": each reason with the number of nodes giving it, sorted. */
export function countedReasons(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(", ");
}

/**
 * FitError.Error: "0/N nodes are available:" then the PreFilter plugin's message, or else every node's reasons
 * counted; then the PostFilter's message ("preemption: …"), each part closed by a period.
 */
export function fitErrorText(numAllNodes: number, statuses: readonly FilterStatus[], preFilterMsg?: string, postFilterMsg?: string): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) msg += ` ${preFilterMsg}.`;
  else {
    const counted = countedReasons(statuses.flatMap((s) => s.reasons));
    if (counted) msg += ` ${counted}.`;
  }
  // DefaultPreemption's own message may already end a sentence ("…preemptionPolicy=Never."): one period closes it.
  if (postFilterMsg) msg += ` ${postFilterMsg.replace(/\.$/, "")}.`;
  return msg;
}

/** DefaultPreemption's per-node verdict where preemption cannot help at all (UnschedulableAndUnresolvable). */
export const PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
/** selectVictimsOnNode's verdict where no pod of lower priority runs. */
export const NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod";

/**
 * The FailedScheduling message for a pod every node refused (`statuses`, one per node) when no pod could be
 * preempted: the filters' reasons, then the preemption verdict per node ("Preemption is not helpful for scheduling"
 * where nothing preemption can remove would help, else "No preemption victims found for incoming pod").
 */
export function fitErrorMessage(statuses: FilterStatus[]): string {
  const n = statuses.length;
  const preemption = countedReasons(statuses.map((s) => (s.code === "UnschedulableAndUnresolvable" ? PREEMPTION_NOT_HELPFUL : NO_PREEMPTION_VICTIMS)));
  return fitErrorText(n, statuses, undefined, `preemption: 0/${n} nodes are available: ${preemption}`);
}
