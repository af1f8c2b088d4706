/**
 * The `scale` subresource of Deployments, ReplicaSets and StatefulSets: GET answers an autoscaling/v1 Scale; PUT and PATCH take a
 * Scale (or a patch of one), write its replica count into the parent's spec through the parent's update path, and
 * answer the new Scale (pkg/registry/apps/deployment/storage ScaleREST). `kubectl scale` PATCHes it.
 */
import { scaleOf, validateScale, withScale } from "../../api/apps.js";
import type { Deployment, ReplicaSet, Scale, StatefulSet } from "../../api/apps-types.js";
import { ApiError } from "../../api/errors.js";
import { isObject } from "../../api/json.js";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from "../../api/patch.js";
import { baseMediaType } from "../http.js";
import { decodeBody } from "./body.js";
import { isDryRun, loadObject, respondObject, type Call } from "./common.js";
import { admitAndUpdate } from "./write.js";

type Scalable = Deployment | ReplicaSet | StatefulSet;

const PATCHERS: Record<string, (target: Scale, patch: unknown) => unknown> = {
  "application/merge-patch+json": (t, p) => applyMergePatch(t, p),
  "application/json-patch+json": (t, p) => applyJsonPatch(t, p),
  "application/strategic-merge-patch+json": (t, p) => applyStrategicMergePatch(t, p, "Scale"),
};

export async function serveScale(call: Call, method: string): Promise<void> {
  const obj = loadObject<Scalable>(call);
  if (method === "GET") return respondObject(call, 200, scaleOf(obj));
  const body = await decodeBody(call);
  let next: unknown;
  if (method === "PUT") next = body;
  else if (method === "PATCH") {
    const type = baseMediaType(call.req.headers["content-type"]);
    const patcher = PATCHERS[type];
    if (!patcher) throw new ApiError("UnsupportedMediaType", `the body of the request was in an unknown format (${type || "none"})`);
    next = patcher(scaleOf(obj), body);
  } else {
    throw new ApiError("MethodNotAllowed", "the server does not allow this method on the requested resource");
  }
  if (!isObject(next)) throw ApiError.badRequest("the request body must be a JSON object");
  const scale = next as unknown as Scale;
  if (scale.kind !== undefined && scale.kind !== "Scale") throw ApiError.badRequest(`the body must be a Scale, not ${String(scale.kind)}`);
  const errs = validateScale(scale);
  if (errs.length) throw ApiError.invalid("Scale", obj.metadata.name ?? "", errs);
  const rv = typeof scale.metadata?.resourceVersion === "string" ? scale.metadata.resourceVersion : undefined;
  const stored = admitAndUpdate(call, withScale(obj, scale), obj, { resourceVersion: rv, dryRun: isDryRun(call.query) });
  respondObject(call, 200, scaleOf(stored as Scalable));
}
