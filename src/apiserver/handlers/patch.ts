/**
 * PATCH by Content-Type (https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/):
 * merge, JSON and strategic merge patches go through api/patch.ts, then the update path. Server-side apply
 * (application/apply-patch+yaml) is structured-merge-diff's apply with field ownership (api/managed-fields.ts):
 * it creates the object when it is missing (201), answers 409 on conflicts with other managers unless `force=true`.
 */
import { ApiError } from "../../api/errors.js";
import { applyConfiguration } from "../../api/managed-fields.js";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from "../../api/patch.js";
import type { KubeObject } from "../../api/types.js";
import { baseMediaType } from "../http.js";
import { asRouteObject, decodeBody } from "./body.js";
import { isDryRun, notFound, present, requireVerb, respondObject, storeNamespace, type Call } from "./common.js";
import { checkApplyOptions, fieldManagerRequest } from "./field-manager.js";
import { admitAndCreate, admitAndUpdate } from "./write.js";

const APPLY = "application/apply-patch+yaml";

export async function patchObject(call: Call): Promise<void> {
  requireVerb(call, "patch");
  const { ctx, route } = call;
  const type = baseMediaType(call.req.headers["content-type"]);
  if (!PATCHERS[type] && type !== APPLY) throw unsupported(type);
  checkApplyOptions(call, type === APPLY);
  const patch = await decodeBody(call);
  if (patch === undefined) throw ApiError.badRequest("the patch is empty");
  const dryRun = isDryRun(call.query);
  const old = ctx.store.get<KubeObject>(route.info.kind, storeNamespace(route), route.name ?? "");
  if (type === APPLY) return serverSideApply(call, patch, old, dryRun);
  if (!old) throw notFound(route, route.name ?? "");
  // The patch applies to the object as the route's version shows it (an autoscaling/v1 client patches v1 fields).
  const patched = asRouteObject(call, PATCHERS[type](present(call, old), patch, route.info.kind));
  // A patch that carries metadata.resourceVersion is a precondition on it (optimistic concurrency).
  const stored = admitAndUpdate(call, patched, old, { resourceVersion: patched.metadata.resourceVersion, dryRun });
  respondObject(call, 200, stored);
}

const PATCHERS: Record<string, (target: KubeObject, patch: unknown, kind: string) => unknown> = {
  "application/merge-patch+json": (t, p) => applyMergePatch(t, p),
  "application/json-patch+json": (t, p) => applyJsonPatch(t, p),
  "application/strategic-merge-patch+json": (t, p, kind) => applyStrategicMergePatch(t, p, kind),
};

function unsupported(type: string): ApiError {
  return new ApiError(
    "UnsupportedMediaType",
    `the body of the request was in an unknown format (${type || "none"}) - accepted media types include: application/json-patch+json, application/merge-patch+json, ${APPLY}, application/strategic-merge-patch+json`,
  );
}

function serverSideApply(call: Call, patch: unknown, old: KubeObject | undefined, dryRun: boolean): void {
  const config = asRouteObject(call, patch);
  const force = call.query.get("force") === "true";
  const applied = applyConfiguration(old, config, fieldManagerRequest(call), force);
  if (!old) {
    respondObject(call, 201, admitAndCreate(call, applied.object, dryRun, applied.managedFields));
    return;
  }
  // A converted version's configuration was converted above: the merge is already in the stored version.
  const merged = call.route.info.view ? applied.object : asRouteObject(call, applied.object);
  const stored = admitAndUpdate(call, merged, old, { resourceVersion: config.metadata.resourceVersion, dryRun, managedFields: applied.managedFields });
  respondObject(call, 200, stored);
}
