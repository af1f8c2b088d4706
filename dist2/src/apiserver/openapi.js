/**
 * A minimal OpenAPI v3 document, just enough for kubectl's server-side field validation check: for each kind, a
 * PATCH operation tagged with x-kubernetes-group-version-kind that accepts the `fieldValidation` query parameter
 * (cli-runtime query_param_verifier_v3.go). Finding it, `kubectl create/apply` sends `fieldValidation=Strict` and
 * skips downloading /openapi/v2. No schemas: without a strategic-merge request body listed, `kubectl apply` computes
 * its patches from its built-in types.
 */
import { createHash } from "node:crypto";
import { RESOURCES } from "../api/resources.js";
import { groupVersions } from "./router.js";
const QUERY_PARAMS = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map((name) => ({
    name,
    in: "query",
    schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true },
}));
function gvPath(group, version) {
    return group ? `apis/${group}/${version}` : `api/${version}`;
}
function operations(r, verbs) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const ops = {};
    const map = { get: "get", update: "put", patch: "patch", delete: "delete", create: "post", list: "get" };
    for (const verb of verbs) {
        if (!r.verbs.includes(verb))
            continue;
        ops[map[verb]] = {
            operationId: `${verb}${r.kind}`,
            "x-kubernetes-action": verb === "update" ? "put" : verb === "create" ? "post" : verb,
            "x-kubernetes-group-version-kind": gvk,
            parameters: QUERY_PARAMS,
            responses: { "200": { description: "OK" } },
        };
    }
    return ops;
}
function documentFor(group, version) {
    const paths = {};
    for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
        const base = `/${gvPath(group, version)}${r.namespaced ? "/namespaces/{namespace}" : ""}/${r.plural}`;
        paths[base] = operations(r, ["list", "create"]);
        paths[`${base}/{name}`] = operations(r, ["get", "update", "patch", "delete"]);
    }
    return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0-nodelet" }, paths, components: { schemas: {} } };
}
let cached;
/** The root document and each group/version document, serialized once. The hash changes when a document does. */
function documents() {
    if (cached)
        return cached;
    const byPath = new Map();
    const paths = {};
    for (const { group, version } of groupVersions()) {
        const body = JSON.stringify(documentFor(group, version));
        const hash = createHash("sha512").update(body).digest("hex").toUpperCase();
        const p = gvPath(group, version);
        byPath.set(p, body);
        paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
    cached = { root: { paths }, byPath };
    return cached;
}
/** `/openapi/v3`: where each group/version's document lives. */
export function openapiRoot() {
    return documents().root;
}
/** `/openapi/v3/<path>` as a JSON string, or undefined for a group/version we do not serve. */
export function openapiDocument(path) {
    return documents().byPath.get(path);
}
//# sourceMappingURL=openapi.js.map