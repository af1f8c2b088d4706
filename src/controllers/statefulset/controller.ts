/**
 * The StatefulSet controller's loop: informers on StatefulSets, Pods, claims and ControllerRevisions feed a work
 * queue of set keys; sync() claims the set's pods, finds or creates its update revision, asks reconcile.ts what to
 * do, applies it through the API, trims the revision history and writes status. Pod names are stable, so a stale
 * create only meets AlreadyExists (no expectations needed, as upstream).
 */
import type { ControllerRevision, PodTemplateSpec, StatefulSet } from "../../api/apps-types.js";
import { ApiError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import { matchLabelSelector } from "../../api/labels.js";
import type { PersistentVolumeClaim, Pod } from "../../api/types.js";
import { computeHash } from "../deployment/util.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { runWorkers } from "../foundation/controller.js";
import type { EventRecorder } from "../foundation/events.js";
import { objectKey, splitKey, type Informer } from "../foundation/informer.js";
import { WorkQueue } from "../foundation/work-queue.js";
import { controllerRef, newControllerRef } from "../workload/pods.js";
import { CONTROLLER_REVISION_HASH_LABEL, ensureRevision, newRevision, nextRevision, revisionData, revisionsToTrim } from "../workload/revisions.js";
import { ordinalOf } from "./identity.js";
import { planStatefulSet, statefulSetStatus, type StatefulSetAction } from "./reconcile.js";

const WORKERS = 5;
const NAME = "statefulset-controller";

/** The template a revision restores (its data without the `$patch` directive). */
export function revisionTemplate(cr: ControllerRevision): PodTemplateSpec | undefined {
  const t = (cr.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!t) return undefined;
  const { $patch: _directive, ...template } = t;
  return template as unknown as PodTemplateSpec;
}

export class StatefulSetController implements Controller {
  readonly name = NAME;
  private readonly queue: WorkQueue<string>;
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly events: EventRecorder;
  private done: Promise<void> | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue<string>(ctx.clock);
    this.sets = ctx.informers.informer<StatefulSet>("StatefulSet");
    this.pods = ctx.informers.informer<Pod>("Pod");
    this.claims = ctx.informers.informer<PersistentVolumeClaim>("PersistentVolumeClaim");
    this.revisions = ctx.informers.informer<ControllerRevision>("ControllerRevision");
    this.events = ctx.recorder(NAME);
  }

  start(): void {
    const enqueue = (ss: StatefulSet): void => this.queue.add(objectKey(ss));
    this.sets.addHandler({ onAdd: enqueue, onUpdate: (_, ss) => enqueue(ss), onDelete: enqueue });
    this.pods.addHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const before = this.owner(old);
        if (before && before !== this.owner(pod)) enqueue(before);
        this.podChanged(pod);
      },
      onDelete: (pod) => this.podChanged(pod),
    });
    // A claim that finishes deleting unblocks the pod waiting for it.
    this.claims.addHandler({ onDelete: (c) => this.sets.list(c.metadata.namespace ?? "").forEach(enqueue) });
    this.done = runWorkers(NAME, this.queue, WORKERS, (key) => this.sync(key), this.ctx.log);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.done;
  }

  private owner(pod: Pod): StatefulSet | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== "StatefulSet") return undefined;
    const ss = this.sets.get(pod.metadata.namespace ?? "", ref.name);
    return ss && ss.metadata.uid === ref.uid ? ss : undefined;
  }

  private podChanged(pod: Pod): void {
    const ss = this.owner(pod);
    if (ss) this.queue.add(objectKey(ss));
    else if (!controllerRef(pod)) for (const s of this.sets.list(pod.metadata.namespace ?? "")) if (this.adoptable(s, pod)) this.queue.add(objectKey(s));
  }

  /** An orphan the set may adopt: its selector matches and the name is one of the set's (isMemberOf). */
  private adoptable(ss: StatefulSet, pod: Pod): boolean {
    if (pod.metadata.deletionTimestamp || ordinalOf(ss, pod.metadata.name ?? "") < 0) return false;
    try {
      return matchLabelSelector(ss.spec.selector, pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  }

  /** The set's pods: owned ones, plus orphans it adopts; owned pods that stopped matching are released. */
  private claimPods(ss: StatefulSet): Pod[] {
    const out: Pod[] = [];
    for (const pod of this.pods.list(ss.metadata.namespace ?? "")) {
      const ref = controllerRef(pod);
      if (ref?.uid === ss.metadata.uid) {
        if (this.adoptable(ss, pod) || pod.metadata.deletionTimestamp) out.push(pod);
        else this.writePod({ ...pod, metadata: { ...pod.metadata, ownerReferences: (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== ss.metadata.uid) } });
      } else if (!ref && !ss.metadata.deletionTimestamp && this.adoptable(ss, pod)) {
        const adopted = this.writePod({ ...pod, metadata: { ...pod.metadata, ownerReferences: [...(pod.metadata.ownerReferences ?? []), newControllerRef(ss)] } });
        if (adopted) out.push(adopted);
      }
    }
    return out;
  }

  private writePod(pod: Pod): Pod | undefined {
    try {
      return this.ctx.api.update<Pod>(pod);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ss = this.sets.get(namespace, name);
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
      const latest = this.sets.get(namespace, name);
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
