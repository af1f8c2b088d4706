import { SYSTEM_MASTERS } from "../user.js";
import { ruleAllows, subjectMatches, userKeys } from "./rules.js";
export class RbacAuthorizer {
    policy;
    constructor(policy) {
        this.policy = policy;
    }
    authorize(a) {
        if (a.user.groups.includes(SYSTEM_MASTERS))
            return { allowed: true, reason: "" };
        const errors = [];
        for (const g of this.grants(a.user, a.namespace, errors)) {
            if (g.rules.some((r) => ruleAllows(a, r)))
                return { allowed: true, reason: `RBAC: allowed by ${describe(g)}` };
        }
        return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : "" };
    }
    rulesFor(user, namespace) {
        const errors = [];
        const resourceRules = [];
        const nonResourceRules = [];
        for (const g of this.grants(user, namespace, errors)) {
            for (const r of g.rules) {
                if (r.nonResourceURLs?.length)
                    nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
                else
                    resourceRules.push(resourceRule(r));
            }
        }
        const out = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
        if (errors.length)
            out.evaluationError = aggregate(errors);
        return out;
    }
    /** Every binding that applies to the user, with the rules of its role; missing roles are reported in `errors`. */
    *grants(user, namespace, errors) {
        const keys = userKeys(user);
        for (const b of this.policy.clusterRoleBindings(keys)) {
            const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, ""));
            if (!subject || b.roleRef?.kind !== "ClusterRole")
                continue;
            const role = this.policy.clusterRole(b.roleRef.name);
            if (!role)
                errors.push(`clusterrole.rbac.authorization.k8s.io "${b.roleRef.name}" not found`);
            else
                yield { binding: b, subject, rules: role.rules ?? [] };
        }
        if (!namespace)
            return;
        for (const b of this.policy.roleBindings(namespace, keys)) {
            const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, namespace));
            if (!subject)
                continue;
            const ref = b.roleRef;
            const role = ref?.kind === "Role" ? this.policy.role(namespace, ref.name) : ref?.kind === "ClusterRole" ? this.policy.clusterRole(ref.name) : undefined;
            if (!role)
                errors.push(`${(ref?.kind ?? "role").toLowerCase()}.rbac.authorization.k8s.io "${ref?.name ?? ""}" not found`);
            else
                yield { binding: b, subject, rules: role.rules ?? [] };
        }
    }
}
function resourceRule(r) {
    const out = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])] };
    if (r.resourceNames?.length)
        out.resourceNames = [...r.resourceNames];
    return out;
}
/** utilerrors.NewAggregate's text: one error as itself, several in brackets. */
function aggregate(errors) {
    return errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
}
function describe(g) {
    const b = g.binding;
    const ns = b.metadata.namespace;
    const what = ns ? `RoleBinding "${b.metadata.name}/${ns}"` : `ClusterRoleBinding "${b.metadata.name}"`;
    const s = g.subject;
    const who = s.kind === "ServiceAccount" ? `${s.kind} "${s.name}/${s.namespace || ns || ""}"` : `${s.kind} "${s.name}"`;
    return `${what} of ${b.roleRef.kind} "${b.roleRef.name}" to ${who}`;
}
//# sourceMappingURL=authorizer.js.map