/** Builders for the scheduler's unit tests: pods, nodes, snapshots, and one plugin's normalized scores. */
import type { Node, Pod, PodSpec } from "../../../src/api/types.js";
import { scoreNodes, schedulePod, type Profile } from "../../../src/scheduler/framework.js";
import { defaultProfile } from "../../../src/scheduler/profile.js";
import { buildSnapshot, type SnapshotObjects } from "../../../src/scheduler/snapshot.js";
import { CycleState, type CycleContext, type Plugin, type Snapshot } from "../../../src/scheduler/types.js";

export const Mi = 1024 * 1024;
export const Gi = 1024 * Mi;

export interface PodOpts extends Partial<PodSpec> {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  namespace?: string;
  node?: string;
  uid?: string;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const { cpu, memory, labels, namespace, node: nodeName, uid, ...spec } = o;
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: namespace ?? "default", uid: uid ?? `uid-${name}`, labels },
    spec: { containers: [{ name: "c", image: "busybox", resources: { requests } }], ...(nodeName ? { nodeName } : {}), ...spec },
  };
}

export interface NodeOpts {
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  pods?: string;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
}

export function node(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110" }, ...(o.images ? { images: o.images } : {}) },
  };
}

export function snapshot(nodes: Node[], pods: Pod[] = [], extra: Partial<SnapshotObjects> = {}): Snapshot {
  return buildSnapshot({ nodes, pods, ...extra });
}

export function ctxFor(p: Pod, snap: Snapshot): CycleContext {
  return { pod: p, snapshot: snap, state: new CycleState() };
}

/** One plugin's normalized scores over every node of the snapshot (undefined entries where it skipped: all 0). */
export function scoresOf(plugin: Plugin, p: Pod, snap: Snapshot): number[] {
  const profile: Profile = { schedulerName: "t", filters: [], scorers: [{ plugin, weight: 1 }] };
  return scoreNodes(ctxFor(p, snap), profile, snap.nodes).map((s) => s.plugins[plugin.name] ?? 0);
}

/** One plugin's Filter verdict per node, after its PreFilter (the reason, or "" where the node passes). */
export function filterOf(plugin: Plugin, p: Pod, snap: Snapshot): string[] {
  const ctx = ctxFor(p, snap);
  const pre = plugin.preFilter?.(ctx);
  if (pre === "skip") return snap.nodes.map(() => "");
  if (pre) return snap.nodes.map(() => pre.reject.reasons.join(", "));
  return snap.nodes.map((n) => plugin.filter?.(ctx, n)?.reasons.join(", ") ?? "");
}

/** The default profile's choice for `p` (ties broken towards the first node). */
export function choose(p: Pod, snap: Snapshot, profile = defaultProfile()) {
  return schedulePod(p, snap, profile, { random: () => 0.99 });
}
