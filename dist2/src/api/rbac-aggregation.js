/**
 * ClusterRole aggregation (pkg/controller/clusterroleaggregation): a ClusterRole with an aggregationRule gets, as
 * its rules, the rules of every other ClusterRole that one of its selectors matches, in name order, each rule once.
 * Pure; the controller that writes the result is controllers/clusterrole-aggregation.ts.
 */
import { deepEqual } from "./json.js";
import { matchLabelSelector } from "./labels.js";
/** The rules `target` aggregates from `all`, or undefined when it has no aggregationRule. */
export function aggregateRules(target, all) {
    const selectors = target.aggregationRule?.clusterRoleSelectors;
    if (!selectors)
        return undefined;
    const sources = all
        .filter((r) => r.metadata.name !== target.metadata.name && selectors.some((s) => matchLabelSelector(s, r.metadata.labels ?? {})))
        .sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
    const out = [];
    for (const r of sources) {
        for (const rule of r.rules ?? [])
            if (!out.some((x) => deepEqual(x, rule)))
                out.push(rule);
    }
    return out;
}
//# sourceMappingURL=rbac-aggregation.js.map