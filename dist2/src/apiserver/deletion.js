import { rfc3339 } from "../store/metadata.js";
import { planPodDeletion } from "./graceful.js";
/**
 * Deletes or marks one object. Returns the object as it now is and whether it is still there (graceful deletion
 * pending, or finalizers left).
 */
export function deleteOne(ctx, obj, opts) {
    const m = obj.metadata;
    const plan = obj.kind === "Pod" ? planPodDeletion(obj, opts.gracePeriodSeconds, ctx.now()) : { action: "remove" };
    if (plan.action === "unchanged")
        return { object: obj, kept: true };
    let next;
    if (plan.action === "mark") {
        next = { ...obj, metadata: { ...m, deletionTimestamp: plan.deletionTimestamp, deletionGracePeriodSeconds: plan.gracePeriodSeconds } };
    }
    else if ((m.finalizers?.length ?? 0) > 0) {
        // Finalizers hold the object: mark it with no grace left; the update removing the last finalizer deletes it.
        next = { ...obj, metadata: { ...m, deletionTimestamp: m.deletionTimestamp ?? rfc3339(new Date(ctx.now())), deletionGracePeriodSeconds: 0 } };
    }
    if (next) {
        if (opts.dryRun)
            return { object: next, kept: true };
        const firstMark = !m.deletionTimestamp;
        return { object: ctx.store.update(next, { bumpGeneration: firstMark, resourceVersion: m.resourceVersion }), kept: true };
    }
    if (opts.dryRun)
        return { object: obj, kept: false };
    return { object: ctx.store.delete(obj.kind, m.namespace ?? "", m.name ?? "", { uid: m.uid }), kept: false };
}
//# sourceMappingURL=deletion.js.map