/**
 * The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation): whenever any ClusterRole changes,
 * every ClusterRole with an aggregationRule gets the rules api/rbac-aggregation.ts computes, written only when they
 * differ. Changes are gathered and applied once per event-loop turn (a write from inside a watch handler would
 * re-enter the store), so a role labelled `aggregate-to-view` reaches view, edit and admin within a turn or two.
 */
import { deepEqual } from "../api/json.js";
import { aggregateRules } from "../api/rbac-aggregation.js";
import type { ClusterRole } from "../api/rbac.js";
import { ApiError } from "../api/errors.js";
import { nextTurnPass } from "../store/next-turn.js";
import type { Store } from "../store/store.js";

export class ClusterRoleAggregationController {
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** Reconciles once, then after every ClusterRole change until stop(). */
  start(): void {
    this.stopWatch = this.store.watch("ClusterRole", {}, () => this.schedule());
    this.reconcile();
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  private readonly schedule = nextTurnPass(() => {
    if (this.stopWatch) this.reconcile();
  });

  /** One pass: each aggregated role whose rules differ from what it aggregates is rewritten. */
  reconcile(): void {
    const all = this.store.list<ClusterRole>("ClusterRole").items;
    for (const role of all) {
      const rules = aggregateRules(role, all);
      if (!rules || deepEqual(rules, role.rules ?? [])) continue;
      try {
        this.store.update<ClusterRole>({ ...role, rules }, { resourceVersion: role.metadata.resourceVersion });
      } catch (err) {
        // A conflict means the role changed meanwhile; that change scheduled another pass.
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) this.log(`clusterrole aggregation: ${role.metadata.name}: ${String(err)}`);
      }
    }
  }
}
