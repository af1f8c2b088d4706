/** PUT of an object or its status: a replacement with optimistic concurrency on metadata.resourceVersion. */
import { asRouteObject, decodeBody } from "./body.js";
import { isDryRun, loadObject, requireVerb, respondObject } from "./common.js";
import { admitAndUpdate } from "./write.js";
export async function updateObject(call) {
    requireVerb(call, "update");
    const next = asRouteObject(call, await decodeBody(call));
    const old = loadObject(call);
    const stored = admitAndUpdate(call, next, old, { resourceVersion: next.metadata.resourceVersion, dryRun: isDryRun(call.query) });
    respondObject(call, 200, stored);
}
//# sourceMappingURL=update.js.map