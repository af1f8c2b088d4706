/**
 * The disruption controller's arithmetic (pkg/controller/disruption/disruption.go), pure: the pods a budget expects
 * and how many must stay healthy (getExpectedPodCount, getExpectedScale over the pods' controllers), the evictions
 * still awaiting their pod's deletion (buildDisruptedPodMap, 2 minutes each), the healthy count
 * (countHealthyPods) and the status with its DisruptionAllowed condition (updatePdbStatus, failSafe).
 */
import type { IntOrPercent } from "../../api/apps-types.js";
import { setMetaCondition, withDisruptionAllowedCondition } from "../../api/eviction.js";
import { DISRUPTION_ALLOWED, PDB_REASONS, type PodDisruptionBudget, type PodDisruptionBudgetStatus } from "../../api/policy-types.js";
import type { OwnerReference, Pod } from "../../api/types.js";
import { scaledValue } from "../deployment/util.js";
import { controllerRef, isPodReady } from "../workload/pods.js";

/** How long an eviction counts against the budget before its pod is expected gone (DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** A pod's controller and the replicas it wants; undefined when no known controller of that reference exists. */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => { uid: string; scale: number } | undefined;

export interface ExpectedCount {
  expectedCount: number;
  desiredHealthy: number;
  /** Pods without a controller, which a percentage or maxUnavailable cannot account for. */
  unmanagedPods: string[];
}

/**
 * getExpectedScale: the sum of the scales of the pods' controllers (each once). Throws "found no controllers for
 * pod" when a pod's controller is not one whose scale is known.
 */
export function expectedScale(pods: Pod[], find: ScaleFinder): { expectedCount: number; unmanagedPods: string[] } {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerRef(pod);
    if (!ref) {
      unmanagedPods.push(pod.metadata.name ?? "");
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = find(ref, pod.metadata.namespace ?? "");
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name ?? ""}"`);
    scales.set(found.uid, found.scale);
  }
  return { expectedCount: [...scales.values()].reduce((a, b) => a + b, 0), unmanagedPods };
}

const isPercent = (v: IntOrPercent | undefined): v is string => typeof v === "string";

/** getExpectedPodCount. */
export function expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[], find: ScaleFinder): ExpectedCount {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = expectedScale(pods, find);
    const desiredHealthy = Math.max(0, expectedCount - scaledValue(maxUnavailable, expectedCount, true));
    return { expectedCount, desiredHealthy, unmanagedPods };
  }
  if (minAvailable !== undefined && minAvailable !== null) {
    if (!isPercent(minAvailable)) return { expectedCount: pods.length, desiredHealthy: minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = expectedScale(pods, find);
    return { expectedCount, desiredHealthy: scaledValue(minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/**
 * buildDisruptedPodMap: evictions whose pod still exists, is not yet terminating and was evicted less than
 * DELETION_TIMEOUT_MS ago; `recheckAt` is when the earliest of them expires.
 */
export function disruptedPodMap(pdb: PodDisruptionBudget, pods: Pod[], now: number): { disrupted: Record<string, string>; recheckAt?: number } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const pod of pods) {
    const name = pod.metadata.name ?? "";
    if (pod.metadata.deletionTimestamp || recorded[name] === undefined) continue;
    const expires = Date.parse(recorded[name]) + DELETION_TIMEOUT_MS;
    if (!(expires > now)) continue;
    disrupted[name] = recorded[name];
    recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
  }
  return { disrupted, recheckAt };
}

/** countHealthyPods: ready, not terminating, and not being evicted. */
export function countHealthy(pods: Pod[], disrupted: Record<string, string>): number {
  return pods.filter((p) => !p.metadata.deletionTimestamp && disrupted[p.metadata.name ?? ""] === undefined && isPodReady(p)).length;
}

/** updatePdbStatus's status: the numbers, the evictions in flight, observedGeneration and DisruptionAllowed. */
export function budgetStatus(pdb: PodDisruptionBudget, counts: ExpectedCount, currentHealthy: number, disrupted: Record<string, string>, now: string): PodDisruptionBudgetStatus {
  const allowed = currentHealthy - counts.desiredHealthy;
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: pdb.metadata.generation,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: counts.expectedCount <= 0 || allowed <= 0 ? 0 : allowed,
    currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedCount,
    conditions: pdb.status?.conditions,
  };
  status.conditions = withDisruptionAllowedCondition({ ...pdb, status }, now);
  return status;
}

/** failSafe: no disruption allowed, DisruptionAllowed False with reason SyncFailed and the error. */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, now: string): PodDisruptionBudgetStatus {
  const base = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  const conditions = setMetaCondition(base.conditions, {
    type: DISRUPTION_ALLOWED,
    status: "False",
    reason: PDB_REASONS.syncFailed,
    message,
    observedGeneration: base.observedGeneration,
    lastTransitionTime: now,
  });
  return { ...base, disruptionsAllowed: 0, conditions };
}
