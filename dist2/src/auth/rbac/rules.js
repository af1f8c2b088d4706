import { serviceAccountUsername } from "../user.js";
const has = (list, v) => !!list && (list.includes("*") || list.includes(v));
function resourceMatches(rule, combined, sub) {
    for (const r of rule.resources ?? []) {
        if (r === "*" || r === combined)
            return true;
        if (sub && r.length === sub.length + 2 && r.startsWith("*/") && r.endsWith(sub))
            return true;
    }
    return false;
}
function nonResourceURLMatches(rule, path) {
    for (const u of rule.nonResourceURLs ?? []) {
        if (u === "*" || u === path)
            return true;
        if (u.endsWith("*") && path.startsWith(u.replace(/\*+$/, "")))
            return true;
    }
    return false;
}
/** True when `rule` grants the request. */
export function ruleAllows(a, rule) {
    if (!has(rule.verbs, a.verb))
        return false;
    if (!a.isResourceRequest)
        return nonResourceURLMatches(rule, a.path);
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return (has(rule.apiGroups, a.apiGroup) &&
        resourceMatches(rule, combined, a.subresource) &&
        (!rule.resourceNames?.length || rule.resourceNames.includes(a.name)));
}
/**
 * True when the binding's subject is this user. A ServiceAccount subject without a namespace means the binding's own
 * namespace (`bindingNamespace`, "" for cluster bindings, where it then matches nobody).
 */
export function subjectMatches(s, user, bindingNamespace) {
    switch (s.kind) {
        case "User":
            return s.name === user.name;
        case "Group":
            return user.groups.includes(s.name);
        case "ServiceAccount": {
            const ns = s.namespace || bindingNamespace;
            return !!ns && serviceAccountUsername(ns, s.name) === user.name;
        }
        default:
            return false;
    }
}
/** The index keys a subject is filed under, so a user's bindings are found without scanning them all. */
export function subjectKey(s, bindingNamespace) {
    switch (s.kind) {
        case "User":
            return `u:${s.name}`;
        case "Group":
            return `g:${s.name}`;
        case "ServiceAccount": {
            const ns = s.namespace || bindingNamespace;
            return ns ? `u:${serviceAccountUsername(ns, s.name)}` : undefined;
        }
        default:
            return undefined;
    }
}
/** The keys under which the bindings that apply to `user` are filed. */
export function userKeys(user) {
    return [`u:${user.name}`, ...user.groups.map((g) => `g:${g}`)];
}
//# sourceMappingURL=rules.js.map