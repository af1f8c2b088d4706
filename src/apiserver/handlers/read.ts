/** GET of one object (and its status) and LIST of a collection, with selectors; `limit` is satisfied by one page. */
import type { KubeObject } from "../../api/types.js";
import { loadObject, requireVerb, respondList, respondObject, type Call } from "./common.js";

export function getObject(call: Call): void {
  requireVerb(call, "get");
  respondObject(call, 200, loadObject(call));
}

export function listObjects(call: Call): void {
  requireVerb(call, "list");
  const { route, query } = call;
  // limit/continue: everything fits in the first page, so no continue token is ever returned (allowed by the API).
  const { items, resourceVersion } = call.ctx.store.list<KubeObject>(route.info.kind, {
    namespace: route.info.namespaced ? route.namespace : undefined,
    labelSelector: query.get("labelSelector") ?? undefined,
    fieldSelector: query.get("fieldSelector") ?? undefined,
  });
  respondList(call, items, resourceVersion);
}
