/**
 * Deleting one object as the API server does: graceful for pods (graceful.ts), held by finalizers, removed otherwise.
 * Shared by the DELETE handlers and the namespace deletion that empties a namespace.
 */
import type { KubeObject, Pod } from "../api/types.js";
import { rfc3339 } from "../store/metadata.js";
import type { ServerContext } from "./context.js";
import { planPodDeletion } from "./graceful.js";

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
  if (plan.action === "mark") {
    next = { ...obj, metadata: { ...m, deletionTimestamp: plan.deletionTimestamp, deletionGracePeriodSeconds: plan.gracePeriodSeconds } };
  } else if ((m.finalizers?.length ?? 0) > 0) {
    // Finalizers hold the object: mark it with no grace left; the update removing the last finalizer deletes it.
    next = { ...obj, metadata: { ...m, deletionTimestamp: m.deletionTimestamp ?? rfc3339(new Date(ctx.now())), deletionGracePeriodSeconds: 0 } };
  }
  if (next) {
    if (opts.dryRun) return { object: next, kept: true };
    const firstMark = !m.deletionTimestamp;
    return { object: ctx.store.update(next, { bumpGeneration: firstMark, resourceVersion: m.resourceVersion }), kept: true };
  }
  if (opts.dryRun) return { object: obj, kept: false };
  return { object: ctx.store.delete(obj.kind, m.namespace ?? "", m.name ?? "", { uid: m.uid }), kept: false };
}
