/**
 * POST …/pods/NAME/binding: the Binding subresource the scheduler binds pods through (BindingREST.Create). The
 * Binding must name the pod of the URL and a Node; a pod already bound, being deleted or gated is a 409 Conflict on
 * pods/binding. Answers 201 with a success Status.
 */
import { ApiError } from "../../api/errors.js";
import { readBinding } from "../../api/pod-binding.js";
import type { Status } from "../../api/types.js";
import { rfc3339 } from "../../store/metadata.js";
import { bindPodInStore } from "../../store/pod-binding.js";
import { sendObject } from "../http.js";
import { decodeBody } from "./body.js";
import { isDryRun, storeNamespace, type Call } from "./common.js";

export async function bindPod(call: Call): Promise<void> {
  if (call.req.method !== "POST") throw new ApiError("MethodNotAllowed", "the server does not allow this method on the requested resource");
  const name = call.route.name ?? "";
  const binding = readBinding(await decodeBody(call), name);
  bindPodInStore(call.ctx.store, {
    namespace: storeNamespace(call.route),
    name,
    node: binding.target.name!,
    annotations: binding.metadata.annotations,
    uid: binding.metadata.uid,
    now: rfc3339(new Date(call.ctx.now())),
    dryRun: isDryRun(call.query),
  });
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
  sendObject(call.res, 201, status);
}
