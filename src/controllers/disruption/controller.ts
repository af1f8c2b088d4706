/**
 * The disruption controller (pkg/controller/disruption), on OwnerController over PodDisruptionBudgets: a pod's
 * change enqueues the budgets selecting it (policy/v1: `{}` selects every pod of the namespace); sync() counts the
 * budget's pods with reconcile.ts — the expected pods from their controllers' scales (Deployment, ReplicaSet,
 * StatefulSet), the healthy ones, the evictions still in flight — and writes status and the DisruptionAllowed
 * condition. It looks again when the oldest recorded eviction expires. A failure sets the fail-safe status
 * (no disruption allowed, SyncFailed). Events: NoPods, UnmanagedPods, CalculateExpectedPodCountFailed.
 */
import type { Deployment, ReplicaSet, StatefulSet } from "../../api/apps-types.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import { labelSelectorToString, selects } from "../../api/labels.js";
import type { PodDisruptionBudget } from "../../api/policy-types.js";
import type { OwnerReference, Pod } from "../../api/types.js";
import { rfc3339 } from "../../store/metadata.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { splitKey, type Informer } from "../foundation/informer.js";
import { OwnerController } from "../foundation/owner-controller.js";
import { controllerRef } from "../workload/pods.js";
import { budgetStatus, countHealthy, disruptedPodMap, expectedPodCount, failSafeStatus, type ScaleFinder } from "./reconcile.js";

export class DisruptionController extends OwnerController<PodDisruptionBudget> {
  private readonly pods: Informer<Pod>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly deployments: Informer<Deployment>;
  private readonly statefulSets: Informer<StatefulSet>;

  constructor(ctx: ControllerContext) {
    super(ctx, "disruption-controller", "PodDisruptionBudget");
    this.pods = ctx.informers.informer<Pod>("Pod");
    this.replicaSets = ctx.informers.informer<ReplicaSet>("ReplicaSet");
    this.deployments = ctx.informers.informer<Deployment>("Deployment");
    this.statefulSets = ctx.informers.informer<StatefulSet>("StatefulSet");
  }

  protected override watchDependents(): void {
    const changed = (pod: Pod): void => this.owners.list(pod.metadata.namespace ?? "").filter((b) => selects(b.spec?.selector, pod.metadata.labels)).forEach((b) => this.enqueue(b));
    this.pods.addHandler({ onAdd: changed, onUpdate: (_, p) => changed(p), onDelete: changed });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pdb = this.owners.get(namespace, name);
    if (!pdb) return;
    try {
      this.trySync(key, pdb);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 409 || err.code === 404)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      this.write(pdb, failSafeStatus(pdb, message, rfc3339(new Date(this.ctx.clock.now()))));
      throw err;
    }
  }

  private trySync(key: string, pdb: PodDisruptionBudget): void {
    const pods = this.pods.listBySelector(pdb.metadata.namespace ?? "", pdb.spec?.selector);
    if (pods.length === 0) this.events.event(pdb, "Normal", "NoPods", "No matching pods found");
    let counts;
    try {
      counts = expectedPodCount(pdb, pods, this.finder);
    } catch (err) {
      this.events.event(pdb, "Warning", "CalculateExpectedPodCountFailed", `Failed to calculate the number of expected pods: ${(err as Error).message}`);
      throw err;
    }
    if (counts.unmanagedPods.length > 0) {
      this.events.event(
        pdb,
        "Warning",
        "UnmanagedPods",
        `Pods selected by this PodDisruptionBudget (selector: ${selectorText(pdb)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const now = this.ctx.clock.now();
    const { disrupted, recheckAt } = disruptedPodMap(pdb, pods, now);
    const status = budgetStatus(pdb, counts, countHealthy(pods, disrupted), disrupted, rfc3339(new Date(now)));
    this.write(pdb, status);
    if (recheckAt !== undefined) this.queue.addAfter(key, recheckAt - now);
  }

  private write(pdb: PodDisruptionBudget, status: PodDisruptionBudget["status"]): void {
    if (deepEqual(status, pdb.status ?? {})) return;
    this.ctx.api.updateStatus<PodDisruptionBudget>({ ...pdb, status });
  }

  /** The finders of the upstream controller: a ReplicaSet (unless a Deployment owns it), its Deployment, a StatefulSet. */
  private readonly finder: ScaleFinder = (ref: OwnerReference, namespace: string) => {
    if (ref.kind === "StatefulSet") {
      const ss = this.statefulSets.get(namespace, ref.name);
      return ss && ss.metadata.uid === ref.uid ? { uid: ref.uid, scale: ss.spec.replicas ?? 1 } : undefined;
    }
    if (ref.kind !== "ReplicaSet") return undefined;
    const rs = this.replicaSets.get(namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const owner = controllerRef(rs);
    if (owner?.kind !== "Deployment") return { uid: ref.uid, scale: rs.spec.replicas ?? 1 };
    const d = this.deployments.get(namespace, owner.name);
    return d && d.metadata.uid === owner.uid ? { uid: owner.uid, scale: d.spec.replicas ?? 1 } : undefined;
  };
}

function selectorText(pdb: PodDisruptionBudget): string {
  try {
    return pdb.spec?.selector ? labelSelectorToString(pdb.spec.selector) : "";
  } catch {
    return "";
  }
}

export const disruptionController = (ctx: ControllerContext): Controller => new DisruptionController(ctx);
