/**
 * Discovery documents, all derived from api/resources.ts. Two forms, both served because kubectl picks by Accept:
 * - aggregated (KEP-3352): `/api` and `/apis` answer APIGroupDiscoveryList when asked for it, so kubectl needs two
 *   requests per command; the Content-Type must name the same `g`/`v`/`as` parameters or kubectl ignores the body.
 * - legacy: APIVersions, APIGroupList, APIGroup and APIResourceList (subresources listed as `pods/log`).
 */
import { RESOURCES } from "../api/resources.js";
import { groupVersions } from "./router.js";
/** The Content-Type of an aggregated discovery response (client-go checks the parameters, not their order). */
export function aggregatedContentType(v) {
    return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}
/** Response kind and verbs of a subresource, as the real server lists them. */
function subresourceMeta(r, sub) {
    switch (sub) {
        case "status":
            return { kind: r.kind, verbs: ["get", "patch", "update"] };
        case "exec":
            return { kind: "PodExecOptions", verbs: ["create", "get"] };
        case "attach":
            return { kind: "PodAttachOptions", verbs: ["create", "get"] };
        case "portforward":
            return { kind: "PodPortForwardOptions", verbs: ["create", "get"] };
        case "token":
            return { kind: "TokenRequest", verbs: ["create"] };
        default:
            return { kind: r.kind, verbs: ["get"] };
    }
}
function resourcesOf(group, version) {
    return RESOURCES.filter((r) => r.group === group && r.version === version);
}
// ---------------------------------------------------------------------------------------------------------------
// Aggregated
function aggregatedResource(r) {
    const responseKind = { group: r.group, version: r.version, kind: r.kind };
    const out = {
        resource: r.plural,
        responseKind,
        scope: r.namespaced ? "Namespaced" : "Cluster",
        singularResource: r.singular,
        verbs: r.verbs,
    };
    if (r.shortNames.length)
        out.shortNames = r.shortNames;
    if (r.categories.length)
        out.categories = r.categories;
    if (r.subresources.length) {
        out.subresources = r.subresources.map((sub) => {
            const m = subresourceMeta(r, sub);
            return { subresource: sub, responseKind: { group: r.group, version: r.version, kind: m.kind }, verbs: m.verbs };
        });
    }
    return out;
}
function aggregatedGroup(group) {
    const versions = groupVersions()
        .filter((gv) => gv.group === group)
        .map((gv) => ({ version: gv.version, resources: resourcesOf(group, gv.version).map(aggregatedResource), freshness: "Current" }));
    return { metadata: { name: group }, versions };
}
/** APIGroupDiscoveryList for `/api` (core, named "") or `/apis` (every named group). */
export function aggregatedDiscovery(core, v) {
    const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => (g === "") === core);
    return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items: groups.map(aggregatedGroup) };
}
// ---------------------------------------------------------------------------------------------------------------
// Legacy
/** `/api`: the core versions and where to reach the server. */
export function apiVersions(serverAddress) {
    return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}
function apiGroup(group) {
    const versions = groupVersions()
        .filter((gv) => gv.group === group)
        .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
    return { name: group, versions, preferredVersion: versions[0] };
}
/** `/apis`: every named group. */
export function apiGroupList() {
    const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== "");
    return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(apiGroup) };
}
/** `/apis/GROUP`. */
export function apiGroupDocument(group) {
    return { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group) };
}
/** `/api/v1` or `/apis/GROUP/VERSION`: APIResourceList, subresources as `plural/sub`. */
export function apiResourceList(group, version) {
    const resources = [];
    for (const r of resourcesOf(group, version)) {
        const entry = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
        if (r.shortNames.length)
            entry.shortNames = r.shortNames;
        if (r.categories.length)
            entry.categories = r.categories;
        resources.push(entry);
        for (const sub of r.subresources) {
            const m = subresourceMeta(r, sub);
            resources.push({ name: `${r.plural}/${sub}`, singularName: "", namespaced: r.namespaced, kind: m.kind, verbs: m.verbs });
        }
    }
    const groupVersion = group ? `${group}/${version}` : version;
    return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}
//# sourceMappingURL=discovery.js.map