/**
 * What a DaemonSet sync does on this node, pure (pkg/controller/daemon: nodeShouldRunDaemonPod, podsShouldBeOnNode,
 * rollingUpdate, updateDaemonSetStatus). The node is eligible when the template's nodeSelector and required node
 * affinity match it and every NoSchedule/NoExecute taint is tolerated by the template's tolerations plus those the
 * DaemonSet controller adds to every daemon pod. Eligible: one pod (a Failed one is deleted to be replaced; extra
 * pods beyond the oldest are deleted). Not eligible: its pods are deleted. RollingUpdate replaces an old pod
 * within maxUnavailable (delete, then create) or maxSurge (create the new pod, delete the old once it is available).
 */
import type { DaemonSet, DaemonSetStatus } from "../../api/apps-types.js";
import { nodeAffinity, runFilters, taintToleration } from "../../api/scheduling.js";
import type { Node, Pod, Toleration } from "../../api/types.js";
import { scaledValue } from "../deployment/util.js";
import { isPodAvailable, isPodReady } from "../workload/pods.js";
import { CONTROLLER_REVISION_HASH_LABEL } from "../workload/revisions.js";

/** AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: Toleration["effect"]): Toleration => ({ key, operator: "Exists", effect });
  return [
    t("node.kubernetes.io/not-ready", "NoExecute"),
    t("node.kubernetes.io/unreachable", "NoExecute"),
    t("node.kubernetes.io/disk-pressure", "NoSchedule"),
    t("node.kubernetes.io/memory-pressure", "NoSchedule"),
    t("node.kubernetes.io/pid-pressure", "NoSchedule"),
    t("node.kubernetes.io/unschedulable", "NoSchedule"),
    ...(hostNetwork ? [t("node.kubernetes.io/network-unavailable", "NoSchedule")] : []),
  ];
}

/** The template's tolerations with the daemon ones added (those it already has are not repeated). */
export function withDaemonTolerations(tolerations: Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const d of daemonTolerations(hostNetwork)) if (!out.some((t) => t.key === d.key && t.effect === d.effect && t.operator === "Exists")) out.push(d);
  return out;
}

/** Why the node cannot run the daemon pod, or undefined when it can (nodeShouldRunDaemonPod: the scheduler's NodeAffinity and TaintToleration filters, with the daemon tolerations). */
export function ineligibleReason(ds: DaemonSet, node: Node): string | undefined {
  const spec = ds.spec.template.spec;
  const pod = { apiVersion: "v1", kind: "Pod", metadata: {}, spec: { ...spec, tolerations: withDaemonTolerations(spec.tolerations, spec.hostNetwork === true) } } as Pod;
  return runFilters([nodeAffinity, taintToleration], pod, { node, pods: [] })?.reasons[0];
}

export type DaemonSetAction = { kind: "create" } | { kind: "delete"; pod: Pod; why: "failed" | "misscheduled" | "excess" | "update" };

const hashOf = (p: Pod): string | undefined => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
const terminating = (p: Pod): boolean => !!p.metadata.deletionTimestamp;

/** Oldest first, name breaking ties. */
function byAge(a: Pod, b: Pod): number {
  return Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/**
 * The actions for this node: `pods` are the set's pods on it, `hash` the update revision's hash, `eligible`
 * whether the node should run the daemon pod.
 */
export function planDaemonSet(ds: DaemonSet, pods: Pod[], hash: string, eligible: boolean, now: number): DaemonSetAction[] {
  const live = pods.filter((p) => !terminating(p));
  if (!eligible) return live.map((pod) => ({ kind: "delete", pod, why: "misscheduled" }));
  const failed = live.filter((p) => p.status?.phase === "Failed");
  if (failed.length) return failed.map((pod) => ({ kind: "delete", pod, why: "failed" }));
  if (live.length === 0) return pods.length ? [] : [{ kind: "create" }];
  const minReady = ds.spec.minReadySeconds ?? 0;
  const sorted = [...live].sort(byAge);
  const updated = sorted.filter((p) => hashOf(p) === hash);
  const old = sorted.filter((p) => hashOf(p) !== hash);
  const st = ds.spec.updateStrategy;
  if (st?.type !== "RollingUpdate" || old.length === 0) {
    // One pod per node: the oldest stays (an updated one first, when both exist after a surge).
    const keep = updated[0] ?? sorted[0];
    return sorted.filter((p) => p !== keep).map((pod) => ({ kind: "delete", pod, why: "excess" }));
  }
  const maxSurge = scaledValue(st.rollingUpdate?.maxSurge, 1, true);
  const maxUnavailable = scaledValue(st.rollingUpdate?.maxUnavailable, 1, true);
  if (maxSurge > 0) {
    if (updated.length === 0) return [{ kind: "create" }];
    // The new pod takes over once available; until then both run.
    return updated.some((p) => isPodAvailable(p, minReady, now)) ? old.map((pod) => ({ kind: "delete", pod, why: "update" })) : [];
  }
  if (updated.length) return old.map((pod) => ({ kind: "delete", pod, why: "excess" }));
  // maxUnavailable: an unavailable old pod may always go; an available one only when the budget allows.
  const oldPod = old[0];
  const available = isPodAvailable(oldPod, minReady, now);
  return !available || maxUnavailable >= 1 ? [{ kind: "delete", pod: oldPod, why: "update" }] : [];
}

/** updateDaemonSetStatus for one node. */
export function daemonSetStatus(ds: DaemonSet, pods: Pod[], hash: string, eligible: boolean, collisionCount: number, now: number): DaemonSetStatus {
  const live = pods.filter((p) => !terminating(p));
  const minReady = ds.spec.minReadySeconds ?? 0;
  const scheduled = live.length > 0;
  const ready = live.some((p) => isPodReady(p));
  const available = live.some((p) => isPodAvailable(p, minReady, now));
  const desired = eligible ? 1 : 0;
  return {
    currentNumberScheduled: eligible && scheduled ? 1 : 0,
    numberMisscheduled: !eligible && scheduled ? 1 : 0,
    desiredNumberScheduled: desired,
    numberReady: eligible && ready ? 1 : 0,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: eligible && live.some((p) => hashOf(p) === hash) ? 1 : 0,
    numberAvailable: eligible && available ? 1 : 0,
    numberUnavailable: eligible && !available ? 1 : 0,
    collisionCount,
  };
}
