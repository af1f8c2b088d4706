/**
 * The snapshot a scheduling cycle reads, built from plain lists of API objects: the scheduler cache (cache.ts) loaded
 * with them, so a snapshot from lists (tests, one-off callers) and the running scheduler's agree by construction.
 */
import type { StorageClass } from "../api/storage-class.js";
import type { LabelSelector, Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../api/types.js";
import { SchedulerCache } from "./cache.js";
import type { Snapshot } from "./types.js";

export { allocatableOf, holdsNode, nodeInfoOf } from "./node-info.js";

export interface SnapshotObjects {
  nodes: readonly Node[];
  pods: readonly Pod[];
  namespaces?: readonly { metadata: { name?: string; labels?: Record<string, string> } }[];
  services?: readonly { metadata: { namespace?: string; name?: string }; spec?: { selector?: Record<string, string> } }[];
  /** ReplicationControllers, ReplicaSets and StatefulSets (their selectors). */
  controllers?: readonly { kind: string; metadata: { namespace?: string; name?: string }; spec?: { selector?: LabelSelector | Record<string, string> } }[];
  claims?: readonly PersistentVolumeClaim[];
  volumes?: readonly PersistentVolume[];
  classes?: readonly StorageClass[];
}

/** Builds the snapshot from lists of objects. */
export function buildSnapshot(o: SnapshotObjects): Snapshot {
  const cache = new SchedulerCache();
  const add = (kind: string, objs: readonly unknown[] | undefined) => {
    for (const object of objs ?? []) cache.apply(kind, { type: "ADDED", object: object as Pod });
  };
  add("Node", o.nodes);
  add("Pod", o.pods);
  add("Namespace", o.namespaces);
  add("Service", o.services);
  for (const c of o.controllers ?? []) cache.apply(c.kind, { type: "ADDED", object: c });
  add("PersistentVolumeClaim", o.claims);
  add("PersistentVolume", o.volumes);
  add("StorageClass", o.classes);
  return cache.snapshot();
}
