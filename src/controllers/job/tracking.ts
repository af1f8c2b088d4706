/**
 * Job tracking with finalizers (pkg/controller/job/tracking_utils.go and the finalizer half of job_controller.go),
 * pure. Every pod the Job controller creates or adopts carries the `batch.kubernetes.io/job-tracking` finalizer, so
 * it cannot vanish (deleted by a user, the garbage collector, the kubelet) before the Job counted it. A pod that
 * ended is counted in three writes, each safe to interrupt (a daemon restart between two of them):
 *  1. its uid goes into `status.uncountedTerminatedPods.{succeeded,failed}` (a pod with the finalizer whose uid is
 *     there is never added again);
 *  2. its finalizer is removed (the pod may go from here on);
 *  3. uids in uncountedTerminatedPods whose pod no longer holds the finalizer (or is gone) move into
 *     `status.succeeded` / `status.failed`.
 * A pod without the finalizer has been counted (or was never to be), so it is never counted again. Indexed Jobs
 * record a success as its index in `completedIndexes` instead of a uid.
 */
import { JOB_TRACKING_FINALIZER, type JobStatus } from "../../api/batch-types.js";
import type { Pod } from "../../api/types.js";

/** At most this many uids wait in uncountedTerminatedPods (MaxUncountedPods): a sync counts no more than that. */
export const MAX_UNCOUNTED_PODS = 500;

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/** The pod with the tracking finalizer added (pods the controller creates or adopts). */
export function withTrackingFinalizer(pod: Pod): Pod {
  if (hasTrackingFinalizer(pod)) return pod;
  return { ...pod, metadata: { ...pod.metadata, finalizers: [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER] } };
}

/** The pod without it (finalizers left out when none remains). */
export function withoutTrackingFinalizer(pod: Pod): Pod {
  const rest = (pod.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
  return { ...pod, metadata: { ...pod.metadata, finalizers: rest.length ? rest : undefined } };
}

export interface Uncounted {
  succeeded: Set<string>;
  failed: Set<string>;
}

export function uncountedOf(status: JobStatus | undefined): Uncounted {
  const u = status?.uncountedTerminatedPods;
  return { succeeded: new Set(u?.succeeded ?? []), failed: new Set(u?.failed ?? []) };
}

/** Counted already: no finalizer any more, its uid waiting in uncountedTerminatedPods, or its finalizer going. */
export function accounted(pod: Pod, uncounted: Uncounted, removing: ReadonlySet<string>): boolean {
  const uid = pod.metadata.uid ?? "";
  return !hasTrackingFinalizer(pod) || removing.has(uid) || uncounted.succeeded.has(uid) || uncounted.failed.has(uid);
}

/** The uncountedTerminatedPods field as upstream writes it: always present, empty lists left out. */
export function uncountedField(succeeded: Iterable<string>, failed: Iterable<string>): NonNullable<JobStatus["uncountedTerminatedPods"]> {
  const s = [...succeeded];
  const f = [...failed];
  return { ...(s.length ? { succeeded: s } : {}), ...(f.length ? { failed: f } : {}) };
}

/**
 * Step 3 (cleanUncountedPodsWithoutFinalizers): the uids of uncountedTerminatedPods whose pod is not in `held`
 * (pods that still carry the finalizer) move into the counters. Returns `status` itself when nothing moved.
 */
export function settleUncounted(status: JobStatus, held: ReadonlySet<string>): JobStatus {
  const u = uncountedOf(status);
  const keepS = [...u.succeeded].filter((uid) => held.has(uid));
  const keepF = [...u.failed].filter((uid) => held.has(uid));
  const movedS = u.succeeded.size - keepS.length;
  const movedF = u.failed.size - keepF.length;
  if (movedS === 0 && movedF === 0) return status;
  const out: JobStatus = { ...status, uncountedTerminatedPods: uncountedField(keepS, keepF) };
  if (movedS) out.succeeded = (status.succeeded ?? 0) + movedS;
  if (movedF) out.failed = (status.failed ?? 0) + movedF;
  return out;
}
