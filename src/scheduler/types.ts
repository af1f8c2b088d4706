/**
 * The scheduling framework's vocabulary (pkg/scheduler/framework/interface.go, types.go): a snapshot of the cluster
 * the plugins read, the per-node view (NodeInfo) and the plugin extension points. Everything here is data; a
 * scheduling cycle is a pure function of (pod, snapshot, profile).
 */
import type { FilterStatus, NodeInfo as ApiNodeInfo } from "../api/scheduling.js";
import type { Requests } from "../api/pod-requests.js";
import type { LabelSelector, PersistentVolume, PersistentVolumeClaim, Pod } from "../api/types.js";
import type { StorageClass } from "../api/storage-class.js";

export type { FilterStatus, FilterCode } from "../api/scheduling.js";

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/** One node as the plugins see it: the Node, its pods (bound, not finished), what they request, what it offers. */
export interface NodeInfo extends ApiNodeInfo {
  allocatable: { cpuMilli: number; memoryBytes: number; pods: number };
  /** Sum of the pods' requests as written (NodeInfo.Requested). */
  requested: Requests;
  /** Sum with the 100m / 200 MiB defaults for containers that set none (NodeInfo.NonZeroRequested). */
  nonZeroRequested: Requests;
  /** The pods with pod affinity or anti-affinity of any kind (NodeInfo.PodsWithAffinity). */
  podsWithAffinity: Pod[];
  /** The pods with required anti-affinity terms (NodeInfo.PodsWithRequiredAntiAffinity). */
  podsWithRequiredAntiAffinity: Pod[];
}

/**
 * What helper.DefaultSelector reads for PodTopologySpread's default constraints: the Services of the pod's namespace
 * and the selector of its controller (a ReplicationController, ReplicaSet or StatefulSet).
 */
export interface SpreadSources {
  services: readonly { namespace: string; selector: Record<string, string> }[];
  controllerSelector(kind: string, namespace: string, name: string): LabelSelector | undefined;
}

/** The storage objects VolumeBinding reads. */
export interface VolumeState {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volumes: readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

/** The cluster as one scheduling cycle sees it (the scheduler cache's snapshot). */
export interface Snapshot {
  nodes: NodeInfo[];
  /** Pods nominated to a node by an earlier preemption and not bound yet (status.nominatedNodeName). */
  nominated: Pod[];
  /** Namespace labels, for pod affinity terms with a namespaceSelector. */
  namespaceLabels: (namespace: string) => Record<string, string> | undefined;
  spreadSources: SpreadSources;
  volumes: VolumeState;
}

/** Per-cycle state the plugins share between their extension points (framework.CycleState). */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
  /** The value under `key`, made by `make` the first time the cycle asks (a plugin's PreFilter or PreScore state). */
  once<T>(key: string, make: () => T): T {
    if (!this.data.has(key)) this.data.set(key, make());
    return this.data.get(key) as T;
  }
}

/** What one cycle knows: the pod, the snapshot, and the plugins' shared state. */
export interface CycleContext {
  pod: Pod;
  snapshot: Snapshot;
  state: CycleState;
}

/**
 * A PreFilter verdict: the pod cannot go anywhere (a status every node gets), or "skip" (the plugin's Filter has
 * nothing to check for this pod), or undefined (Filter runs).
 */
export type PreFilterResult = Rejection | "skip" | undefined;

/** A PreFilter's refusal: the status every node gets for the pod. */
export interface Rejection {
  reject: FilterStatus;
}

/**
 * The PreFilter of a plugin whose Filter reads state computed once a cycle (upstream's "PreFilter<Plugin>" key in
 * CycleState): `compute` returns that state, which is written under `key`; undefined when Filter has nothing to check
 * for the pod ("skip"); or a Rejection.
 */
export function statePreFilter<T extends object>(key: string, compute: (ctx: CycleContext) => T | Rejection | undefined): (ctx: CycleContext) => PreFilterResult {
  return (ctx) => {
    const r = compute(ctx);
    if (r === undefined) return "skip";
    if (isRejection(r)) return r;
    ctx.state.write(key, r);
    return undefined;
  };
}

const isRejection = (r: object): r is Rejection => "reject" in r;

/** A plugin: any subset of the extension points. Raw scores are 0..100 after NormalizeScore. */
export interface Plugin {
  readonly name: string;
  preFilter?(ctx: CycleContext): PreFilterResult;
  filter?(ctx: CycleContext, node: NodeInfo): FilterStatus | undefined;
  /** Prepares scoring over the feasible nodes; "skip" leaves this plugin's score 0 on every node. */
  preScore?(ctx: CycleContext, feasible: readonly NodeInfo[]): "skip" | undefined;
  score?(ctx: CycleContext, node: NodeInfo): number;
  normalizeScore?(ctx: CycleContext, scores: number[], nodes: readonly NodeInfo[]): number[];
}

/** A score plugin with its weight in the profile. */
export interface WeightedPlugin {
  plugin: Plugin;
  weight: number;
}

export interface NodeScore {
  name: string;
  total: number;
  /** Each plugin's normalized score (0-100, before its weight). */
  plugins: Record<string, number>;
}
