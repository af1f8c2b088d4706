/**
 * DELETE of one object or of a collection. Options come from a DeleteOptions body and/or the query
 * (gracePeriodSeconds, propagationPolicy, dryRun, preconditions). Pods are deleted gracefully (graceful.ts);
 * objects with finalizers are only marked; namespaces are emptied first (namespaces.ts). propagationPolicy Foreground
 * and Orphan put the garbage collector's finalizer on the object (deletion.ts); its dependents are then deleted or
 * orphaned by controllers/gc.
 */
import { ApiError } from "../../api/errors.js";
import type { KubeObject } from "../../api/types.js";
import { isObject, queryInt, sendObject, successStatus } from "../http.js";
import { deleteNamespace } from "../namespaces.js";
import { decodeBody } from "./body.js";
import { isDryRun, loadObject, requireVerb, respondList, respondObject, type Call } from "./common.js";
import { deleteOne, type DeleteRequest } from "../deletion.js";
import { hookContext } from "./write.js";

const POLICIES = new Set(["Orphan", "Background", "Foreground"]);

/** Reads DeleteOptions from the query, then the body (the body wins). */
export async function deleteRequest(call: Call): Promise<DeleteRequest> {
  const body = await decodeBody(call);
  const opts = isObject(body) ? body : {};
  const grace = typeof opts.gracePeriodSeconds === "number" ? opts.gracePeriodSeconds : queryInt(call.query, "gracePeriodSeconds");
  const policy = typeof opts.propagationPolicy === "string" ? opts.propagationPolicy : call.query.get("propagationPolicy") ?? undefined;
  if (policy !== undefined && !POLICIES.has(policy)) {
    throw ApiError.badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const pre = isObject(opts.preconditions) ? opts.preconditions : {};
  return {
    gracePeriodSeconds: grace,
    preconditions: {
      uid: typeof pre.uid === "string" ? pre.uid : undefined,
      resourceVersion: typeof pre.resourceVersion === "string" ? pre.resourceVersion : undefined,
    },
    propagationPolicy: policy,
    dryRun: isDryRun(call.query, opts.dryRun),
  };
}

export async function deleteObject(call: Call): Promise<void> {
  requireVerb(call, "delete");
  const opts = await deleteRequest(call);
  const obj = loadObject(call);
  checkPreconditions(call, obj, opts);
  call.ctx.hooks.runDelete(obj, hookContext(call, opts.dryRun));
  if (obj.kind === "Namespace") {
    const result = deleteNamespace(call.ctx, obj, opts.dryRun);
    respondObject(call, 200, result);
    return;
  }
  const outcome = deleteOne(call.ctx, obj, opts);
  // Pods and services answer with the object (ReturnDeletedObject upstream), other kinds with a Status once gone.
  if (outcome.kept || obj.kind === "Pod" || obj.kind === "Service") respondObject(call, 200, outcome.object);
  else sendObject(call.res, 200, successStatus({ name: obj.metadata.name, group: call.route.info.group, kind: call.route.info.plural, uid: obj.metadata.uid }));
}

export async function deleteCollection(call: Call): Promise<void> {
  requireVerb(call, "deletecollection");
  const opts = await deleteRequest(call);
  const { route, query, ctx } = call;
  const { items } = ctx.store.list<KubeObject>(route.info.kind, {
    namespace: route.info.namespaced ? route.namespace : undefined,
    labelSelector: query.get("labelSelector") ?? undefined,
    fieldSelector: query.get("fieldSelector") ?? undefined,
  });
  const results: KubeObject[] = [];
  for (const obj of items) {
    if (obj.kind === "Namespace") results.push(deleteNamespace(ctx, obj, opts.dryRun));
    else results.push(deleteOne(ctx, obj, opts).object);
  }
  respondList(call, { items: results, resourceVersion: ctx.store.currentResourceVersion() });
}

/** DeleteOptions.preconditions against the stored object: Conflict when the uid or resourceVersion differs. */
export function checkPreconditions(call: Call, obj: KubeObject, opts: DeleteRequest): void {
  const { uid, resourceVersion } = opts.preconditions;
  const name = obj.metadata.name ?? "";
  if (uid && uid !== obj.metadata.uid) {
    throw ApiError.conflict(call.route.info.plural, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (resourceVersion && resourceVersion !== obj.metadata.resourceVersion) {
    throw ApiError.conflict(
      call.route.info.plural,
      name,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}
