/**
 * An owner controller whose dependents are pods it creates and deletes itself (ReplicaSet, Job): the pod informer's
 * events are turned into owner keys, and the controller's create/delete expectations are observed from them, as
 * client-go's ReplicaSet and Job controllers both do.
 */
import { deepEqual } from "../../api/json.js";
import type { Pod } from "../../api/types.js";
import { controllerRef } from "../workload/pods.js";
import type { ControllerContext } from "./controller.js";
import { Expectations } from "./expectations.js";
import { objectKey, type Informer } from "./informer.js";
import { OwnerController, type SelectorOwner } from "./owner-controller.js";

export abstract class PodOwnerController<T extends SelectorOwner> extends OwnerController<T> {
  protected readonly expectations: Expectations;
  protected readonly pods: Informer<Pod>;

  constructor(ctx: ControllerContext, name: string, kind: string) {
    super(ctx, name, kind);
    this.expectations = new Expectations(ctx.clock);
    this.pods = ctx.informers.informer<Pod>("Pod");
  }

  protected override watchDependents(): void {
    this.pods.addHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (pod) => this.podDeleted(pod),
    });
  }

  protected override ownerDeleted(key: string): void {
    this.expectations.delete(key);
  }

  /** A pod of `owner` changed (a new resourceVersion); the owner is queued already. */
  protected podChanged(_owner: T, _old: Pod, _pod: Pod): void {
    // Most owners need nothing more.
  }

  private podAdded(pod: Pod): void {
    const owner = this.ownerOf(pod);
    if (owner) {
      this.expectations.creationObserved(objectKey(owner));
      this.enqueue(owner);
    } else if (!controllerRef(pod)) for (const m of this.matchingOwners(pod)) this.enqueue(m);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const oldOwner = this.ownerOf(old);
    const owner = this.ownerOf(pod);
    if (oldOwner && oldOwner !== owner) this.enqueue(oldOwner);
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp && owner) {
      this.expectations.deletionObserved(objectKey(owner), objectKey(pod));
    }
    if (owner) {
      this.enqueue(owner);
      this.podChanged(owner, old, pod);
    } else if (!controllerRef(pod) && !deepEqual(old.metadata.labels, pod.metadata.labels)) {
      for (const m of this.matchingOwners(pod)) this.enqueue(m);
    }
  }

  private podDeleted(pod: Pod): void {
    const owner = this.ownerOf(pod);
    if (!owner) return;
    this.expectations.deletionObserved(objectKey(owner), objectKey(pod));
    this.enqueue(owner);
  }
}
