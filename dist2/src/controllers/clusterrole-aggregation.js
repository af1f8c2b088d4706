/**
 * The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation): whenever any ClusterRole changes,
 * every ClusterRole with an aggregationRule gets the rules api/rbac-aggregation.ts computes, written only when they
 * differ. Changes are gathered and applied once per event-loop turn (a write from inside a watch handler would
 * re-enter the store), so a role labelled `aggregate-to-view` reaches view, edit and admin within a turn or two.
 */
import { deepEqual } from "../api/json.js";
import { aggregateRules } from "../api/rbac-aggregation.js";
import { ApiError } from "../api/errors.js";
export class ClusterRoleAggregationController {
    store;
    log;
    stopWatch;
    scheduled = false;
    constructor(store, log = () => undefined) {
        this.store = store;
        this.log = log;
    }
    /** Reconciles once, then after every ClusterRole change until stop(). */
    start() {
        this.stopWatch = this.store.watch("ClusterRole", {}, () => this.schedule());
        this.reconcile();
    }
    stop() {
        this.stopWatch?.();
        this.stopWatch = undefined;
    }
    schedule() {
        if (this.scheduled)
            return;
        this.scheduled = true;
        setImmediate(() => {
            this.scheduled = false;
            if (this.stopWatch)
                this.reconcile();
        });
    }
    /** One pass: each aggregated role whose rules differ from what it aggregates is rewritten. */
    reconcile() {
        const all = this.store.list("ClusterRole").items;
        for (const role of all) {
            const rules = aggregateRules(role, all);
            if (!rules || deepEqual(rules, role.rules ?? []))
                continue;
            try {
                this.store.update({ ...role, rules }, { resourceVersion: role.metadata.resourceVersion });
            }
            catch (err) {
                // A conflict means the role changed meanwhile; that change scheduled another pass.
                if (!(err instanceof ApiError && (err.code === 409 || err.code === 404)))
                    this.log(`clusterrole aggregation: ${role.metadata.name}: ${String(err)}`);
            }
        }
    }
}
//# sourceMappingURL=clusterrole-aggregation.js.map