/**
 * What a StatefulSet sync does, as a pure function of the set, its pods, the claims in its namespace, its current
 * and update revisions and the time (updateStatefulSet in pkg/controller/statefulset/stateful_set_control.go):
 *
 * 1. every wanted ordinal 0..N-1 in order: a Failed/Succeeded pod is deleted (recreated next sync); a missing pod
 *    is created with its missing claims, from the current revision's template below the partition and the update
 *    revision's otherwise; a pod whose identity labels drifted is relabelled. With OrderedReady the walk stops at
 *    the first pod created, terminating, or not Running+Ready+available (minReadySeconds); Parallel walks on.
 * 2. scale-down: pods with ordinals beyond N, highest first, one at a time with OrderedReady and only when the
 *    rest are healthy (an unhealthy condemned pod blocks unless it is the first unhealthy one).
 * 3. RollingUpdate: from the highest ordinal down to the partition, the first pod not on the update revision is
 *    deleted (it comes back on the update revision); an unhealthy pod on the way stops the walk.
 * Before any of it, the claims' owner references are brought in line with persistentVolumeClaimRetentionPolicy.
 */
import type { PodTemplateSpec, StatefulSet, StatefulSetStatus } from "../../api/apps-types.js";
import { deepEqual } from "../../api/json.js";
import type { OwnerReference, PersistentVolumeClaim, Pod } from "../../api/types.js";
import { isPodAvailable, isPodReady } from "../workload/pods.js";
import { CONTROLLER_REVISION_HASH_LABEL } from "../workload/revisions.js";
import { claimOwnerRefs, claimsFor, identityLabels, identityMatches, newStatefulSetPod, ordinalOf, startOrdinal } from "./identity.js";

export type StatefulSetAction =
  | { kind: "claimOwners"; claim: PersistentVolumeClaim; ownerReferences: OwnerReference[] }
  | { kind: "createClaim"; claim: PersistentVolumeClaim; pod: string }
  | { kind: "createPod"; pod: Pod }
  | { kind: "deletePod"; pod: Pod; why: "failed" | "condemned" | "update" }
  | { kind: "relabelPod"; pod: Pod; labels: Record<string, string> };

export interface Revisions {
  current: { name: string; template: PodTemplateSpec };
  update: { name: string; template: PodTemplateSpec };
}

export interface StatefulSetPlan {
  actions: StatefulSetAction[];
  /** Look again after this many ms (a ready pod becomes available after minReadySeconds). */
  requeueAfterMs?: number;
  /** Why the walk stopped early, for the log ("waiting for web-0 to be Running and Ready"). */
  waiting?: string;
}

const revisionOf = (pod: Pod): string | undefined => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
const isTerminating = (pod: Pod): boolean => !!pod.metadata.deletionTimestamp;
const isFinished = (pod: Pod): boolean => pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded";
const isRunningAndReady = (pod: Pod): boolean => pod.status?.phase === "Running" && isPodReady(pod);
/** isHealthy: running, ready, not terminating. */
const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isTerminating(pod);

/** The set's pods split by ordinal: wanted (index = ordinal - start) and condemned (highest ordinal first). */
export function splitPods(set: StatefulSet, pods: Pod[]): { replicas: (Pod | undefined)[]; condemned: Pod[] } {
  const start = startOrdinal(set);
  const count = set.spec.replicas ?? 1;
  const replicas: (Pod | undefined)[] = Array.from({ length: count }, () => undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(set, pod.metadata.name ?? "");
    if (ord < 0) continue;
    if (ord >= start && ord < start + count) replicas[ord - start] = pod;
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(set, b.metadata.name ?? "") - ordinalOf(set, a.metadata.name ?? ""));
  return { replicas, condemned };
}

/** newVersionedStatefulSetPod: below the partition a new pod gets the current revision, from there the update one. */
function versionFor(set: StatefulSet, ordinal: number, rev: Revisions): { name: string; template: PodTemplateSpec } {
  const ru = set.spec.updateStrategy?.type === "RollingUpdate" ? set.spec.updateStrategy.rollingUpdate : undefined;
  const partition = ru?.partition ?? 0;
  return ru && ordinal < startOrdinal(set) + partition ? rev.current : rev.update;
}

export function planStatefulSet(set: StatefulSet, pods: Pod[], claims: (name: string) => PersistentVolumeClaim | undefined, rev: Revisions, now: number): StatefulSetPlan {
  const actions: StatefulSetAction[] = [];
  const monotonic = set.spec.podManagementPolicy !== "Parallel";
  const minReady = set.spec.minReadySeconds ?? 0;
  const start = startOrdinal(set);
  const { replicas, condemned } = splitPods(set, pods);
  let requeueAfterMs: number | undefined;

  // Retention policy: owner references of the claims of existing pods.
  const ownClaims = (pod: Pod, condemnedPod: boolean): void => {
    for (const want of claimsFor(set, ordinalOf(set, pod.metadata.name ?? ""))) {
      const claim = claims(want.metadata.name ?? "");
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const refs = claimOwnerRefs(set, claim, pod, condemnedPod);
      if (!deepEqual(refs, claim.metadata.ownerReferences ?? [])) actions.push({ kind: "claimOwners", claim, ownerReferences: refs });
    }
  };
  for (const pod of replicas) if (pod) ownClaims(pod, false);
  for (const pod of condemned) ownClaims(pod, true);

  const stop = (waiting: string): StatefulSetPlan => ({ actions, requeueAfterMs, waiting });

  /** Creates the claims of `ordinal` that do not exist; false when one is still being deleted (wait for it). */
  const createClaims = (ordinal: number, podName: string): boolean => {
    for (const want of claimsFor(set, ordinal)) {
      const claim = claims(want.metadata.name ?? "");
      if (claim?.metadata.deletionTimestamp) return false;
      if (!claim) {
        const refs = claimOwnerRefs(set, want, undefined, false);
        actions.push({ kind: "createClaim", claim: { ...want, metadata: { ...want.metadata, ownerReferences: refs.length ? refs : undefined } }, pod: podName });
      }
    }
    return true;
  };

  for (let i = 0; i < replicas.length; i++) {
    const ordinal = start + i;
    const pod = replicas[i];
    if (pod && isFinished(pod)) {
      if (!isTerminating(pod)) actions.push({ kind: "deletePod", pod, why: "failed" });
      if (monotonic) return stop(`waiting for failed pod ${pod.metadata.name} to be replaced`);
      continue;
    }
    if (!pod) {
      const version = versionFor(set, ordinal, rev);
      const next = newStatefulSetPod({ ...set, spec: { ...set.spec, template: version.template } }, ordinal, version.name);
      if (!createClaims(ordinal, next.metadata.name ?? "")) {
        if (monotonic) return stop(`waiting for a claim of ${next.metadata.name} to be deleted`);
        continue;
      }
      actions.push({ kind: "createPod", pod: next });
      if (monotonic) return stop(`waiting for ${next.metadata.name} to be created`);
      continue;
    }
    if (pod.status?.phase === "Pending" || !pod.status?.phase) createClaims(ordinal, pod.metadata.name ?? "");
    if (isTerminating(pod)) {
      if (monotonic) return stop(`waiting for ${pod.metadata.name} to terminate`);
      continue;
    }
    if (!isRunningAndReady(pod)) {
      if (monotonic) return stop(`waiting for ${pod.metadata.name} to be Running and Ready`);
    } else if (!isPodAvailable(pod, minReady, now)) {
      requeueAfterMs = minReady * 1000;
      if (monotonic) return stop(`waiting for ${pod.metadata.name} to be available for ${minReady}s`);
    }
    if (!identityMatches(set, pod)) actions.push({ kind: "relabelPod", pod, labels: identityLabels(pod, ordinal) });
  }

  const firstUnhealthy = [...replicas, ...[...condemned].reverse()].find((p): p is Pod => !!p && !isHealthy(p));
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return stop(`waiting for ${pod.metadata.name} to terminate`);
      continue;
    }
    if (monotonic && !isRunningAndReady(pod) && pod !== firstUnhealthy) return stop(`waiting for ${firstUnhealthy?.metadata.name ?? "pods"} to be healthy before scaling down`);
    actions.push({ kind: "deletePod", pod, why: "condemned" });
    if (monotonic) return stop(`waiting for ${pod.metadata.name} to terminate`);
  }

  if (set.spec.updateStrategy?.type === "RollingUpdate") {
    const partition = set.spec.updateStrategy.rollingUpdate?.partition ?? 0;
    for (let i = replicas.length - 1; i >= partition; i--) {
      const pod = replicas[i];
      if (!pod) continue;
      if (revisionOf(pod) !== rev.update.name && !isTerminating(pod)) {
        actions.push({ kind: "deletePod", pod, why: "update" });
        break;
      }
      if (!isHealthy(pod)) break;
    }
  }
  return { actions, requeueAfterMs };
}

/** The status a sync leaves (updateStatefulSet's counts, then completeRollingUpdate). */
export function statefulSetStatus(set: StatefulSet, pods: Pod[], rev: { current: string; update: string }, collisionCount: number, now: number): StatefulSetStatus {
  const minReady = set.spec.minReadySeconds ?? 0;
  const members = pods.filter((p) => ordinalOf(set, p.metadata.name ?? "") >= 0 && !isTerminating(p));
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    replicas: members.length,
    readyReplicas: members.filter(isRunningAndReady).length,
    currentReplicas: members.filter((p) => revisionOf(p) === rev.current).length,
    updatedReplicas: members.filter((p) => revisionOf(p) === rev.update).length,
    availableReplicas: members.filter((p) => isRunningAndReady(p) && isPodAvailable(p, minReady, now)).length,
    currentRevision: rev.current,
    updateRevision: rev.update,
    collisionCount,
  };
  const rolling = set.spec.updateStrategy?.type === "RollingUpdate";
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentRevision = rev.update;
    status.currentReplicas = status.updatedReplicas;
  }
  return status;
}
