/**
 * The DaemonSet controller, an OwnerController over this node (the only node until a scheduler and more nodes
 * exist): sync() claims the set's pods, finds or creates its update revision (ControllerRevision `NAME-HASH`, HASH
 * the template hash also put on pods as `controller-revision-hash`), asks reconcile.ts what to do on the node, and
 * writes status. Daemon pods are bound to the node directly, carry the automatic daemon tolerations and the
 * `pod-template-generation` label. Expectations keep it from creating a second pod before the cache has the first.
 */
import type { ControllerRevision, DaemonSet } from "../../api/apps-types.js";
import { TEMPLATE_GENERATION_ANNOTATION } from "../../api/apps-statefulset.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import type { Node, Pod } from "../../api/types.js";
import { podTemplateHash } from "../deployment/util.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { Expectations } from "../foundation/expectations.js";
import { objectKey, splitKey, type Informer } from "../foundation/informer.js";
import { OwnerController } from "../foundation/owner-controller.js";
import { controllerRef, podFromTemplate } from "../workload/pods.js";
import { CONTROLLER_REVISION_HASH_LABEL, ensureRevision, newRevision, nextRevision, revisionsToTrim } from "../workload/revisions.js";
import { daemonSetStatus, ineligibleReason, planDaemonSet, withDaemonTolerations } from "./reconcile.js";

const NAME = "daemonset-controller";
export const POD_TEMPLATE_GENERATION_LABEL = "pod-template-generation";

export class DaemonSetController extends OwnerController<DaemonSet> {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly expectations: Expectations;

  constructor(ctx: ControllerContext) {
    super(ctx, NAME, "DaemonSet");
    this.pods = ctx.informers.informer<Pod>("Pod");
    this.nodes = ctx.informers.informer<Node>("Node");
    this.revisions = ctx.informers.informer<ControllerRevision>("ControllerRevision");
    this.expectations = new Expectations(ctx.clock);
  }

  protected override watchDependents(): void {
    const podChanged = (pod: Pod, created: boolean): void => {
      const ds = this.ownerOf(pod);
      if (ds) {
        if (created) this.expectations.creationObserved(objectKey(ds));
        this.enqueue(ds);
      } else if (!controllerRef(pod)) for (const d of this.matchingOwners(pod)) this.enqueue(d);
    };
    this.pods.addHandler({
      onAdd: (p) => podChanged(p, true),
      onUpdate: (old, p) => {
        if (old.metadata.resourceVersion !== p.metadata.resourceVersion) podChanged(p, false);
      },
      onDelete: (p) => podChanged(p, false),
    });
    // A node's labels or taints decide eligibility: every set looks again.
    const all = (): void => this.owners.list("").forEach((ds) => this.enqueue(ds));
    this.nodes.addHandler({ onAdd: all, onUpdate: (old, n) => (deepEqual(old.metadata.labels, n.metadata.labels) && deepEqual(old.spec, n.spec) ? undefined : all()), onDelete: all });
  }

  protected override ownerDeleted(key: string): void {
    this.expectations.delete(key);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.owners.get(namespace, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const node = this.nodes.get("", this.ctx.nodeName);
    const pods = this.claim(ds, this.pods.list(namespace)).filter((p) => !p.spec.nodeName || p.spec.nodeName === this.ctx.nodeName);
    const owned = this.revisions.byOwnerUid(ds.metadata.uid ?? "").filter((r) => controllerRef(r)?.uid === ds.metadata.uid);
    const template = ds.spec.template;
    const found = ensureRevision(this.ctx.api, owned, (cc) => newRevision(ds, template, podTemplateHash(template, cc), nextRevision(owned)), ds.status?.collisionCount ?? 0);
    const hash = found.revision.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? "";
    const eligible = !!node && ineligibleReason(ds, node) === undefined;
    const now = this.ctx.clock.now();
    let failure: string | undefined;
    if (this.expectations.satisfied(key)) {
      for (const action of planDaemonSet(ds, pods, hash, eligible, now)) {
        failure = action.kind === "create" ? this.createPod(ds, key, hash) : this.deletePod(ds, action.pod);
        if (failure) break;
      }
    }
    const after = this.pods.list(namespace).filter((p) => controllerRef(p)?.uid === ds.metadata.uid && (!p.spec.nodeName || p.spec.nodeName === this.ctx.nodeName));
    const status = daemonSetStatus(ds, after, hash, eligible, found.collisionCount, this.ctx.clock.now());
    this.trimHistory(ds, after, found.revision.metadata.name ?? "");
    if (!deepEqual(status, ds.status ?? {})) {
      const latest = this.owners.get(namespace, name);
      if (latest && latest.metadata.uid === ds.metadata.uid) this.ctx.api.updateStatus<DaemonSet>({ ...latest, status });
    }
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable) this.queue.addAfter(key, minReady * 1000 + 1);
    if (failure) throw new Error(failure);
  }

  private createPod(ds: DaemonSet, key: string, hash: string): string | undefined {
    const pod = podFromTemplate(ds, ds.spec.template);
    pod.metadata.labels = {
      ...(pod.metadata.labels ?? {}),
      [CONTROLLER_REVISION_HASH_LABEL]: hash,
      [POD_TEMPLATE_GENERATION_LABEL]: ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? "1",
    };
    pod.spec.nodeName = this.ctx.nodeName;
    pod.spec.tolerations = withDaemonTolerations(pod.spec.tolerations, pod.spec.hostNetwork === true);
    this.expectations.expect(key, 1);
    try {
      const created = this.ctx.api.create<Pod>(pod);
      this.events.event(ds, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
      return undefined;
    } catch (err) {
      this.expectations.creationObserved(key);
      const msg = `Error creating: ${err instanceof Error ? err.message : String(err)}`;
      this.events.event(ds, "Warning", "FailedCreate", msg);
      return msg;
    }
  }

  private deletePod(ds: DaemonSet, pod: Pod): string | undefined {
    try {
      this.ctx.api.delete("Pod", pod.metadata.namespace ?? "", pod.metadata.name ?? "", { uid: pod.metadata.uid });
      this.events.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
      return undefined;
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return undefined;
      const msg = `Error deleting: ${err instanceof Error ? err.message : String(err)}`;
      this.events.event(ds, "Warning", "FailedDelete", msg);
      return msg;
    }
  }

  /** cleanupHistory: revisions no pod runs, other than the current one, beyond revisionHistoryLimit. */
  private trimHistory(ds: DaemonSet, pods: Pod[], current: string): void {
    const all = this.revisions.byOwnerUid(ds.metadata.uid ?? "").filter((r) => controllerRef(r)?.uid === ds.metadata.uid);
    const live = new Set([current, ...pods.map((p) => `${ds.metadata.name}-${p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? ""}`)]);
    for (const r of revisionsToTrim(all, live, ds.spec.revisionHistoryLimit ?? 10)) {
      try {
        this.ctx.api.delete("ControllerRevision", r.metadata.namespace ?? "", r.metadata.name ?? "", { uid: r.metadata.uid });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
  }
}

export function daemonSetController(ctx: ControllerContext): Controller {
  return new DaemonSetController(ctx);
}
