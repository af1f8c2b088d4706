/**
 * The ReplicaSet controller's loop, on the workload skeleton (foundation/owner-controller.ts): informers on
 * ReplicaSets and Pods feed a work queue of ReplicaSet keys; sync() reads the cache, claims its pods (adopt/release
 * by their ownerReferences), asks reconcile.ts what to do, and applies it through the API ( create pods in slow-start batches, delete the least useful, write status). Expectations
 * keep it from acting twice on a cache that has not yet seen its own writes.
 */
import type { ReplicaSet } from "../../api/apps-types.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import type { Pod } from "../../api/types.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { objectKey, splitKey } from "../foundation/informer.js";
import { PodOwnerController } from "../foundation/pod-owner-controller.js";
import { isPodActive, isPodReady, podFromTemplate } from "../workload/pods.js";
import { replicaAction, replicaSetStatus } from "./reconcile.js";

export class ReplicaSetController extends PodOwnerController<ReplicaSet> {
  constructor(ctx: ControllerContext) {
    super(ctx, "replicaset-controller", "ReplicaSet");
  }

  /** A pod that just turned ready becomes available minReadySeconds later: look again then. */
  protected override podChanged(rs: ReplicaSet, old: Pod, pod: Pod): void {
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.queue.addAfter(objectKey(rs), minReady * 1000 + 1);
  }

  /** syncReplicaSet. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.owners.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const active = this.claim(rs, this.pods.list(namespace)).filter(isPodActive);
    let manageError: { reason: "FailedCreate" | "FailedDelete"; message: string } | undefined;
    if (needsSync) manageError = this.manage(rs, key, active);
    const now = this.ctx.clock.now();
    const status = replicaSetStatus(rs, active, now, manageError);
    if (!deepEqual(status, rs.status ?? {})) {
      const current = this.owners.get(namespace, name) ?? rs;
      this.ctx.api.updateStatus<ReplicaSet>({ ...current, status });
    }
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady > 0 && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0)) this.queue.addAfter(key, minReady * 1000);
    if (manageError) throw new Error(manageError.message);
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
