/**
 * The Job controller's decisions as pure functions of (job, its pods, now) (pkg/controller/job/job_controller.go
 * syncJob / manageJob, pod_failure_policy.go, backoff_utils.go): which pods count as succeeded or failed, whether
 * the Job has met its success criteria or must fail (backoffLimit, activeDeadlineSeconds, podFailurePolicy), how
 * many pods to create (and for which completion indexes) or delete, the back-off before replacing failed pods,
 * suspension, the status and conditions to write, and when to look again. No I/O: controller.ts applies the plan.
 */
import type { Job, JobCondition, JobStatus, PodFailurePolicyRule } from "../../api/batch-types.js";
import type { Pod } from "../../api/types.js";
import { parseTime, rfc3339 } from "../../api/time.js";
import { compareForDeletion } from "../replicaset/reconcile.js";
import { isPodReady } from "../workload/pods.js";
import { formatIntervals, parseIntervals, podIndex } from "./indexes.js";
import { accounted, hasTrackingFinalizer, MAX_UNCOUNTED_PODS, uncountedField, uncountedOf } from "./tracking.js";

/** Back-off before replacing a failed pod: 10 s, doubled per failure since the last success, at most 6 minutes. */
export const DEFAULT_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 360_000;
/** At most this many pods are created or deleted in one sync (MaxPodCreateDeletePerSync). */
export const MAX_PODS_PER_SYNC = 500;

export const REASONS = {
  backoffLimit: { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
  deadline: { reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" },
  completions: { reason: "CompletionsReached", message: "Reached expected number of succeeded pods" },
} as const;

export interface JobEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface JobPlan {
  /** The status to write (equal to the current one when nothing changed). */
  status: JobStatus;
  /** Pods to create: one entry per pod, with its completion index for Indexed Jobs. */
  create: { index?: number }[];
  /** Pods to delete (surplus, or every active pod of a finishing or suspended Job). */
  delete: Pod[];
  events: JobEvent[];
  /** Look again after this many ms (back-off, deadline, TTL), if set. */
  requeueAfterMs?: number;
  /** ttlSecondsAfterFinished has passed: the Job is to be deleted. */
  deleteJob?: boolean;
  /**
   * Pods whose tracking finalizer goes, once `status` (with their uids in uncountedTerminatedPods) is written:
   * ended pods, and every pod of a Job that is finishing, finished or being deleted (tracking.ts).
   */
  removeFinalizers: Pod[];
}

export function condition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === "True");
}

/** Complete or Failed (IsJobFinished). */
export function finishedCondition(job: Job): JobCondition | undefined {
  return condition(job, "Complete") ?? condition(job, "Failed");
}


/** When a pod finished: its containers' latest finishedAt, else its deletion or Ready transition time (getFinishedTime). */
export function finishedTime(pod: Pod, now: number): number {
  let latest: number | undefined;
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const t = parseTime(c.state?.terminated?.finishedAt);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest ?? parseTime(pod.metadata.deletionTimestamp ?? undefined) ?? parseTime(pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime) ?? now;
}

// ---------------------------------------------------------------------------------------------------------------
// Pod failure policy

export type FailureAction = { action: "FailJob" | "Ignore" | "Count" | "FailIndex"; message?: string };

function exitCodeMatch(rule: PodFailurePolicyRule, pod: Pod): { container: string; code: number } | undefined {
  const req = rule.onExitCodes;
  if (!req) return undefined;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const c of statuses) {
    if (req.containerName && req.containerName !== c.name) continue;
    const code = c.state?.terminated?.exitCode;
    if (code === undefined || code === 0) continue; // a successful container never matches
    const inValues = req.values.includes(code);
    if ((req.operator === "In" && inValues) || (req.operator === "NotIn" && !inValues)) return { container: c.name, code };
  }
  return undefined;
}

/**
 * matchPodFailurePolicy: the action of the first rule matching the failed pod (its containers' non-zero exit codes,
 * or its conditions); Count when none matches or there is no policy.
 */
export function matchPodFailurePolicy(job: Job, pod: Pod): FailureAction {
  const rules = job.spec.podFailurePolicy?.rules ?? [];
  const podName = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [i, rule] of rules.entries()) {
    const ec = exitCodeMatch(rule, pod);
    if (ec) return { action: rule.action, message: `Container ${ec.container} for pod ${podName} failed with exit code ${ec.code} matching ${rule.action} rule at index ${i}` };
    for (const pat of rule.onPodConditions ?? []) {
      const want = pat.status ?? "True";
      if ((pod.status?.conditions ?? []).some((c) => c.type === pat.type && c.status === want)) {
        return { action: rule.action, message: `Pod ${podName} has condition ${pat.type} matching ${rule.action} rule at index ${i}` };
      }
    }
  }
  return { action: "Count" };
}

// ---------------------------------------------------------------------------------------------------------------
// Back-off

/** getRemainingTimeForFailuresCount: what is left of the back-off after `failures` failures, the last at `last`. */
export function remainingBackoff(failures: number, last: number | undefined, now: number): number {
  if (failures === 0 || last === undefined) return 0;
  let backoff = DEFAULT_BACKOFF_MS;
  for (let i = 1; i < failures; i++) {
    backoff *= 2;
    if (backoff >= MAX_BACKOFF_MS) {
      backoff = MAX_BACKOFF_MS;
      break;
    }
  }
  const elapsed = now - last;
  return backoff < elapsed ? 0 : backoff - elapsed;
}

/** The back-off record of the pods: failures after the last success and the time of the last failure. */
function backoffOf(succeeded: Pod[], failed: Pod[], now: number): { failures: number; last?: number } {
  const lastSuccess = Math.max(-Infinity, ...succeeded.map((p) => finishedTime(p, now)));
  const after = failed.map((p) => finishedTime(p, now)).filter((t) => t > lastSuccess);
  return after.length ? { failures: after.length, last: Math.max(...after) } : { failures: 0 };
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts of active pods count as failures. */
function pastBackoffLimitOnFailure(job: Job, active: Pod[]): boolean {
  if (job.spec.template.spec.restartPolicy !== "OnFailure") return false;
  let restarts = 0;
  for (const p of active) for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

// ---------------------------------------------------------------------------------------------------------------
// The plan

interface Counted {
  active: Pod[];
  terminating: Pod[];
  succeeded: Pod[];
  /** Failed pods that count (not ignored by the pod failure policy). */
  failed: Pod[];
  /** Of those, the ones not counted yet (tracking.ts), up to what uncountedTerminatedPods can take. */
  newSucceeded: Pod[];
  newFailed: Pod[];
  /** Ended pods not counted yet that did not fit (MAX_UNCOUNTED_PODS): the next sync counts them. */
  overflow: boolean;
  /** The first FailJob match among the new failures, if any. */
  failJob?: string;
}

/**
 * isPodFailed: phase Failed, or deleted before it succeeded (an orphan's or a user's delete may never let it reach
 * Failed) unless podReplacementPolicy is Failed.
 */
function isPodFailed(job: Job, p: Pod): boolean {
  const phase = p.status?.phase;
  if (phase === "Failed") return true;
  return job.spec.podReplacementPolicy !== "Failed" && !!p.metadata.deletionTimestamp && phase !== "Succeeded";
}

function classify(job: Job, pods: Pod[], removing: ReadonlySet<string>): Counted {
  const out: Counted = { active: [], terminating: [], succeeded: [], failed: [], newSucceeded: [], newFailed: [], overflow: false };
  // Pods the controller removed from a suspended or finishing Job do not count as failures.
  const controllerRemoving = job.spec.suspend === true || !!condition(job, "FailureTarget") || !!condition(job, "SuccessCriteriaMet");
  const uncounted = uncountedOf(job.status);
  let room = MAX_UNCOUNTED_PODS - uncounted.succeeded.size - uncounted.failed.size;
  const fresh = (p: Pod): boolean => {
    if (accounted(p, uncounted, removing)) return false;
    if (room > 0) return room--, true;
    out.overflow = true;
    return false;
  };
  const indexed = job.spec.completionMode === "Indexed";
  for (const p of pods) {
    const phase = p.status?.phase;
    const deleted = !!p.metadata.deletionTimestamp;
    if (deleted && phase !== "Succeeded" && phase !== "Failed") out.terminating.push(p);
    if (phase === "Succeeded") {
      out.succeeded.push(p);
      // An Indexed Job records successes as completedIndexes, not uids.
      if (!indexed && fresh(p)) out.newSucceeded.push(p);
    } else if (deleted && controllerRemoving) {
      if (phase === "Failed") out.terminating.push(p);
    } else if (isPodFailed(job, p)) {
      const m = matchPodFailurePolicy(job, p);
      if (m.action === "Ignore") continue;
      out.failed.push(p);
      if (!fresh(p)) continue;
      out.newFailed.push(p);
      if (m.action === "FailJob" && out.failJob === undefined) out.failJob = m.message;
    } else if (!deleted) out.active.push(p);
  }
  return out;
}

/** Whether a pod's finalizer may go (canRemoveFinalizer): it ended, or the Job no longer needs to count it. */
function finalizerRemovable(job: Job, p: Pod, jobDone: boolean): boolean {
  if (jobDone) return true;
  const phase = p.status?.phase;
  return phase === "Succeeded" || isPodFailed(job, p);
}

function newCondition(type: string, status: "True" | "False", reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

/** Sets a condition: a new one is appended; a change of status replaces it with a fresh transition time. */
function setCondition(conditions: JobCondition[], c: JobCondition): JobCondition[] {
  const i = conditions.findIndex((x) => x.type === c.type);
  if (i < 0) return [...conditions, c];
  if (conditions[i].status === c.status && conditions[i].reason === c.reason) return conditions;
  return conditions.map((x, j) => (j === i ? c : x));
}

/** Indexes to create pods for (the lowest not succeeded and without an active pod) and surplus pods to delete. */
function indexedActions(job: Job, active: Pod[], completed: Set<number>, terminating: number): { create: number[]; remove: Pod[] } {
  const completions = job.spec.completions ?? 0;
  const remove: Pod[] = [];
  const byIndex = new Map<number, Pod>();
  for (const p of [...active].sort((a, b) => -compareForDeletion(a, b))) {
    const i = podIndex(p);
    // A pod without a valid index, of an index already done, or a duplicate of another active pod goes.
    if (i === undefined || i >= completions || completed.has(i) || byIndex.has(i)) remove.push(p);
    else byIndex.set(i, p);
  }
  const room = Math.max(0, (job.spec.parallelism ?? 1) - byIndex.size - terminating);
  const create: number[] = [];
  for (let i = 0; i < completions && create.length < room; i++) if (!completed.has(i) && !byIndex.has(i)) create.push(i);
  return { create, remove };
}

/**
 * syncJob for one Job and the pods it owns, at `now`. `manage` is false while the controller's expectations are not
 * met (its cache has not seen its own creates and deletes): then nothing is created or deleted. `removing`: uids of
 * pods whose tracking finalizer is being removed (counted already, the cache has not seen the removal yet).
 */
export function planJob(job: Job, pods: Pod[], now: number, manage = true, removing: ReadonlySet<string> = new Set()): JobPlan {
  const plan: JobPlan = { status: job.status ?? {}, create: [], delete: [], events: [], removeFinalizers: [] };
  const spec = job.spec;
  const finished = finishedCondition(job);
  const holding = pods.filter((p) => hasTrackingFinalizer(p) && !removing.has(p.metadata.uid ?? ""));
  if (finished || job.metadata.deletionTimestamp) {
    // Nothing is counted any more: no pod of a finished or deleted Job waits for its finalizer.
    plan.removeFinalizers = holding;
  }
  if (finished) {
    const ttl = spec.ttlSecondsAfterFinished;
    if (ttl !== undefined && ttl !== null) {
      const at = (parseTime(job.status?.completionTime) ?? parseTime(finished.lastTransitionTime) ?? now) + ttl * 1000;
      if (now >= at) plan.deleteJob = true;
      else plan.requeueAfterMs = at - now;
    }
    return plan;
  }

  const c = classify(job, pods, removing);
  const status: JobStatus = { ...job.status };
  let conditions = [...(job.status?.conditions ?? [])];
  const completions = spec.completions;
  const indexed = spec.completionMode === "Indexed";
  const completedIndexes = indexed ? parseIntervals(job.status?.completedIndexes, completions ?? 0) : new Set<number>();
  if (indexed) for (const p of c.succeeded) {
    const i = podIndex(p);
    if (i !== undefined && i < (completions ?? 0)) completedIndexes.add(i);
  }
  // The counts: what the status has counted, what waits in uncountedTerminatedPods, and the pods newly ended.
  const uncounted = uncountedOf(job.status);
  const succeeded = indexed ? completedIndexes.size : (status.succeeded ?? 0) + uncounted.succeeded.size + c.newSucceeded.length;
  const failed = (status.failed ?? 0) + uncounted.failed.size + c.newFailed.length;
  const newUncounted = uncountedField([...uncounted.succeeded, ...uid(c.newSucceeded)], [...uncounted.failed, ...uid(c.newFailed)]);
  const allCounted = !newUncounted.succeeded && !newUncounted.failed;
  const active = c.active;
  const suspended = spec.suspend === true;

  // startTime: when the Job first runs, and again when it is resumed (the deadline counts from then).
  const wasSuspended = conditions.some((x) => x.type === "Suspended" && x.status === "True");
  if (!suspended && (!status.startTime || wasSuspended)) status.startTime = rfc3339(now);

  let failureTarget = condition(job, "FailureTarget");
  let successTarget = condition(job, "SuccessCriteriaMet");
  if (!failureTarget && !successTarget) {
    let failure: { reason: string; message: string } | undefined;
    if (c.failJob !== undefined) failure = { reason: "PodFailurePolicy", message: c.failJob };
    else if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, active)) failure = REASONS.backoffLimit;
    else if (!suspended && spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && status.startTime) {
      if (now - (parseTime(status.startTime) ?? now) >= spec.activeDeadlineSeconds * 1000) failure = REASONS.deadline;
    }
    const met = indexed ? succeeded >= (completions ?? 0) : completions !== undefined && completions !== null ? succeeded >= completions : succeeded > 0 && active.length === 0;
    if (failure) {
      failureTarget = newCondition("FailureTarget", "True", failure.reason, failure.message, now);
      conditions = setCondition(conditions, failureTarget);
      plan.events.push({ type: "Warning", reason: failure.reason, message: failure.message });
    } else if (met) {
      successTarget = newCondition("SuccessCriteriaMet", "True", REASONS.completions.reason, REASONS.completions.message, now);
      conditions = setCondition(conditions, successTarget);
    }
  }

  if (failureTarget || successTarget) {
    // A finishing Job removes its running pods; its terminal condition waits until none is left running.
    if (manage) plan.delete = active.slice(0, MAX_PODS_PER_SYNC);
    // ...and until every ended pod is counted (its uid out of uncountedTerminatedPods), and the count complete.
    if (manage && active.length === 0 && c.terminating.length === 0 && allCounted && !c.overflow) {
      const t = (failureTarget ?? successTarget) as JobCondition;
      if (failureTarget) conditions = setCondition(conditions, newCondition("Failed", "True", t.reason ?? "", t.message ?? "", now));
      else {
        conditions = setCondition(conditions, newCondition("Complete", "True", t.reason ?? "", t.message ?? "", now));
        status.completionTime = rfc3339(now);
        plan.events.push({ type: "Normal", reason: "Completed", message: "Job completed" });
      }
    }
  } else if (suspended) {
    if (manage) plan.delete = active.slice(0, MAX_PODS_PER_SYNC);
    if (!wasSuspended) {
      conditions = setCondition(conditions, newCondition("Suspended", "True", "JobSuspended", "Job suspended", now));
      plan.events.push({ type: "Normal", reason: "Suspended", message: "Job suspended" });
    }
  } else {
    if (wasSuspended) {
      conditions = setCondition(conditions, newCondition("Suspended", "False", "JobResumed", "Job resumed", now));
      plan.events.push({ type: "Normal", reason: "Resumed", message: "Job resumed" });
    }
    if (manage) manageActive(job, plan, c, active, succeeded, completedIndexes, now);
    // The deadline is looked at again when it passes.
    const ads = spec.activeDeadlineSeconds;
    if (ads !== undefined && ads !== null && status.startTime) requeueAt(plan, (parseTime(status.startTime) ?? now) + ads * 1000 - now);
  }

  const deleting = new Set(plan.delete);
  const stillActive = c.active.filter((p) => !deleting.has(p));
  status.active = stillActive.length + plan.create.length;
  status.ready = stillActive.filter(isPodReady).length;
  status.terminating = c.terminating.length + plan.delete.length;
  // The counters change only as uncountedTerminatedPods empties (tracking.ts settleUncounted); an Indexed Job's
  // successes are its completedIndexes.
  if (indexed) status.succeeded = succeeded;
  status.uncountedTerminatedPods = newUncounted;
  if (indexed) status.completedIndexes = formatIntervals(completedIndexes);
  if (conditions.length) status.conditions = conditions;
  plan.status = compact(status);
  if (!plan.removeFinalizers.length) {
    const jobDone = !!failureTarget || !!successTarget;
    const waiting = new Set([...c.succeeded, ...c.failed].filter((p) => !accountedNow(p)));
    plan.removeFinalizers = holding.filter((p) => !waiting.has(p) && finalizerRemovable(job, p, jobDone));
  }
  if (c.overflow) requeueAt(plan, 0);
  return plan;

  /** Counted by the status or by this plan's uncountedTerminatedPods. */
  function accountedNow(p: Pod): boolean {
    const id = p.metadata.uid ?? "";
    if (!hasTrackingFinalizer(p) || newUncounted.succeeded?.includes(id) || newUncounted.failed?.includes(id)) return true;
    // An Indexed Job's success is counted by its index.
    return indexed && p.status?.phase === "Succeeded";
  }
}

function uid(pods: Pod[]): string[] {
  return pods.map((p) => p.metadata.uid ?? "");
}

function requeueAt(plan: JobPlan, ms: number): void {
  const after = Math.max(0, ms);
  if (plan.requeueAfterMs === undefined || after < plan.requeueAfterMs) plan.requeueAfterMs = after;
}

/** manageJob: pods to create (after the back-off) or delete so that the active count is what the spec wants. */
function manageActive(job: Job, plan: JobPlan, c: Counted, active: Pod[], succeeded: number, completedIndexes: Set<number>, now: number): void {
  const spec = job.spec;
  const parallelism = spec.parallelism ?? 1;
  // podReplacementPolicy Failed: a terminating pod is replaced only once it has failed.
  const terminating = spec.podReplacementPolicy === "Failed" ? c.terminating.length : 0;
  const backoff = backoffOf(c.succeeded, c.failed, now);
  const wait = remainingBackoff(backoff.failures, backoff.last, now);
  let room: number;
  if (spec.completionMode === "Indexed") {
    const { create, remove } = indexedActions(job, active, completedIndexes, terminating);
    const keep = active.filter((p) => !remove.includes(p));
    const surplus = Math.max(0, keep.length - parallelism);
    plan.delete = [...remove, ...[...keep].sort(compareForDeletion).slice(0, surplus)].slice(0, MAX_PODS_PER_SYNC);
    room = create.length;
    if (room > 0 && wait > 0) return requeueAt(plan, wait);
    plan.create = create.slice(0, MAX_PODS_PER_SYNC).map((index) => ({ index }));
    return;
  }
  let want: number;
  if (spec.completions === undefined || spec.completions === null) want = succeeded > 0 ? active.length : parallelism;
  else want = Math.min(spec.completions - succeeded, parallelism);
  want = Math.max(0, want);
  if (active.length > want) {
    plan.delete = [...active].sort(compareForDeletion).slice(0, Math.min(active.length - want, MAX_PODS_PER_SYNC));
    return;
  }
  room = want - active.length - terminating;
  if (room <= 0) return;
  if (wait > 0) return requeueAt(plan, wait);
  plan.create = Array.from({ length: Math.min(room, MAX_PODS_PER_SYNC) }, () => ({}));
}

/** Zero counts are omitted as the Go types' omitempty does; ready and terminating are pointers and always shown. */
function compact(s: JobStatus): JobStatus {
  const out: JobStatus = {};
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.startTime) out.startTime = s.startTime;
  if (s.completionTime) out.completionTime = s.completionTime;
  if (s.active) out.active = s.active;
  if (s.succeeded) out.succeeded = s.succeeded;
  if (s.failed) out.failed = s.failed;
  if (s.completedIndexes) out.completedIndexes = s.completedIndexes;
  out.uncountedTerminatedPods = s.uncountedTerminatedPods ?? {};
  out.terminating = s.terminating ?? 0;
  out.ready = s.ready ?? 0;
  return out;
}
