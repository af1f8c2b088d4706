/**
 * Node health as the node lifecycle controller sees it (pkg/controller/nodelifecycle tryUpdateNodeHealth), pure:
 * when did this node last show a sign of life — a new lastHeartbeatTime on its Ready condition, or a newer renewTime
 * on its Lease in kube-node-lease — measured on the controller's own clock (`probeTimestamp`), and what its
 * conditions become once that is longer ago than the grace period: Ready, MemoryPressure, DiskPressure and
 * PIDPressure Unknown with reason NodeStatusUnknown, "Kubelet stopped posting node status." (NodeStatusNeverUpdated,
 * "Kubelet never posted node status.", for a condition the kubelet never wrote).
 */
import type { Lease } from "../../api/lease.js";
import type { Node, NodeCondition } from "../../api/types.js";

/** What the controller remembers of one node between passes (nodeHealthData). */
export interface NodeHealth {
  /** Controller clock (ms) of the last sign of life. */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  /** The Ready condition as last seen. */
  ready?: NodeCondition;
  /** The Lease's renewTime as last seen (ms). */
  leaseRenew?: number;
}

export const CHECKED_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] as const;

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready");
}

const created = (node: Node): number => Date.parse(node.metadata.creationTimestamp ?? "") || 0;
const renewOf = (lease: Lease | undefined): number | undefined => (lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : undefined);

/** The health record after seeing `node` and its `lease` at `now`. */
export function observeHealth(prev: NodeHealth | undefined, node: Node, lease: Lease | undefined, now: number): NodeHealth {
  const current = readyCondition(node);
  let h: NodeHealth;
  if (!prev) {
    h = { probeTimestamp: created(node), readyTransitionTimestamp: created(node), ready: current };
  } else if (!prev.ready !== !current) {
    // Ready appeared or vanished: a sign of life either way.
    h = { probeTimestamp: now, readyTransitionTimestamp: now, ready: current, leaseRenew: prev.leaseRenew };
  } else if (prev.ready && current && prev.ready.lastHeartbeatTime !== current.lastHeartbeatTime) {
    const transition = prev.ready.lastTransitionTime !== current.lastTransitionTime ? now : prev.readyTransitionTimestamp;
    h = { probeTimestamp: now, readyTransitionTimestamp: transition, ready: current, leaseRenew: prev.leaseRenew };
  } else {
    h = { ...prev, ready: current };
  }
  const renew = renewOf(lease);
  if (renew !== undefined && (h.leaseRenew === undefined || h.leaseRenew < renew)) h = { ...h, leaseRenew: renew, probeTimestamp: now };
  return h;
}

/** Grace before a silent node is Unknown: the startup grace until the kubelet first wrote Ready. */
export function gracePeriodOf(node: Node, monitorGraceMs: number, startupGraceMs: number): number {
  return readyCondition(node) ? monitorGraceMs : startupGraceMs;
}

/**
 * The node's conditions once it has been silent past the grace period (undefined while it is not): the four
 * checked conditions Unknown, the others kept. `nowIso` becomes lastTransitionTime of each condition that changes.
 */
export function unknownConditions(node: Node, health: NodeHealth, now: number, graceMs: number, nowIso: string): NodeCondition[] | undefined {
  if (now <= health.probeTimestamp + graceMs) return undefined;
  const conditions = [...(node.status?.conditions ?? [])];
  for (const type of CHECKED_CONDITIONS) {
    const i = conditions.findIndex((c) => c.type === type);
    if (i < 0) {
      conditions.push({ type, status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.", lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: nowIso });
    } else if (conditions[i].status !== "Unknown") {
      conditions[i] = { ...conditions[i], status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: nowIso };
    }
  }
  return conditions;
}
