/** POST to a collection: create (201). `fieldValidation` and `fieldManager` are accepted; see README of the server. */
import { ApiError } from "../../api/errors.js";
import { asRouteObject, decodeBody } from "./body.js";
import { isDryRun, requireVerb, respondObject, type Call } from "./common.js";
import { admitAndCreate } from "./write.js";
import { monotonicMs } from "../../sys/start-trace.js";

export async function createObject(call: Call): Promise<void> {
  requireVerb(call, "create");
  if (call.route.info.namespaced && call.route.namespace === undefined) {
    throw new ApiError("MethodNotAllowed", "the server does not allow this method on the requested resource (create needs a namespace)");
  }
  const began = monotonicMs();
  const obj = asRouteObject(call, await decodeBody(call));
  const created = admitAndCreate(call, obj, isDryRun(call.query));
  // A pod's start begins with this request: the kubelet opened its trace when the create's watch event reached it.
  if (created.kind === "Pod" && created.metadata.uid) call.ctx.traces?.add(created.metadata.uid, "API: read, decode, admit, store the pod", began);
  respondObject(call, 201, created);
}
