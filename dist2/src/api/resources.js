const RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
function core(kind, plural, shortNames, namespaced, extra = {}) {
    return {
        kind,
        plural,
        singular: kind.toLowerCase(),
        shortNames,
        group: "",
        version: "v1",
        namespaced,
        categories: [],
        verbs: RW,
        subresources: [],
        ...extra,
    };
}
export const RESOURCES = [
    core("Pod", "pods", ["po"], true, { categories: ["all"], subresources: ["status", "log", "exec", "attach", "portforward"] }),
    core("Service", "services", ["svc"], true, { categories: ["all"], subresources: ["status"] }),
    core("Endpoints", "endpoints", ["ep"], true, { singular: "endpoints" }),
    core("Event", "events", ["ev"], true),
    core("Node", "nodes", ["no"], false, { subresources: ["status"] }),
    core("Namespace", "namespaces", ["ns"], false, { subresources: ["status"] }),
    core("PersistentVolume", "persistentvolumes", ["pv"], false, { subresources: ["status"] }),
    core("PersistentVolumeClaim", "persistentvolumeclaims", ["pvc"], true, { subresources: ["status"] }),
    core("ConfigMap", "configmaps", ["cm"], true),
    core("Secret", "secrets", [], true),
    {
        kind: "EndpointSlice",
        plural: "endpointslices",
        singular: "endpointslice",
        shortNames: [],
        group: "discovery.k8s.io",
        version: "v1",
        namespaced: true,
        categories: [],
        verbs: RW,
        subresources: [],
    },
    {
        kind: "StorageClass",
        plural: "storageclasses",
        singular: "storageclass",
        shortNames: ["sc"],
        group: "storage.k8s.io",
        version: "v1",
        namespaced: false,
        categories: [],
        verbs: RW,
        subresources: [],
    },
    {
        kind: "PodMetrics",
        plural: "pods",
        singular: "",
        shortNames: [],
        group: "metrics.k8s.io",
        version: "v1beta1",
        namespaced: true,
        categories: [],
        verbs: ["get", "list"],
        subresources: [],
    },
    ...accessResources(),
];
/** ServiceAccounts and RBAC kinds (stored) and the access reviews (create-only, answered from the request's user, never stored). */
function accessResources() {
    const named = (kind, plural, group, namespaced, verbs = RW) => ({
        kind, plural, singular: kind.toLowerCase(), shortNames: [], group, version: "v1", namespaced, categories: [], verbs, subresources: [],
    });
    return [
        { ...named("ServiceAccount", "serviceaccounts", "", true), shortNames: ["sa"], subresources: ["token"] },
        named("Role", "roles", "rbac.authorization.k8s.io", true),
        named("ClusterRole", "clusterroles", "rbac.authorization.k8s.io", false),
        named("RoleBinding", "rolebindings", "rbac.authorization.k8s.io", true),
        named("ClusterRoleBinding", "clusterrolebindings", "rbac.authorization.k8s.io", false),
        named("SelfSubjectAccessReview", "selfsubjectaccessreviews", "authorization.k8s.io", false, ["create"]),
        named("SelfSubjectRulesReview", "selfsubjectrulesreviews", "authorization.k8s.io", false, ["create"]),
        named("SelfSubjectReview", "selfsubjectreviews", "authentication.k8s.io", false, ["create"]),
    ];
}
/** apiVersion string of a resource: "v1" or "group/version". */
export function apiVersionOf(r) {
    return r.group ? `${r.group}/${r.version}` : r.version;
}
/** The stored resource for a kind ("Pod"), ignoring the metrics view. */
export function resourceForKind(kind) {
    return RESOURCES.find((r) => r.kind === kind && r.group !== "metrics.k8s.io");
}
/**
 * Resolves a name as kubectl accepts it: plural, singular, short name or kind, case-insensitive, optionally
 * qualified by group (`endpointslices.discovery.k8s.io`). Returns undefined when nothing matches.
 */
export function resolveResource(name) {
    const lower = name.toLowerCase();
    const dot = lower.indexOf(".");
    const base = dot >= 0 ? lower.slice(0, dot) : lower;
    const group = dot >= 0 ? lower.slice(dot + 1) : undefined;
    return RESOURCES.find((r) => r.group !== "metrics.k8s.io" &&
        (group === undefined || r.group === group) &&
        (r.plural === base || r.singular === base || r.kind.toLowerCase() === base || r.shortNames.includes(base)));
}
//# sourceMappingURL=resources.js.map