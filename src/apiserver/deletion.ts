/**
 * Deleting one object as the API server does: graceful for pods (graceful.ts), held by finalizers, removed otherwise.
 * Shared by the DELETE handlers, the in-process API of the controllers and the namespace deletion that empties a
 * namespace.
 *
 * Deletion propagation (DeleteOptions.propagationPolicy, for every kind but pods): `Foreground` adds the
 * `foregroundDeletion` finalizer and `Orphan` the `orphan` finalizer, and marks the object deleted; the garbage
 * collector (controllers/gc) then deletes the dependents (blocking ones first) or removes their ownerReferences,
 * and removes the finalizer, which deletes the object. `Background` (the default) deletes the object at once and
 * the collector deletes its dependents afterwards, as dangling.
 */
import { holdForFinalizers } from "../api/finalizers.js";
import type { KubeObject, Pod } from "../api/types.js";
import { rfc3339 } from "../store/metadata.js";
import type { ServerContext } from "./context.js";
import { planPodDeletion } from "./graceful.js";

/** The finalizer each non-default propagation policy puts on the object it deletes. */
const PROPAGATION_FINALIZERS: Record<string, string> = { Foreground: "foregroundDeletion", Orphan: "orphan" };

/** DeleteOptions, as read from the query and body of a DELETE. */
export interface DeleteRequest {
  gracePeriodSeconds?: number;
  preconditions: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  dryRun: boolean;
}

/**
 * Deletes or marks one object. Returns the object as it now is and whether it is still there (graceful deletion
 * pending, or finalizers left).
 */
export function deleteOne(ctx: ServerContext, obj: KubeObject, opts: DeleteRequest): { object: KubeObject; kept: boolean } {
  const m = obj.metadata;
  const plan =
    obj.kind === "Pod" ? planPodDeletion(obj as Pod, opts.gracePeriodSeconds, ctx.now()) : ({ action: "remove" } as const);
  if (plan.action === "unchanged") return { object: obj, kept: true };
  let next: KubeObject | undefined;
  const gcFinalizer = obj.kind === "Pod" ? undefined : PROPAGATION_FINALIZERS[opts.propagationPolicy ?? ""];
  if (gcFinalizer && !m.deletionTimestamp) {
    const finalizers = [...(m.finalizers ?? []).filter((f) => !Object.values(PROPAGATION_FINALIZERS).includes(f)), gcFinalizer];
    next = { ...obj, metadata: { ...m, finalizers, deletionTimestamp: rfc3339(new Date(ctx.now())), deletionGracePeriodSeconds: 0 } };
  } else if (plan.action === "mark") {
    next = { ...obj, metadata: { ...m, deletionTimestamp: plan.deletionTimestamp, deletionGracePeriodSeconds: plan.gracePeriodSeconds } };
  } else {
    const hold = holdForFinalizers(obj, rfc3339(new Date(ctx.now())));
    if (hold.held) {
      // Already marked with no grace left: nothing to write (a repeated final delete changes nothing).
      if (!hold.marked) return { object: obj, kept: true };
      next = hold.marked;
    }
  }
  if (next) {
    if (opts.dryRun) return { object: next, kept: true };
    const firstMark = !m.deletionTimestamp;
    return { object: ctx.store.update(next, { bumpGeneration: firstMark, resourceVersion: m.resourceVersion }), kept: true };
  }
  if (opts.dryRun) return { object: obj, kept: false };
  return { object: ctx.store.delete(obj.kind, m.namespace ?? "", m.name ?? "", { uid: m.uid }), kept: false };
}
