import { ApiError } from "../../api/errors.js";
import { apiVersionOf } from "../../api/resources.js";
import { sendJson } from "../http.js";
import { negotiateObject } from "../negotiate.js";
import { partialObjectMetadata, printerFor, toTable } from "../../api/tables/index.js";
/** The namespace the store files this route's objects under: "" for cluster-scoped kinds. */
export function storeNamespace(route) {
    return route.info.namespaced ? route.namespace ?? "" : "";
}
export function notFound(route, name) {
    return ApiError.notFound(route.info.plural, name, route.info.group);
}
/** The object the route names; ApiError NotFound when absent. */
export function loadObject(call) {
    const { route } = call;
    const obj = call.ctx.store.get(route.info.kind, storeNamespace(route), route.name ?? "");
    if (!obj)
        throw notFound(route, route.name ?? "");
    return obj;
}
/** Which object rows of a Table carry (`includeObject`, default Metadata). */
export function includeObject(query) {
    const v = query.get("includeObject");
    return v === "Object" || v === "None" ? v : "Metadata";
}
/** Answers one object as JSON, a one-row Table or PartialObjectMetadata, per the Accept header. */
export function respondObject(call, code, obj) {
    const want = negotiateObject(call.req.headers.accept);
    if (want.shape === "table") {
        const table = toTable(printerFor(obj.kind), [obj], {
            version: want.version,
            includeObject: includeObject(call.query),
            resourceVersion: obj.metadata.resourceVersion,
            now: call.ctx.now(),
        });
        sendJson(call.res, code, table);
    }
    else if (want.shape === "partial") {
        sendJson(call.res, code, partialObjectMetadata(obj, want.version));
    }
    else {
        sendJson(call.res, code, obj);
    }
}
/**
 * Answers a list (or one page of it) in the negotiated shape, stamped with its resourceVersion and, for a page that
 * stops early, the continue token and remainingItemCount in the list metadata (Tables carry them too).
 */
export function respondList(call, list) {
    const want = negotiateObject(call.req.headers.accept);
    const info = call.route.info;
    const { items, resourceVersion } = list;
    const metadata = { resourceVersion };
    if (list.continue)
        metadata.continue = list.continue;
    if (list.remainingItemCount !== undefined)
        metadata.remainingItemCount = list.remainingItemCount;
    if (want.shape === "table") {
        const opts = { version: want.version, includeObject: includeObject(call.query), resourceVersion, now: call.ctx.now() };
        sendJson(call.res, 200, { ...toTable(printerFor(info.kind), items, opts), metadata });
    }
    else if (want.shape === "partial") {
        const head = { kind: "PartialObjectMetadataList", apiVersion: `meta.k8s.io/${want.version}`, metadata };
        sendJson(call.res, 200, { ...head, items: items.map((o) => partialObjectMetadata(o, want.version)) });
    }
    else {
        sendJson(call.res, 200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata, items });
    }
}
/** `dryRun=All` in the query (or in DeleteOptions): run everything but the store write. */
export function isDryRun(query, fromBody) {
    const values = [...query.getAll("dryRun"), ...(Array.isArray(fromBody) ? fromBody : [])];
    for (const v of values) {
        if (v !== "All")
            throw ApiError.badRequest(`invalid dryRun value "${String(v)}": only "All" is supported`);
    }
    return values.length > 0;
}
/**
 * Refuses writes into a namespace that does not exist (404 `namespaces "x" not found`) or is being deleted
 * (403, as the NamespaceLifecycle admission plugin does).
 */
export function requireWritableNamespace(call, ns) {
    const namespace = call.ctx.store.get("Namespace", "", ns);
    if (!namespace)
        throw ApiError.notFound("namespaces", ns);
    if (namespace.status?.phase === "Terminating" || namespace.metadata.deletionTimestamp) {
        throw new ApiError("Forbidden", `${call.route.info.plural} "${call.route.name ?? ""}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, { name: call.route.name, kind: call.route.info.plural });
    }
}
/** Read-only views and metadata-only write targets answer 405 for verbs they lack. */
export function requireVerb(call, verb) {
    if (!call.route.info.verbs.includes(verb)) {
        throw new ApiError("MethodNotAllowed", `the server does not allow this method on the requested resource`);
    }
}
//# sourceMappingURL=common.js.map