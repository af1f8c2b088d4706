/**
 * The CronJob controller's loop (cronjob_controllerv2.go), on the workload skeleton: informers on CronJobs and Jobs
 * feed a queue of CronJob keys; sync() brings the active list up to date with the Jobs it owns (asking the API
 * before dropping a Job the cache has not seen), then asks reconcile.ts whether a start time is due and applies it:
 * with Replace the running Jobs are deleted first, the Job NAME-<minutes> is created (AlreadyExists means a previous
 * sync made it), status written, finished Jobs beyond the history limits deleted, and the key queued again for the
 * next start time on the injected clock.
 */
import type { CronJob, Job } from "../../api/batch-types.js";
import type { ObjectReference } from "../../api/types.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { splitKey, type Informer } from "../foundation/informer.js";
import { OwnerController } from "../foundation/owner-controller.js";
import { controllerRef } from "../workload/pods.js";
import { decideSchedule, historyToDelete, jobFromTemplate, jobRef, reconcileActive, type CronEvent } from "./reconcile.js";
import { rfc3339 } from "../../api/time.js";

/** A CronJob as the skeleton's owner type: it selects no dependents by labels (its Jobs are found by controllerRef). */
type CronJobOwner = CronJob & { spec: { selector?: undefined } };

export class CronJobController extends OwnerController<CronJobOwner> {
  private readonly jobs: Informer<Job>;

  constructor(ctx: ControllerContext) {
    super(ctx, "cronjob-controller", "CronJob");
    this.jobs = ctx.informers.informer<Job>("Job");
  }

  protected override watchDependents(): void {
    const owner = (job: Job) => {
      const cj = this.ownerOf(job);
      if (cj) this.enqueue(cj);
    };
    this.jobs.addHandler({
      onAdd: owner,
      onUpdate: (old, job) => {
        const before = this.ownerOf(old);
        if (before && controllerRef(job)?.uid !== before.metadata.uid) this.enqueue(before);
        owner(job);
      },
      onDelete: owner,
    });
  }

  /** syncCronJob. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cj = this.owners.get(namespace, name);
    if (!cj) return;
    const now = this.ctx.clock.now();
    const jobs = this.jobs.list(namespace).filter((j) => controllerRef(j)?.uid === cj.metadata.uid);
    const r = reconcileActive(cj, jobs);
    const events: CronEvent[] = [...r.events];
    let active = r.active;
    for (const ref of r.unseen) {
      // The cache may lag behind a Job just created: only one the API does not know is gone.
      if (!this.ctx.api.get<Job>("Job", namespace, ref.name ?? "")) {
        events.push({ type: "Normal", reason: "MissingJob", message: `Active job went missing: ${ref.name}` });
        active = active.filter((a) => a.uid !== ref.uid);
      }
    }
    let status = { ...cj.status, active: active.length ? active : undefined, lastSuccessfulTime: r.lastSuccessfulTime };
    let requeue: number | undefined;
    let failure: string | undefined;
    if (!cj.metadata.deletionTimestamp) {
      const decision = decideSchedule({ ...cj, status }, now);
      events.push(...decision.events);
      requeue = decision.requeueAfterMs;
      if (decision.kind === "start") {
        for (const ref of decision.replace) {
          if (!this.deleteJob(cj, ref, events)) {
            failure = `could not replace job ${namespace}/${ref.name}`;
            break;
          }
          active = active.filter((a) => a.uid !== ref.uid);
        }
        status = { ...status, active: active.length ? active : undefined };
        if (!failure) {
          const started = this.startJob(cj, decision.scheduled, events);
          if (started.error) failure = started.error;
          else {
            if (started.ref && !active.some((a) => a.uid === started.ref?.uid)) active = [...active, started.ref];
            status = { ...status, active: active.length ? active : undefined, lastScheduleTime: rfc3339(decision.scheduled) };
          }
        }
      }
    }
    const clean = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
    if (!deepEqual(clean, cj.status ?? {})) {
      const current = this.owners.get(namespace, name) ?? cj;
      this.ctx.api.updateStatus<CronJob>({ ...current, status: clean });
    }
    for (const old of historyToDelete(cj, jobs)) this.deleteJob(cj, jobRef(old), events);
    for (const e of events) this.events.event(cj, e.type, e.reason, e.message);
    if (requeue !== undefined) this.queue.addAfter(key, requeue);
    if (failure) throw new Error(failure);
  }

  /** Creates the Job for a start time; AlreadyExists is fine when it is ours (a previous sync made it). */
  private startJob(cj: CronJob, scheduled: number, events: CronEvent[]): { ref?: ObjectReference; error?: string } {
    const want = jobFromTemplate(cj, scheduled);
    try {
      const job = this.ctx.api.create<Job>(want);
      events.push({ type: "Normal", reason: "SuccessfulCreate", message: `Created job ${job.metadata.name}` });
      return { ref: jobRef(job) };
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) {
        const existing = this.ctx.api.get<Job>("Job", cj.metadata.namespace ?? "", want.metadata.name ?? "");
        if (existing && controllerRef(existing)?.uid === cj.metadata.uid) return { ref: jobRef(existing) };
        return {};
      }
      const msg = `Error creating job: ${err instanceof Error ? err.message : String(err)}`;
      events.push({ type: "Warning", reason: "FailedCreate", message: msg });
      return { error: msg };
    }
  }

  /** deleteJob: in the background (the garbage collector removes its pods); true when it is gone or going. */
  private deleteJob(cj: CronJob, ref: ObjectReference, events: CronEvent[]): boolean {
    try {
      this.ctx.api.delete("Job", cj.metadata.namespace ?? "", ref.name ?? "", { uid: ref.uid, propagationPolicy: "Background" });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) {
        events.push({ type: "Warning", reason: "FailedDelete", message: `Deleted job: ${err instanceof Error ? err.message : String(err)}` });
        return false;
      }
    }
    events.push({ type: "Normal", reason: "SuccessfulDelete", message: `Deleted job ${ref.name}` });
    return true;
  }
}

/** The factory the controller manager takes. */
export function cronJobController(ctx: ControllerContext): Controller {
  return new CronJobController(ctx);
}
