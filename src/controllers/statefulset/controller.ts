/**
 * The StatefulSet controller, an OwnerController: informers on StatefulSets, Pods, claims and ControllerRevisions
 * feed a work queue of set keys; sync() claims the set's pods, finds or creates its update revision, asks
 * reconcile.ts what to do, applies it through the API, trims the revision history and writes status. Pod names are
 * stable, so a stale create only meets AlreadyExists (no expectations needed, as upstream).
 */
import type { ControllerRevision, PodTemplateSpec, StatefulSet } from "../../api/apps-types.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import type { PersistentVolumeClaim, Pod } from "../../api/types.js";
import { computeHash } from "../deployment/util.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { splitKey, type Informer } from "../foundation/informer.js";
import { OwnerController } from "../foundation/owner-controller.js";
import { controllerRef } from "../workload/pods.js";
import { CONTROLLER_REVISION_HASH_LABEL, ensureRevision, newRevision, nextRevision, revisionData, revisionsToTrim } from "../workload/revisions.js";
import { ordinalOf } from "./identity.js";
import { planStatefulSet, statefulSetStatus, type StatefulSetAction } from "./reconcile.js";

const NAME = "statefulset-controller";

/** The template a revision restores (its data without the `$patch` directive). */
export function revisionTemplate(cr: ControllerRevision): PodTemplateSpec | undefined {
  const t = (cr.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!t) return undefined;
  const { $patch: _directive, ...template } = t;
  return template as unknown as PodTemplateSpec;
}

export class StatefulSetController extends OwnerController<StatefulSet> {
  private readonly pods: Informer<Pod>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly revisions: Informer<ControllerRevision>;

  constructor(ctx: ControllerContext) {
    super(ctx, NAME, "StatefulSet");
    this.pods = ctx.informers.informer<Pod>("Pod");
    this.claims = ctx.informers.informer<PersistentVolumeClaim>("PersistentVolumeClaim");
    this.revisions = ctx.informers.informer<ControllerRevision>("ControllerRevision");
  }

  protected override watchDependents(): void {
    this.pods.addHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const before = this.ownerOf(old);
        if (before && before !== this.ownerOf(pod)) this.enqueue(before);
        this.podChanged(pod);
      },
      onDelete: (pod) => this.podChanged(pod),
    });
    // A claim that finishes deleting unblocks the pod waiting for it.
    this.claims.addHandler({ onDelete: (c) => this.owners.list(c.metadata.namespace ?? "").forEach((ss) => this.enqueue(ss)) });
  }

  private podChanged(pod: Pod): void {
    const ss = this.ownerOf(pod);
    if (ss) this.enqueue(ss);
    else if (!controllerRef(pod)) for (const s of this.matchingOwners(pod)) if (ordinalOf(s, pod.metadata.name ?? "") >= 0) this.enqueue(s);
  }

  /** The set's pods: claimed by selector among the pods named as its members (isMemberOf). */
  private claimPods(ss: StatefulSet): Pod[] {
    return this.claim(ss, this.pods.list(ss.metadata.namespace ?? "").filter((p) => ordinalOf(ss, p.metadata.name ?? "") >= 0));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ss = this.owners.get(namespace, name);
    if (!ss || ss.metadata.deletionTimestamp) return;
    const pods = this.claimPods(ss);
    const owned = this.revisions.byOwnerUid(ss.metadata.uid ?? "").filter((r) => controllerRef(r)?.uid === ss.metadata.uid);
    const template = ss.spec.template;
    const found = ensureRevision(
      this.ctx.api,
      owned,
      (cc) => newRevision(ss, template, computeHash(revisionData(template), cc), nextRevision(owned)),
      ss.status?.collisionCount ?? 0,
    );
    const update = found.revision;
    const current = owned.find((r) => r.metadata.name === ss.status?.currentRevision) ?? update;
    const rev = {
      current: { name: current.metadata.name ?? "", template: revisionTemplate(current) ?? template },
      update: { name: update.metadata.name ?? "", template },
    };
    const now = this.ctx.clock.now();
    const plan = planStatefulSet(ss, pods, (n) => this.claims.get(namespace, n), rev, now);
    let failure: string | undefined;
    for (const action of plan.actions) {
      failure = this.apply(ss, action);
      if (failure) break;
    }
    const after = this.claimPods(ss);
    const status = statefulSetStatus(ss, after, { current: rev.current.name, update: rev.update.name }, found.collisionCount, this.ctx.clock.now());
    this.trimHistory(ss, owned, after, status);
    if (!deepEqual(status, ss.status ?? {})) {
      const latest = this.owners.get(namespace, name);
      if (latest && latest.metadata.uid === ss.metadata.uid) this.ctx.api.updateStatus<StatefulSet>({ ...latest, status });
    }
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs + 1);
    if (failure) throw new Error(failure);
  }

  /** Applies one action; returns the failure that ends this sync, if any. */
  private apply(ss: StatefulSet, a: StatefulSetAction): string | undefined {
    const set = ss.metadata.name;
    try {
      switch (a.kind) {
        case "claimOwners":
          this.ctx.api.update<PersistentVolumeClaim>({ ...a.claim, metadata: { ...a.claim.metadata, ownerReferences: a.ownerReferences.length ? a.ownerReferences : undefined } });
          return undefined;
        case "createClaim":
          try {
            this.ctx.api.create<PersistentVolumeClaim>(a.claim);
          } catch (err) {
            if (err instanceof ApiError && err.code === 409) return undefined;
            const msg = `create Claim ${a.claim.metadata.name} for Pod ${a.pod} in StatefulSet ${set} failed error: ${errorText(err)}`;
            this.events.event(ss, "Warning", "FailedCreate", msg);
            return msg;
          }
          this.events.event(ss, "Normal", "SuccessfulCreate", `create Claim ${a.claim.metadata.name} Pod ${a.pod} in StatefulSet ${set} success`);
          return undefined;
        case "createPod":
          return this.podEvent(ss, "create", a.pod, () => this.ctx.api.create<Pod>(a.pod), true);
        case "relabelPod":
          return this.podEvent(ss, "update", a.pod, () => this.ctx.api.update<Pod>({ ...a.pod, metadata: { ...a.pod.metadata, labels: a.labels } }), false);
        case "deletePod":
          if (a.why === "failed") this.events.event(ss, "Warning", "RecreatingFailedPod", `StatefulSet ${ss.metadata.namespace}/${set} is recreating failed Pod ${a.pod.metadata.name}`);
          return this.podEvent(ss, "delete", a.pod, () => this.ctx.api.delete("Pod", a.pod.metadata.namespace ?? "", a.pod.metadata.name ?? "", { uid: a.pod.metadata.uid }), false);
      }
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return undefined; // the cache moved on: the next sync sees it
      throw err;
    }
  }

  /** recordPodEvent: `create Pod web-0 in StatefulSet web successful`, or FailedCreate with the error. */
  private podEvent(ss: StatefulSet, verb: "create" | "update" | "delete", pod: Pod, write: () => unknown, tolerateExists: boolean): string | undefined {
    const Verb = verb[0].toUpperCase() + verb.slice(1);
    try {
      write();
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || (tolerateExists && err.code === 409))) return undefined;
      const msg = `${verb} Pod ${pod.metadata.name} in StatefulSet ${ss.metadata.name} failed error: ${errorText(err)}`;
      this.events.event(ss, "Warning", `Failed${Verb}`, msg);
      return msg;
    }
    this.events.event(ss, "Normal", `Successful${Verb}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${ss.metadata.name} successful`);
    return undefined;
  }

  /** truncateHistory: revisions no pod runs and neither current nor update, beyond revisionHistoryLimit. */
  private trimHistory(ss: StatefulSet, owned: ControllerRevision[], pods: Pod[], status: { currentRevision?: string; updateRevision?: string }): void {
    const all = this.revisions.byOwnerUid(ss.metadata.uid ?? "").filter((r) => controllerRef(r)?.uid === ss.metadata.uid);
    const live = new Set<string>([status.currentRevision ?? "", status.updateRevision ?? ""]);
    for (const p of pods) {
      const r = p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      if (r) live.add(r);
    }
    for (const r of revisionsToTrim(all.length ? all : owned, live, ss.spec.revisionHistoryLimit ?? 10)) {
      try {
        this.ctx.api.delete("ControllerRevision", r.metadata.namespace ?? "", r.metadata.name ?? "", { uid: r.metadata.uid });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function statefulSetController(ctx: ControllerContext): Controller {
  return new StatefulSetController(ctx);
}
