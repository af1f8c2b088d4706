/**
 * The Job controller's loop, on the workload skeleton (foundation/owner-controller.ts): informers on Jobs and Pods
 * feed a work queue of Job keys; sync() reads the cache, claims the Job's pods (adopting matching orphans, releasing
 * pods that stop matching), asks reconcile.ts for the plan and applies it through the API: pods created from the
 * template (with the completion index of Indexed Jobs), pods deleted, status and events written, the Job deleted
 * once its ttlSecondsAfterFinished has passed (the TTL-after-finished controller's job, folded in here).
 * Expectations keep it from acting twice on a cache that has not yet seen its own writes; back-off, deadlines and
 * TTLs come back through queue.addAfter on the injected clock.
 *
 * Tracking with finalizers (tracking.ts): its pods carry the job-tracking finalizer; a sync first writes the status
 * with the newly ended pods' uids in uncountedTerminatedPods, then removes their finalizers, then moves the uids
 * whose pods no longer hold the finalizer into the counters. A second queue removes the finalizer from pods no Job
 * will count: orphans (released, or whose controller reference the garbage collector removed) and pods whose Job is
 * gone or finished.
 */
import { JOB_TRACKING_FINALIZER, type Job } from "../../api/batch-types.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import type { KubeObject, Pod } from "../../api/types.js";
import { runWorkers, type Controller, type ControllerContext } from "../foundation/controller.js";
import { objectKey, splitKey } from "../foundation/informer.js";
import { PodOwnerController } from "../foundation/pod-owner-controller.js";
import { WorkQueue } from "../foundation/work-queue.js";
import { controllerRef } from "../workload/pods.js";
import { jobPod } from "./pod.js";
import { finishedCondition, planJob, type JobPlan } from "./reconcile.js";
import { hasTrackingFinalizer, settleUncounted, withoutTrackingFinalizer, withTrackingFinalizer } from "./tracking.js";

export class JobController extends PodOwnerController<Job> {
  /** Keys of pods whose finalizer no Job will remove (syncOrphanPod). */
  private readonly orphans: WorkQueue<string>;
  /** Per Job key: uids of pods whose finalizer removal was sent and not yet seen (finalizerExpectations). */
  private readonly removing = new Map<string, Set<string>>();
  private orphansDone: Promise<void> | undefined;

  constructor(ctx: ControllerContext) {
    super(ctx, "job-controller", "Job");
    this.orphans = new WorkQueue<string>(ctx.clock);
  }

  override start(): void {
    super.start();
    this.orphansDone = runWorkers(`${this.name} (orphan pods)`, this.orphans, 1, (key) => this.syncOrphanPod(key), this.ctx.log);
  }

  override async stop(): Promise<void> {
    this.orphans.shutDown();
    await Promise.all([super.stop(), this.orphansDone]);
  }

  protected override watchDependents(): void {
    super.watchDependents();
    this.pods.addHandler({
      onAdd: (pod) => this.checkOrphan(pod),
      onUpdate: (old, pod) => {
        if (hasTrackingFinalizer(old) && !hasTrackingFinalizer(pod)) this.removalObserved(pod);
        this.checkOrphan(pod);
      },
      onDelete: (pod) => this.removalObserved(pod),
    });
    // A deleted Job's pods are counted by nobody: their finalizers go (the garbage collector deletes the pods).
    this.owners.addHandler({
      onDelete: (job) => {
        for (const pod of this.pods.byOwnerUid(job.metadata.uid ?? "")) if (hasTrackingFinalizer(pod)) this.orphans.add(objectKey(pod));
      },
    });
  }

  protected override ownerDeleted(key: string): void {
    super.ownerDeleted(key);
    this.removing.delete(key);
  }

  /** Adopting a pod also puts the tracking finalizer on it, so that it is counted. */
  protected override adoptedForm<D extends KubeObject>(owner: Job, dep: D): D {
    const pod = super.adoptedForm(owner, dep);
    return (pod.kind === "Pod" ? withTrackingFinalizer(pod as unknown as Pod) : pod) as D;
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
    const removing = new Set(this.removing.get(key));
    const plan = planJob(job, owned, this.ctx.clock.now(), manage, removing);
    const failures: string[] = [];
    if (plan.deleteJob) {
      this.removeFinalizers(key, plan.removeFinalizers, failures);
      if (failures.length) throw new Error(failures[0]);
      return this.deleteFinished(job);
    }
    this.deletePods(job, key, plan, failures);
    const notCreated = this.createPods(job, key, plan, failures);
    const status = notCreated ? { ...plan.status, active: Math.max(0, (plan.status.active ?? 0) - notCreated) || undefined } : plan.status;
    if (status.active === undefined) delete status.active;
    // 1. The ended pods' uids into uncountedTerminatedPods (with the rest of the status) before any finalizer goes.
    let current = this.owners.get(namespace, name) ?? job;
    if (!deepEqual(status, job.status ?? {})) current = this.ctx.api.updateStatus<Job>({ ...current, status });
    // 2. Their finalizers off. 3. Uids whose pods hold no finalizer any more into succeeded/failed.
    const removed = this.removeFinalizers(key, plan.removeFinalizers, failures);
    const held = new Set(owned.filter((p) => hasTrackingFinalizer(p) && !removing.has(p.metadata.uid ?? "") && !removed.has(p.metadata.uid ?? "")).map((p) => p.metadata.uid ?? ""));
    const settled = settleUncounted(current.status ?? {}, held);
    if (settled !== current.status) this.ctx.api.updateStatus<Job>({ ...current, status: settled });
    for (const e of plan.events) this.events.event(job, e.type, e.reason, e.message);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
    if (failures.length) throw new Error(failures[0]);
  }

  /**
   * Removes the tracking finalizer from `pods` (each read again from the API, so a concurrent status write is no
   * conflict). Returns the uids done (or gone); failures are recorded.
   */
  private removeFinalizers(key: string, pods: Pod[], failures: string[]): Set<string> {
    const done = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata.uid ?? "";
      let expecting = this.removing.get(key);
      if (!expecting) this.removing.set(key, (expecting = new Set()));
      expecting.add(uid);
      try {
        this.dropFinalizer(pod);
        done.add(uid);
      } catch (err) {
        expecting.delete(uid);
        failures.push(`Error removing the ${JOB_TRACKING_FINALIZER} finalizer from pod ${pod.metadata.name}: ${errorText(err)}`);
      }
    }
    return done;
  }

  /** Updates the pod without the finalizer through the API; a pod gone (or replaced under its name) needs nothing. */
  private dropFinalizer(pod: Pod): void {
    const fresh = this.ctx.api.get<Pod>("Pod", pod.metadata.namespace ?? "", pod.metadata.name ?? "");
    if (!fresh || fresh.metadata.uid !== pod.metadata.uid || !hasTrackingFinalizer(fresh)) return;
    try {
      this.ctx.api.update<Pod>(withoutTrackingFinalizer(fresh));
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }

  /** The informer saw a pod lose its finalizer (or go): a removal in flight for its Job is done. */
  private removalObserved(pod: Pod): void {
    const ref = controllerRef(pod);
    if (ref) this.removing.get(`${pod.metadata.namespace ?? ""}/${ref.name}`)?.delete(pod.metadata.uid ?? "");
  }

  /** A pod with the finalizer that no Job's sync will count: queued for syncOrphanPod. */
  private checkOrphan(pod: Pod): void {
    if (!hasTrackingFinalizer(pod)) return;
    const ref = controllerRef(pod);
    if (ref && ref.kind !== "Job") return;
    const job = ref ? this.ownerOf(pod) : undefined;
    if (!job || finishedCondition(job)) this.orphans.add(objectKey(pod));
  }

  /** syncOrphanPod: removes the finalizer of a pod still without a live, unfinished Job controlling it. */
  private syncOrphanPod(key: string): void {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRef(pod);
    if (ref) {
      // Controlled by something other than a Job: not ours to touch.
      if (ref.kind !== "Job" || !ref.apiVersion.startsWith("batch/")) return;
      const job = this.ownerOf(pod);
      // Adopted by (or still owned by) a running Job: its sync counts the pod.
      if (job && !finishedCondition(job)) return;
    }
    this.dropFinalizer(pod);
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
