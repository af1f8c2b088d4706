/**
 * The snapshot a scheduling cycle reads, built from plain API objects (the scheduler cache's view): each node with
 * the pods bound to it that have not finished and what they request, the pods nominated by preemption, namespace
 * labels, the selectors default spreading reads and the storage objects. Pure.
 */
import { addRequests, nonZeroPodRequests, podRequests, ZERO_REQUESTS } from "../api/pod-requests.js";
import { cpuMilli, memoryBytes, quantityValue, parseQuantity } from "../api/quantity.js";
import type { StorageClass } from "../api/storage-class.js";
import type { LabelSelector, Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../api/types.js";
import type { NodeInfo, Snapshot } from "./types.js";

function quantity<T>(read: (q: string) => T | undefined, q: string | undefined): T | undefined {
  try {
    return q === undefined ? undefined : read(q);
  } catch {
    return undefined;
  }
}

/** What the node can allocate (status.allocatable, else capacity); a node that reports nothing offers nothing. */
export function allocatableOf(node: Node): NodeInfo["allocatable"] {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    cpuMilli: quantity(cpuMilli, a.cpu) ?? 0,
    memoryBytes: quantity(memoryBytes, a.memory) ?? 0,
    pods: quantity((q) => quantityValue(parseQuantity(q)), a.pods) ?? 0,
  };
}

/** framework.NewNodeInfo: the node with `pods` and their summed requests. */
export function nodeInfoOf(node: Node, pods: Pod[]): NodeInfo {
  let requested = ZERO_REQUESTS;
  let nonZeroRequested = ZERO_REQUESTS;
  for (const p of pods) {
    requested = addRequests(requested, podRequests(p));
    nonZeroRequested = addRequests(nonZeroRequested, nonZeroPodRequests(p));
  }
  return { node, pods, allocatable: allocatableOf(node), requested, nonZeroRequested };
}

/** A pod that holds its node's resources: bound and not finished (the cache drops terminal pods). */
export const holdsNode = (p: Pod): boolean => !!p.spec.nodeName && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";

export interface SnapshotObjects {
  nodes: readonly Node[];
  pods: readonly Pod[];
  namespaces?: readonly { metadata: { name?: string; labels?: Record<string, string> } }[];
  services?: readonly { metadata: { namespace?: string }; spec?: { selector?: Record<string, string> } }[];
  /** ReplicationControllers, ReplicaSets and StatefulSets (their selectors). */
  controllers?: readonly { kind: string; metadata: { namespace?: string; name?: string }; spec?: { selector?: LabelSelector | Record<string, string> } }[];
  claims?: readonly PersistentVolumeClaim[];
  volumes?: readonly PersistentVolume[];
  classes?: readonly StorageClass[];
}

/** Builds the snapshot from lists of objects. */
export function buildSnapshot(o: SnapshotObjects): Snapshot {
  const byNode = new Map<string, Pod[]>();
  const nominated: Pod[] = [];
  for (const p of o.pods) {
    if (holdsNode(p)) {
      const list = byNode.get(p.spec.nodeName!);
      if (list) list.push(p);
      else byNode.set(p.spec.nodeName!, [p]);
    } else if (!p.spec.nodeName && p.status?.nominatedNodeName && !p.metadata.deletionTimestamp) nominated.push(p);
  }
  const nsLabels = new Map((o.namespaces ?? []).map((n) => [n.metadata.name ?? "", n.metadata.labels ?? {}]));
  const controllers = new Map<string, LabelSelector>();
  for (const c of o.controllers ?? []) {
    const sel = c.spec?.selector;
    if (!sel) continue;
    // A ReplicationController's selector is a map; the others' a LabelSelector.
    controllers.set(`${c.kind}/${c.metadata.namespace ?? "default"}/${c.metadata.name}`, c.kind === "ReplicationController" ? { matchLabels: sel as Record<string, string> } : (sel));
  }
  const claims = new Map((o.claims ?? []).map((c) => [`${c.metadata.namespace ?? "default"}/${c.metadata.name}`, c]));
  const classes = new Map((o.classes ?? []).map((c) => [c.metadata.name ?? "", c]));
  return {
    nodes: o.nodes.map((n) => nodeInfoOf(n, byNode.get(n.metadata.name ?? "") ?? [])),
    nominated,
    namespaceLabels: (ns) => nsLabels.get(ns),
    spreadSources: {
      services: (o.services ?? []).filter((s) => s.spec?.selector).map((s) => ({ namespace: s.metadata.namespace ?? "default", selector: s.spec!.selector! })),
      controllerSelector: (kind, ns, name) => controllers.get(`${kind}/${ns}/${name}`),
    },
    volumes: {
      claim: (ns, name) => claims.get(`${ns}/${name}`),
      volumes: o.volumes ?? [],
      storageClass: (name) => classes.get(name),
    },
  };
}
