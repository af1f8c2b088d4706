/**
 * The rollout arithmetic of the Deployment controller as pure functions (pkg/controller/deployment/rolling.go,
 * recreate.go, sync.go, progress.go): how far the new ReplicaSet may grow, how far the old ones may shrink, the
 * status and the Available/Progressing conditions. Each returns numbers or objects; controller.ts applies them.
 */
import type { AppsCondition, Deployment, DeploymentStatus, ReplicaSet } from "../../api/apps-types.js";
import { byCreation, condition, maxSurge, maxUnavailable, newCondition, setCondition, specReplicas } from "./util.js";

/** NewRSNewReplicas: the new ReplicaSet's size this step (RollingUpdate: within replicas + maxSurge). */
export function newRSReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = d.spec.replicas ?? 1;
  const cur = newRS.spec.replicas ?? 0;
  if ((d.spec.strategy?.type ?? "RollingUpdate") === "Recreate") return replicas;
  if (cur >= replicas) return replicas;
  const maxTotal = replicas + maxSurge(d);
  const current = specReplicas(all);
  if (current >= maxTotal) return cur;
  return cur + Math.min(maxTotal - current, replicas - cur);
}

/** A new size for one ReplicaSet. */
export interface ScaleStep {
  rs: ReplicaSet;
  to: number;
}

/**
 * reconcileOldReplicaSets: first old ReplicaSets' unavailable pods go (cleanupUnhealthyReplicas), then available
 * ones while at least replicas - maxUnavailable stay available (scaleDownOldReplicaSetsForRollingUpdate). `old`
 * are the active old ReplicaSets.
 */
export function oldRSScaleDown(d: Deployment, old: ReplicaSet[], newRS: ReplicaSet | undefined): ScaleStep[] {
  const oldPods = specReplicas(old);
  if (oldPods === 0) return [];
  const all = newRS ? [...old, newRS] : old;
  const minAvailable = (d.spec.replicas ?? 1) - maxUnavailable(d);
  const newUnavailable = newRS ? (newRS.spec.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0) : 0;
  const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const sizes = new Map(old.map((rs) => [rs, rs.spec.replicas ?? 0]));
  const sorted = [...old].sort(byCreation);
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs)!;
    const unhealthy = size - (rs.status?.availableReplicas ?? 0);
    if (size === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs, size - n);
    cleaned += n;
  }
  const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  let toScaleDown = available - minAvailable;
  for (const rs of sorted) {
    if (toScaleDown <= 0) break;
    const size = sizes.get(rs)!;
    if (size === 0) continue;
    const n = Math.min(size, toScaleDown);
    sizes.set(rs, size - n);
    toScaleDown -= n;
  }
  return sorted.filter((rs) => sizes.get(rs) !== (rs.spec.replicas ?? 0)).map((rs) => ({ rs, to: sizes.get(rs)! }));
}

/**
 * scale(): the replica count changed mid-rollout: spread the difference over the active ReplicaSets in proportion
 * to their sizes (the largest, newest first when growing; oldest first when shrinking get the remainder), keeping
 * the total within replicas + maxSurge.
 */
export function proportionalScale(d: Deployment, active: ReplicaSet[]): ScaleStep[] {
  const total = specReplicas(active);
  const allowed = (d.spec.replicas ?? 1) + maxSurge(d);
  const toAdd = allowed - total;
  if (toAdd === 0 || total === 0) return [];
  const sorted = [...active].sort((a, b) => {
    const s = (b.spec.replicas ?? 0) - (a.spec.replicas ?? 0);
    if (s) return s;
    return toAdd > 0 ? -byCreation(a, b) : byCreation(a, b);
  });
  const sizes = new Map(sorted.map((rs) => [rs, rs.spec.replicas ?? 0]));
  let added = 0;
  for (const rs of sorted) {
    const share = toAdd > 0 ? Math.floor(((rs.spec.replicas ?? 0) * toAdd) / total) : -Math.floor(((rs.spec.replicas ?? 0) * -toAdd) / total);
    const bounded = Math.max(-(sizes.get(rs) ?? 0), share);
    sizes.set(rs, sizes.get(rs)! + bounded);
    added += bounded;
  }
  const first = sorted[0];
  sizes.set(first, Math.max(0, sizes.get(first)! + (toAdd - added)));
  return sorted.filter((rs) => sizes.get(rs) !== (rs.spec.replicas ?? 0)).map((rs) => ({ rs, to: sizes.get(rs)! }));
}

/** calculateStatus: counts over every ReplicaSet, and the Available condition. */
export function deploymentStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const sum = (f: (rs: ReplicaSet) => number | undefined) => all.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const replicas = d.spec.replicas ?? 1;
  const available = sum((rs) => rs.status?.availableReplicas);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    // totalReplicas (the ReplicaSets' spec) - availableReplicas, not below 0
    unavailableReplicas: Math.max(0, sum((rs) => rs.spec.replicas) - available),
    conditions: d.status?.conditions,
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  const minAvailable = replicas - maxUnavailable(d);
  const avail =
    available >= minAvailable
      ? newCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now)
      : newCondition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now);
  status.conditions = setCondition(status.conditions, avail);
  const failure = all.map((rs) => condition(rs.status, "ReplicaFailure")).find((c) => c?.status === "True");
  if (failure) status.conditions = setCondition(status.conditions, newCondition("ReplicaFailure", "True", failure.reason ?? "", failure.message ?? "", now));
  else status.conditions = status.conditions.filter((c) => c.type !== "ReplicaFailure");
  return status;
}

/** The status as the API shows it: zero counts left out (omitempty). */
export function compactStatus(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const [k, v] of Object.entries(s) as [keyof DeploymentStatus, unknown][]) {
    if (v !== undefined && v !== 0 && !(Array.isArray(v) && v.length === 0)) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = d.spec.replicas ?? 1;
  return (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available pods than the last status. */
export function isProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing condition last moved. */
export function isTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  const c = condition(s, "Progressing");
  if (!c || d.spec.progressDeadlineSeconds === undefined) return false;
  if (c.reason === "NewReplicaSetAvailable") return false;
  if (c.reason === "ProgressDeadlineExceeded") return true;
  const from = Date.parse(c.lastUpdateTime ?? "");
  return Number.isFinite(from) && from + d.spec.progressDeadlineSeconds * 1000 < now;
}

/** syncRolloutStatus: the Progressing condition for the computed status (Kubernetes' reasons and messages). */
export function withProgress(d: Deployment, s: DeploymentStatus, newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  if (d.spec.paused || d.spec.progressDeadlineSeconds === undefined) return s;
  const cur = condition(s, "Progressing");
  const name = newRS?.metadata.name;
  let conditions: AppsCondition[] = s.conditions ?? [];
  if (newRS && isComplete(d, s)) {
    if (cur?.reason !== "NewReplicaSetAvailable") {
      conditions = setCondition(conditions, newCondition("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${name}" has successfully progressed.`, now));
    }
  } else if (isProgressing(d, s)) {
    const msg = name ? `ReplicaSet "${name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
    const c = newCondition("Progressing", "True", "ReplicaSetUpdated", msg, now);
    if (cur?.status === "True") c.lastTransitionTime = cur.lastTransitionTime;
    conditions = [...conditions.filter((x) => x.type !== "Progressing"), c];
  } else if (isTimedOut(d, s, now)) {
    const msg = name ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
    conditions = setCondition(conditions, newCondition("Progressing", "False", "ProgressDeadlineExceeded", msg, now));
  }
  return { ...s, conditions };
}

/** When the progress deadline of an unfinished rollout runs out, in ms from now (requeueStuckDeployment). */
export function deadlineIn(d: Deployment, s: DeploymentStatus, now: number): number | undefined {
  const c = condition(s, "Progressing");
  if (!c || c.status !== "True" || c.reason === "NewReplicaSetAvailable" || isComplete(d, s) || d.spec.progressDeadlineSeconds === undefined) return undefined;
  const from = Date.parse(c.lastUpdateTime ?? "");
  if (!Number.isFinite(from)) return undefined;
  return Math.max(0, from + d.spec.progressDeadlineSeconds * 1000 - now) + 1000;
}
