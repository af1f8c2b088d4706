/**
 * The ReplicaSet controller's decisions as pure functions (pkg/controller/replicaset/replica_set.go): how many pods
 * to create or which to delete, and the status it reports (which pods it owns is foundation/claims.ts). No I/O:
 * the loop (controller.ts) applies what these return.
 */
import type { ReplicaSet, ReplicaSetStatus, AppsCondition } from "../../api/apps-types.js";
import type { Pod } from "../../api/types.js";
import { isPodAvailable, isPodReady, readyCondition } from "../workload/pods.js";
import { rfc3339 } from "../../api/time.js";

/** At most this many pods are created or deleted in one sync (BurstReplicas). */
export const BURST_REPLICAS = 500;

export type ReplicaAction = { kind: "none" } | { kind: "create"; count: number } | { kind: "delete"; pods: Pod[] };

/** manageReplicas: the difference between the active pods and spec.replicas, at most BURST_REPLICAS a sync. */
export function replicaAction(rs: ReplicaSet, active: Pod[]): ReplicaAction {
  const diff = active.length - (rs.spec.replicas ?? 1);
  if (diff < 0) return { kind: "create", count: Math.min(-diff, BURST_REPLICAS) };
  if (diff > 0) return { kind: "delete", pods: podsToDelete(active, Math.min(diff, BURST_REPLICAS)) };
  return { kind: "none" };
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

function time(ts: string | undefined): number {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isFinite(t) ? t : -Infinity;
}

/**
 * ActivePodsWithRanks.Less: negative when `a` should be deleted before `b`. Unassigned before assigned, Pending
 * before Unknown before Running, not ready before ready, (both ready) ready for less time first, more restarts
 * first, younger first. The co-location rank of upstream is the same for every pod on a single node.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? "Pending"] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (ready(a) && ready(b)) {
    const ta = time(readyCondition(a)?.lastTransitionTime);
    const tb = time(readyCondition(b)?.lastTransitionTime);
    if (ta !== tb) return tb - ta; // ready more recently (less time) first
  }
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const ca = time(a.metadata.creationTimestamp);
  const cb = time(b.metadata.creationTimestamp);
  if (ca !== cb) return cb - ca; // younger first
  return (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** The `count` least useful pods (getPodsToDelete). */
export function podsToDelete(active: Pod[], count: number): Pod[] {
  return [...active].sort(compareForDeletion).slice(0, count);
}

/**
 * calculateStatus: counts of the active owned pods, the ReplicaFailure condition while creating or deleting fails
 * (`manageError` says which and why), observedGeneration.
 */
export function replicaSetStatus(rs: ReplicaSet, active: Pod[], now: number, manageError?: { reason: "FailedCreate" | "FailedDelete"; message: string }): ReplicaSetStatus {
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const minReady = rs.spec.minReadySeconds ?? 0;
  const fullyLabeled = active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
    observedGeneration: rs.metadata.generation,
  };
  const others = (rs.status?.conditions ?? []).filter((c) => c.type !== "ReplicaFailure");
  const existing = rs.status?.conditions?.find((c) => c.type === "ReplicaFailure");
  let conditions: AppsCondition[] = others;
  if (manageError) {
    conditions = [
      ...others,
      existing ?? { type: "ReplicaFailure", status: "True", lastTransitionTime: rfc3339(now), reason: manageError.reason, message: manageError.message },
    ];
  }
  if (conditions.length) status.conditions = conditions;
  return compact(status);
}

/** Zero counts are omitted, as the Go types' omitempty does. */
function compact(s: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: s.replicas };
  for (const k of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration", "conditions"] as const) {
    const v = s[k];
    if (v !== undefined && v !== 0) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}
