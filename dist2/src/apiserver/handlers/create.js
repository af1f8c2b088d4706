/** POST to a collection: create (201). `fieldValidation` and `fieldManager` are accepted; see README of the server. */
import { ApiError } from "../../api/errors.js";
import { asRouteObject, decodeBody } from "./body.js";
import { isDryRun, requireVerb, respondObject } from "./common.js";
import { admitAndCreate } from "./write.js";
export async function createObject(call) {
    requireVerb(call, "create");
    if (call.route.info.namespaced && call.route.namespace === undefined) {
        throw new ApiError("MethodNotAllowed", "the server does not allow this method on the requested resource (create needs a namespace)");
    }
    const obj = asRouteObject(call, await decodeBody(call));
    respondObject(call, 201, admitAndCreate(call, obj, isDryRun(call.query)));
}
//# sourceMappingURL=create.js.map