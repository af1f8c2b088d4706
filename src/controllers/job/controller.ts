/**
 * The Job controller's loop, on the workload skeleton (foundation/owner-controller.ts): informers on Jobs and Pods
 * feed a work queue of Job keys; sync() reads the cache, claims the Job's pods (adopting matching orphans, releasing
 * pods that stop matching), asks reconcile.ts for the plan and applies it through the API: pods created from the
 * template (with the completion index of Indexed Jobs), pods deleted, status and events written, the Job deleted
 * once its ttlSecondsAfterFinished has passed (the TTL-after-finished controller's job, folded in here).
 * Expectations keep it from acting twice on a cache that has not yet seen its own writes; back-off, deadlines and
 * TTLs come back through queue.addAfter on the injected clock.
 */
import type { Job } from "../../api/batch-types.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import type { Pod } from "../../api/types.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { objectKey, splitKey } from "../foundation/informer.js";
import { PodOwnerController } from "../foundation/pod-owner-controller.js";
import { jobPod } from "./pod.js";
import { planJob, type JobPlan } from "./reconcile.js";

export class JobController extends PodOwnerController<Job> {
  constructor(ctx: ControllerContext) {
    super(ctx, "job-controller", "Job");
  }

  /** syncJob. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const job = this.owners.get(namespace, name);
    if (!job) {
      this.expectations.delete(key);
      return;
    }
    const owned = this.claim(job, this.pods.list(namespace));
    const manage = this.expectations.satisfied(key) && !job.metadata.deletionTimestamp;
    const plan = planJob(job, owned, this.ctx.clock.now(), manage);
    if (plan.deleteJob) return this.deleteFinished(job);
    const failures: string[] = [];
    this.deletePods(job, key, plan, failures);
    const notCreated = this.createPods(job, key, plan, failures);
    const status = notCreated ? { ...plan.status, active: Math.max(0, (plan.status.active ?? 0) - notCreated) || undefined } : plan.status;
    if (status.active === undefined) delete status.active;
    if (!deepEqual(status, job.status ?? {})) {
      const current = this.owners.get(namespace, name) ?? job;
      this.ctx.api.updateStatus<Job>({ ...current, status });
    }
    for (const e of plan.events) this.events.event(job, e.type, e.reason, e.message);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
    if (failures.length) throw new Error(failures[0]);
  }

  /** ttlSecondsAfterFinished passed: the Job goes, its pods with it (the TTL controller deletes in the foreground). */
  private deleteFinished(job: Job): void {
    try {
      this.ctx.api.delete("Job", job.metadata.namespace ?? "", job.metadata.name ?? "", { uid: job.metadata.uid, propagationPolicy: "Foreground" });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  private deletePods(job: Job, key: string, plan: JobPlan, failures: string[]): void {
    if (!plan.delete.length) return;
    this.expectations.expect(key, 0, plan.delete.map(objectKey));
    for (const pod of plan.delete) {
      try {
        this.ctx.api.delete("Pod", pod.metadata.namespace ?? "", pod.metadata.name ?? "", { uid: pod.metadata.uid });
        this.events.event(job, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
      } catch (err) {
        this.expectations.deletionObserved(key, objectKey(pod));
        if (err instanceof ApiError && err.code === 404) continue;
        const msg = `Error deleting: ${errorText(err)}`;
        failures.push(msg);
        this.events.event(job, "Warning", "FailedDelete", msg);
      }
    }
  }

  /** Creates the planned pods in slow-start batches (1, 2, 4...); returns how many were not created. */
  private createPods(job: Job, key: string, plan: JobPlan, failures: string[]): number {
    const todo = plan.create;
    if (!todo.length) return 0;
    this.expectations.expect(key, todo.length);
    let next = 0;
    let batch = 1;
    let notCreated = 0;
    while (next < todo.length) {
      const end = Math.min(next + batch, todo.length);
      let failed = false;
      for (; next < end; next++) {
        try {
          const pod = this.ctx.api.create<Pod>(jobPod(job, todo[next].index));
          this.events.event(job, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.creationObserved(key);
          const msg = `Error creating: ${errorText(err)}`;
          failures.push(msg);
          this.events.event(job, "Warning", "FailedCreate", msg);
          notCreated++;
          failed = true;
        }
      }
      if (failed) {
        const skipped = todo.length - next;
        for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
        return notCreated + skipped;
      }
      batch *= 2;
    }
    return 0;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The factory the controller manager takes. */
export function jobController(ctx: ControllerContext): Controller {
  return new JobController(ctx);
}
