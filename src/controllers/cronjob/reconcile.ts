/**
 * The CronJob controller's decisions as pure functions (pkg/controller/cronjob/cronjob_controllerv2.go syncCronJob,
 * utils.go): the active list against the Jobs that exist, the most recent missed start time and how many were
 * missed, whether to start now (startingDeadlineSeconds, concurrencyPolicy), the Job to create and its name
 * (NAME-<minutes since the epoch>), which finished Jobs exceed the history limits, and when to look again. No I/O:
 * controller.ts applies them.
 */
import type { CronJob, Job } from "../../api/batch-types.js";
import type { ObjectReference } from "../../api/types.js";
import { CronParseError, isTimeZone, nextCron, parseCron, rfc3339In, type CronSchedule } from "../../api/cron.js";
import { parseTime, rfc3339 } from "../../api/time.js";
import { newControllerRef } from "../workload/pods.js";
import { finishedCondition } from "../job/reconcile.js";

/** Looked at again this long after the next start time (nextScheduleDelta). */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** More missed start times than this are not started one by one (a wedged controller or a skewed clock). */
export const MANY_MISSED = 100;
export const SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

export interface CronEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** RFC 1123 with a numeric zone, in UTC, as the MissSchedule event prints the time. */
function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${day}, ${p(d.getUTCDate())} ${mon} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The Job's own name for a start time: NAME-<scheduled time in minutes since the epoch> (getJobName). */
export function jobName(cj: CronJob, scheduled: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
}

export function jobRef(job: Job): ObjectReference {
  const m = job.metadata;
  return { kind: "Job", namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: "batch/v1", resourceVersion: m.resourceVersion };
}

const succeeded = (job: Job) => job.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True") ?? false;
const failed = (job: Job) => job.status?.conditions?.some((c) => c.type === "Failed" && c.status === "True") ?? false;

export interface ActiveResult {
  active: ObjectReference[];
  lastSuccessfulTime?: string;
  events: CronEvent[];
  /** Active references whose Job is not in the cache: the controller checks the API before dropping them. */
  unseen: ObjectReference[];
}

/**
 * The first part of syncCronJob: finished Jobs leave the active list (SawCompletedJob), the latest completion of a
 * successful one is lastSuccessfulTime, an unfinished Job we own but do not list is reported (UnexpectedJob).
 */
export function reconcileActive(cj: CronJob, jobs: Job[]): ActiveResult {
  let active = [...(cj.status?.active ?? [])];
  let lastSuccessfulTime = cj.status?.lastSuccessfulTime;
  const events: CronEvent[] = [];
  const listed = (uid: string | undefined) => active.some((r) => r.uid === uid);
  for (const j of jobs) {
    const finished = finishedCondition(j);
    if (!listed(j.metadata.uid) && !finished) {
      events.push({ type: "Warning", reason: "UnexpectedJob", message: `Saw a job that the controller did not create or forgot: ${j.metadata.name}` });
    } else if (listed(j.metadata.uid) && finished) {
      active = active.filter((r) => r.uid !== j.metadata.uid);
      events.push({ type: "Normal", reason: "SawCompletedJob", message: `Saw completed job: ${j.metadata.name}, condition: ${finished.type}` });
    } else if (succeeded(j)) {
      const done = j.status?.completionTime;
      if (done && (!lastSuccessfulTime || (parseTime(done) ?? 0) > (parseTime(lastSuccessfulTime) ?? 0))) lastSuccessfulTime = done;
    }
  }
  const uids = new Set(jobs.map((j) => j.metadata.uid));
  const unseen = active.filter((r) => !uids.has(r.uid));
  return { active, lastSuccessfulTime, events, unseen };
}

export type Missed = "none" | "few" | "many";

/**
 * mostRecentScheduleTime: from the last schedule (or the CronJob's creation, or `now - startingDeadlineSeconds` when
 * later), the most recent start time not after `now`, and whether several (or too many) were missed. The count is
 * estimated from the interval between the next two start times, as upstream does.
 */
export function mostRecentScheduleTime(cj: CronJob, sched: CronSchedule, now: number, tz: string | undefined, withDeadline: boolean): { earliest: number; recent?: number; missed: Missed } {
  let earliest = parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata.creationTimestamp) ?? now;
  const sds = cj.spec.startingDeadlineSeconds;
  if (withDeadline && sds !== undefined && sds !== null) earliest = Math.max(earliest, now - sds * 1000);
  const t1 = nextCron(sched, earliest, tz);
  if (t1 === undefined || now < t1) return { earliest, missed: "none" };
  const t2 = nextCron(sched, t1, tz);
  if (t2 === undefined || now < t2) return { earliest, recent: t1, missed: "none" };
  const interval = Math.round((t2 - t1) / 1000);
  if (interval < 1) return { earliest, missed: "none" };
  const missedCount = Math.floor(Math.floor((now - t1) / 1000) / interval) + 1;
  let recent: number | undefined;
  for (let t = nextCron(sched, t1 + (missedCount - 2) * interval * 1000, tz); t !== undefined && t <= now; t = nextCron(sched, t, tz)) recent = t;
  const missed: Missed = missedCount > MANY_MISSED ? "many" : missedCount > 1 ? "few" : "none";
  return { earliest, recent, missed };
}

/** nextScheduleTimeDuration: how long until the start after the most recent one, plus a little. */
export function requeueAfter(cj: CronJob, sched: CronSchedule, now: number, tz: string | undefined): number | undefined {
  const r = mostRecentScheduleTime(cj, sched, now, tz, false);
  const from = r.recent ?? (r.missed === "none" ? r.earliest : now);
  const next = nextCron(sched, from, tz);
  return next === undefined ? undefined : Math.max(0, next + NEXT_SCHEDULE_DELTA_MS - now);
}

export type ScheduleDecision =
  | { kind: "skip"; events: CronEvent[]; requeueAfterMs?: number }
  | { kind: "start"; scheduled: number; replace: ObjectReference[]; events: CronEvent[]; requeueAfterMs?: number };

/** The CronJob's zone, or undefined for the host's (the controller manager's local time). */
export function zoneOf(cj: CronJob): string | undefined {
  return cj.spec.timeZone ?? undefined;
}

/**
 * The rest of syncCronJob, for a CronJob whose active list is current: nothing when the zone is unknown, the CronJob
 * suspended or its schedule unparseable; otherwise the most recent unmet start time, unless it is past its
 * startingDeadlineSeconds (MissSchedule), already started, or Forbid finds a Job still active. Replace names the
 * active Jobs to delete first.
 */
export function decideSchedule(cj: CronJob, now: number): ScheduleDecision {
  const tz = zoneOf(cj);
  if (tz !== undefined && !isTimeZone(tz)) {
    return { kind: "skip", events: [{ type: "Warning", reason: "UnknownTimeZone", message: `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}` }] };
  }
  if (cj.spec.suspend === true) return { kind: "skip", events: [] };
  let sched: CronSchedule;
  try {
    sched = parseCron(cj.spec.schedule);
  } catch (err) {
    const msg = err instanceof CronParseError ? err.message : String(err);
    return { kind: "skip", events: [{ type: "Warning", reason: "UnparseableSchedule", message: `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${msg}` }] };
  }
  const events: CronEvent[] = [];
  const next = (c: CronJob) => requeueAfter(c, sched, now, tz);
  const r = mostRecentScheduleTime(cj, sched, now, tz, true);
  if (r.recent === undefined || r.recent > now) return { kind: "skip", events, requeueAfterMs: next(cj) };
  if (r.missed === "many") {
    events.push({ type: "Warning", reason: "TooManyMissedTimes", message: "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew" });
  }
  const scheduled = r.recent;
  const sds = cj.spec.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null && scheduled + sds * 1000 < now) {
    events.push({ type: "Warning", reason: "MissSchedule", message: `Missed scheduled time to start a job: ${rfc1123z(scheduled)}` });
    return { kind: "skip", events, requeueAfterMs: next(cj) };
  }
  const active = cj.status?.active ?? [];
  if (active.some((a) => a.name === jobName(cj, scheduled)) || parseTime(cj.status?.lastScheduleTime) === scheduled) {
    return { kind: "skip", events, requeueAfterMs: next(cj) };
  }
  if (cj.spec.concurrencyPolicy === "Forbid" && active.length > 0) {
    events.push({ type: "Normal", reason: "JobAlreadyActive", message: "Not starting job because prior execution is running and concurrency policy is Forbid" });
    return { kind: "skip", events, requeueAfterMs: next(cj) };
  }
  const replace = cj.spec.concurrencyPolicy === "Replace" ? active : [];
  const after: CronJob = { ...cj, status: { ...cj.status, lastScheduleTime: rfc3339(scheduled) } };
  return { kind: "start", scheduled, replace, events, requeueAfterMs: next(after) };
}

/** getJobFromTemplate2: the Job for a start time, owned by the CronJob, with the scheduled-timestamp annotation. */
export function jobFromTemplate(cj: CronJob, scheduled: number): Job {
  const t = structuredClone(cj.spec.jobTemplate);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobName(cj, scheduled),
      namespace: cj.metadata.namespace,
      labels: t.metadata?.labels,
      annotations: { ...t.metadata?.annotations, [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339In(scheduled, zoneOf(cj)) },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: t.spec,
  };
}

/** byJobStartTime: started before not started, earlier first, then by name. */
function compareStart(a: Job, b: Job): number {
  const sa = parseTime(a.status?.startTime);
  const sb = parseTime(b.status?.startTime);
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb || sa === undefined || sb === undefined) return (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
  return sa - sb;
}

/** cleanupFinishedJobs: the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
export function historyToDelete(cj: CronJob, jobs: Job[]): Job[] {
  const out: Job[] = [];
  const limits: [(j: Job) => boolean, number | undefined][] = [
    [succeeded, cj.spec.successfulJobsHistoryLimit],
    [failed, cj.spec.failedJobsHistoryLimit],
  ];
  for (const [which, limit] of limits) {
    if (limit === undefined || limit === null) continue;
    const done = jobs.filter((j) => !j.metadata.deletionTimestamp && which(j)).sort(compareStart);
    out.push(...done.slice(0, Math.max(0, done.length - limit)));
  }
  return out;
}
