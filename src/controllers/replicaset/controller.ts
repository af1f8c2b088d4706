/**
 * The ReplicaSet controller's loop: informers on ReplicaSets and Pods feed a work queue of ReplicaSet keys; sync()
 * reads the cache, asks reconcile.ts what to do, and applies it through the API (adopt/release by updating the
 * pod's ownerReferences, create pods in slow-start batches, delete the least useful, write status). Expectations
 * keep it from acting twice on a cache that has not yet seen its own writes.
 */
import type { ReplicaSet } from "../../api/apps-types.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import type { Pod } from "../../api/types.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { runWorkers } from "../foundation/controller.js";
import type { EventRecorder } from "../foundation/events.js";
import { Expectations } from "../foundation/expectations.js";
import { objectKey, splitKey, type Informer } from "../foundation/informer.js";
import { WorkQueue } from "../foundation/work-queue.js";
import { controllerRef, isPodReady, newControllerRef, podFromTemplate } from "../workload/pods.js";
import { activeOwned, claimPods, replicaAction, replicaSetStatus } from "./reconcile.js";

const WORKERS = 5;

export class ReplicaSetController implements Controller {
  readonly name = "replicaset-controller";
  private readonly queue: WorkQueue<string>;
  private readonly expectations: Expectations;
  private readonly sets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly events: EventRecorder;
  private done: Promise<void> | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue<string>(ctx.clock);
    this.expectations = new Expectations(ctx.clock);
    this.sets = ctx.informers.informer<ReplicaSet>("ReplicaSet");
    this.pods = ctx.informers.informer<Pod>("Pod");
    this.events = ctx.recorder(this.name);
  }

  start(): void {
    this.sets.addHandler({
      onAdd: (rs) => this.queue.add(objectKey(rs)),
      onUpdate: (_, rs) => this.queue.add(objectKey(rs)),
      onDelete: (rs) => {
        this.expectations.delete(objectKey(rs));
        this.queue.add(objectKey(rs));
      },
    });
    this.pods.addHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (pod) => this.podDeleted(pod),
    });
    this.done = runWorkers(this.name, this.queue, WORKERS, (key) => this.sync(key), this.ctx.log);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.done;
  }

  /** The ReplicaSet a pod's controllerRef names, if it is one of ours and still the same object. */
  private owner(pod: Pod): ReplicaSet | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== "ReplicaSet") return undefined;
    const rs = this.sets.get(pod.metadata.namespace ?? "", ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets of the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private matching(pod: Pod): ReplicaSet[] {
    return this.sets.list(pod.metadata.namespace ?? "").filter((rs) => claimPods(rs, [pod]).adopt.length > 0);
  }

  private podAdded(pod: Pod): void {
    const rs = this.owner(pod);
    if (rs) {
      this.expectations.creationObserved(objectKey(rs));
      this.queue.add(objectKey(rs));
    } else if (!controllerRef(pod)) for (const m of this.matching(pod)) this.queue.add(objectKey(m));
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const oldRs = this.owner(old);
    const rs = this.owner(pod);
    if (oldRs && oldRs !== rs) this.queue.add(objectKey(oldRs));
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp && rs) this.expectations.deletionObserved(objectKey(rs), objectKey(pod));
    if (rs) {
      this.queue.add(objectKey(rs));
      // A pod that just turned ready becomes available minReadySeconds later: look again then.
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(objectKey(rs), minReady * 1000 + 1);
    } else if (!controllerRef(pod) && !deepEqual(old.metadata.labels, pod.metadata.labels)) {
      for (const m of this.matching(pod)) this.queue.add(objectKey(m));
    }
  }

  private podDeleted(pod: Pod): void {
    const rs = this.owner(pod);
    if (!rs) return;
    this.expectations.deletionObserved(objectKey(rs), objectKey(pod));
    this.queue.add(objectKey(rs));
  }

  /** syncReplicaSet. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.sets.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const claims = claimPods(rs, this.pods.list(namespace));
    this.claim(rs, claims.adopt, claims.release);
    const active = activeOwned(claims);
    let manageError: { reason: "FailedCreate" | "FailedDelete"; message: string } | undefined;
    if (needsSync) manageError = this.manage(rs, key, active);
    const now = this.ctx.clock.now();
    const status = replicaSetStatus(rs, active, now, manageError);
    if (!deepEqual(status, rs.status ?? {})) {
      const current = this.sets.get(namespace, name) ?? rs;
      this.ctx.api.updateStatus<ReplicaSet>({ ...current, status });
    }
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady > 0 && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0)) this.queue.addAfter(key, minReady * 1000);
    if (manageError) throw new Error(manageError.message);
  }

  /** Adoption sets our controllerRef on an orphan; release removes it from a pod that stopped matching. */
  private claim(rs: ReplicaSet, adopt: Pod[], release: Pod[]): void {
    const ref = newControllerRef(rs);
    for (const pod of adopt) {
      this.writePod({ ...pod, metadata: { ...pod.metadata, ownerReferences: [...(pod.metadata.ownerReferences ?? []), ref] } });
    }
    for (const pod of release) {
      const refs = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
      this.writePod({ ...pod, metadata: { ...pod.metadata, ownerReferences: refs.length ? refs : undefined } });
    }
  }

  /** An ownerReferences change on a pod, on the version we read; a pod deleted meanwhile is skipped. */
  private writePod(pod: Pod): void {
    try {
      this.ctx.api.update<Pod>(pod);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }

  /** manageReplicas: creates or deletes; returns the failure to report in status, if any. */
  private manage(rs: ReplicaSet, key: string, active: Pod[]): { reason: "FailedCreate" | "FailedDelete"; message: string } | undefined {
    const action = replicaAction(rs, active);
    if (action.kind === "create") {
      this.expectations.expect(key, action.count);
      const err = this.createPods(rs, key, action.count);
      return err ? { reason: "FailedCreate", message: err } : undefined;
    }
    if (action.kind === "delete") {
      this.expectations.expect(key, 0, action.pods.map(objectKey));
      let failure: string | undefined;
      for (const pod of action.pods) {
        try {
          this.ctx.api.delete("Pod", pod.metadata.namespace ?? "", pod.metadata.name ?? "", { uid: pod.metadata.uid });
          this.events.event(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, objectKey(pod));
          if (err instanceof ApiError && err.code === 404) continue;
          failure = `Error deleting: ${errorText(err)}`;
          this.events.event(rs, "Warning", "FailedDelete", failure);
        }
      }
      return failure ? { reason: "FailedDelete", message: failure } : undefined;
    }
    return undefined;
  }

  /**
   * slowStartBatch: 1, 2, 4... pods at a time; a batch with a failure ends it (the rest are not attempted and their
   * expectations are lowered), so a quota or admission error costs one request, not hundreds.
   */
  private createPods(rs: ReplicaSet, key: string, count: number): string | undefined {
    let remaining = count;
    let batch = 1;
    while (remaining > 0) {
      const n = Math.min(batch, remaining);
      let failure: string | undefined;
      for (let i = 0; i < n; i++) {
        try {
          const pod = this.ctx.api.create<Pod>(podFromTemplate(rs, rs.spec.template));
          this.events.event(rs, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.creationObserved(key);
          failure = `Error creating: ${errorText(err)}`;
          this.events.event(rs, "Warning", "FailedCreate", failure);
        }
      }
      remaining -= n;
      if (failure) {
        for (let i = 0; i < remaining; i++) this.expectations.creationObserved(key);
        return failure;
      }
      batch *= 2;
    }
    return undefined;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The factory the controller manager takes. */
export function replicaSetController(ctx: ControllerContext): Controller {
  return new ReplicaSetController(ctx);
}
