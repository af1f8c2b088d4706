/**
 * What the pod garbage collector deletes in one pass (pkg/controller/podgc/gc_controller.go, Kubernetes 1.32), pure:
 * - terminated pods (phase Succeeded or Failed) beyond `threshold` (--terminated-pod-gc-threshold; 0 turns it off):
 *   the surplus, evicted ones first (status.reason Evicted), then oldest by creationTimestamp;
 * - orphaned pods: bound to a node that does not exist, once that node has been missing for the quarantine time
 *   (40 s upstream: a Node being re-created is not mistaken for a deleted one) — they get the DisruptionTarget
 *   condition (DeletionByPodGC) and, unless finished, phase Failed;
 * - unscheduled terminating pods: deleted (deletionTimestamp) but never bound, so no kubelet will finish them.
 * Every deletion is with grace period 0, as upstream's. `missingSince` carries when each absent node was first seen
 * missing from one pass to the next.
 */
import type { Pod } from "../../api/types.js";

export const POD_GC_CHECK_PERIOD_MS = 20_000;
export const QUARANTINE_MS = 40_000;
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12_500;

export type PodGcReason = "terminated" | "orphaned" | "unscheduled-terminating";

export interface PodGcDeletion {
  pod: Pod;
  reason: PodGcReason;
}

export interface PodGcPlan {
  deletions: PodGcDeletion[];
  /** Absent nodes (with pods still bound to them) and when they were first seen missing. */
  missingSince: Map<string, number>;
}

const terminated = (p: Pod): boolean => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

export function podGcPlan(pods: Pod[], nodes: Set<string>, missingSince: ReadonlyMap<string, number>, now: number, threshold: number, quarantineMs = QUARANTINE_MS): PodGcPlan {
  const deletions: PodGcDeletion[] = [];
  const chosen = new Set<Pod>();
  const add = (pod: Pod, reason: PodGcReason) => {
    if (chosen.has(pod)) return;
    chosen.add(pod);
    deletions.push({ pod, reason });
  };
  if (threshold > 0) {
    const done = pods.filter(terminated);
    const surplus = done.length - threshold;
    if (surplus > 0) {
      const evicted = (p: Pod) => (p.status?.reason === "Evicted" ? 0 : 1);
      done.sort((a, b) => evicted(a) - evicted(b) || Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
      for (const p of done.slice(0, surplus)) add(p, "terminated");
    }
  }
  const missing = new Map<string, number>();
  for (const p of pods) {
    const node = p.spec.nodeName;
    if (!node || nodes.has(node)) continue;
    const since = missingSince.get(node) ?? now;
    missing.set(node, since);
    if (now - since >= quarantineMs) add(p, "orphaned");
  }
  for (const p of pods) if (p.metadata.deletionTimestamp && !p.spec.nodeName) add(p, "unscheduled-terminating");
  return { deletions, missingSince: missing };
}
