/**
 * rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding — their types, the v1
 * defaulters (SetDefaults_RoleBinding, SetDefaults_Subject) and validation as pkg/apis/rbac/validation does it.
 * Evaluation lives in src/auth/rbac/; this file only says what a well-formed object is.
 */
import { child, index, invalid, notSupported, required } from "./field.js";
import { deepEqual } from "./json.js";
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { isDNS1123Subdomain } from "./names.js";
import { strategy } from "./strategy.js";
export const RBAC_GROUP = "rbac.authorization.k8s.io";
/** ValidateRBACName: any name that is a valid path segment (path.IsValidPathSegmentName). */
export const rbacName = (name) => {
    if (name === "." || name === "..")
        return [`may not be '${name}'`];
    const bad = ["/", "%"].filter((c) => name.includes(c));
    return bad.length ? [`may not contain '${bad[0]}'`] : [];
};
function validateRule(rule, path, namespaced) {
    const errs = [];
    if (!rule.verbs?.length)
        errs.push(required(child(path, "verbs"), "verbs must contain at least one value"));
    const urls = rule.nonResourceURLs ?? [];
    if (urls.length) {
        if (namespaced)
            errs.push(invalid(child(path, "nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs"));
        if ((rule.apiGroups?.length ?? 0) > 0 || (rule.resources?.length ?? 0) > 0) {
            errs.push(invalid(child(path, "nonResourceURLs"), urls, "rules cannot apply to both regular resources and non-resource URLs"));
        }
        return errs;
    }
    if (!rule.apiGroups?.length)
        errs.push(required(child(path, "apiGroups"), "resource rules must supply at least one api group"));
    if (!rule.resources?.length)
        errs.push(required(child(path, "resources"), "resource rules must supply at least one resource"));
    return errs;
}
function validateRules(rules, namespaced) {
    return (rules ?? []).flatMap((r, i) => validateRule(r ?? {}, index("rules", i), namespaced));
}
function validateAggregation(rule) {
    if (!rule)
        return [];
    const sels = rule.clusterRoleSelectors ?? [];
    const path = child("aggregationRule", "clusterRoleSelectors");
    if (!sels.length)
        return [required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil")];
    return sels.flatMap((s, i) => validateLabelSelector(s, index(path, i)));
}
/** SetDefaults_Subject: users and groups belong to the RBAC group, service accounts to the core group. */
function defaultBinding(b) {
    if (b.roleRef && !b.roleRef.apiGroup)
        b.roleRef.apiGroup = RBAC_GROUP;
    for (const s of b.subjects ?? []) {
        if (s && !s.apiGroup && (s.kind === "User" || s.kind === "Group"))
            s.apiGroup = RBAC_GROUP;
    }
}
function validateSubject(s, path, namespaced) {
    const errs = [];
    if (!s.name)
        errs.push(required(child(path, "name")));
    switch (s.kind) {
        case "ServiceAccount":
            if (s.name)
                for (const msg of isDNS1123Subdomain(s.name))
                    errs.push(invalid(child(path, "name"), s.name, msg));
            if (s.apiGroup)
                errs.push(notSupported(child(path, "apiGroup"), s.apiGroup, [""]));
            if (!namespaced && !s.namespace)
                errs.push(required(child(path, "namespace")));
            break;
        case "User":
        case "Group":
            if (s.apiGroup !== RBAC_GROUP)
                errs.push(notSupported(child(path, "apiGroup"), s.apiGroup ?? "", [RBAC_GROUP]));
            break;
        default:
            errs.push(notSupported(child(path, "kind"), s.kind ?? "", ["ServiceAccount", "User", "Group"]));
    }
    return errs;
}
function validateBinding(b, namespaced) {
    const errs = validateObjectMeta(b.metadata, namespaced, rbacName);
    const ref = b.roleRef ?? {};
    if (ref.apiGroup !== RBAC_GROUP)
        errs.push(notSupported(child("roleRef", "apiGroup"), ref.apiGroup ?? "", [RBAC_GROUP]));
    const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
    if (!kinds.includes(ref.kind))
        errs.push(notSupported(child("roleRef", "kind"), ref.kind ?? "", kinds));
    if (!ref.name)
        errs.push(required(child("roleRef", "name")));
    else
        for (const msg of rbacName(ref.name, false))
            errs.push(invalid(child("roleRef", "name"), ref.name, msg));
    (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s ?? {}, index("subjects", i), namespaced)));
    return errs;
}
function validateBindingUpdate(b, old, namespaced) {
    const errs = [...validateObjectMetaUpdate(b.metadata, old.metadata), ...validateBinding(b, namespaced)];
    if (!deepEqual(b.roleRef, old.roleRef))
        errs.push(invalid("roleRef", b.roleRef, "cannot change roleRef"));
    return errs;
}
const noop = () => undefined;
export const roleStrategy = strategy({
    hasStatus: false,
    defaults: noop,
    validateCreate: (r) => [...validateObjectMeta(r.metadata, true, rbacName), ...validateRules(r.rules, true)],
    validateUpdate: (r, old) => [...validateObjectMetaUpdate(r.metadata, old.metadata), ...validateRules(r.rules, true)],
});
export const clusterRoleStrategy = strategy({
    hasStatus: false,
    defaults: noop,
    validateCreate: (r) => [...validateObjectMeta(r.metadata, false, rbacName), ...validateRules(r.rules, false), ...validateAggregation(r.aggregationRule)],
    validateUpdate: (r, old) => [
        ...validateObjectMetaUpdate(r.metadata, old.metadata),
        ...validateRules(r.rules, false),
        ...validateAggregation(r.aggregationRule),
    ],
});
export const roleBindingStrategy = strategy({
    hasStatus: false,
    defaults: defaultBinding,
    validateCreate: (b) => validateBinding(b, true),
    validateUpdate: (b, old) => validateBindingUpdate(b, old, true),
});
export const clusterRoleBindingStrategy = strategy({
    hasStatus: false,
    defaults: defaultBinding,
    validateCreate: (b) => validateBinding(b, false),
    validateUpdate: (b, old) => validateBindingUpdate(b, old, false),
});
//# sourceMappingURL=rbac.js.map