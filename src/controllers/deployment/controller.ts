/**
 * The Deployment controller's loop (pkg/controller/deployment), on the workload skeleton
 * (foundation/owner-controller.ts): informers on Deployments, ReplicaSets and Pods feed a queue of Deployment keys. sync() claims the Deployment's ReplicaSets (adopting matching orphans, releasing
 * those that stop matching), finds or creates the ReplicaSet of the current template (`NAME-HASH`, labelled and
 * selected by pod-template-hash, with the revision annotation), then — paused: only scales; replica count changed:
 * scales proportionally; Recreate: old to 0, wait for their pods to go, new to replicas; RollingUpdate: the steps
 * rollout.ts computes within maxSurge/maxUnavailable — cleans up history beyond revisionHistoryLimit once complete,
 * and writes status with the Available and Progressing conditions. A rollout that stops progressing is revisited
 * when its progress deadline passes.
 */
import type { Deployment, ReplicaSet } from "../../api/apps-types.js";
import { ApiError } from "../../api/errors.js";
import { clone, deepEqual } from "../../api/json.js";
import type { Pod } from "../../api/types.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { objectKey, splitKey, type Informer } from "../foundation/informer.js";
import { OwnerController } from "../foundation/owner-controller.js";
import { controllerRef, isPodActive, newControllerRef } from "../workload/pods.js";
import { compactStatus, deadlineIn, deploymentStatus, isComplete, newRSReplicas, oldRSScaleDown, proportionalScale, withProgress, type ScaleStep } from "./rollout.js";
import {
  byCreation,
  condition,
  copiedAnnotations,
  DESIRED_REPLICAS_ANNOTATION,
  maxRevision,
  newCondition,
  POD_TEMPLATE_HASH_LABEL,
  podTemplateHash,
  replicasAnnotations,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  revisionOf,
  setCondition,
  templatesEqual,
} from "./util.js";

export class DeploymentController extends OwnerController<Deployment> {
  private readonly sets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;

  constructor(ctx: ControllerContext) {
    super(ctx, "deployment-controller", "Deployment");
    this.sets = ctx.informers.informer<ReplicaSet>("ReplicaSet");
    this.pods = ctx.informers.informer<Pod>("Pod");
  }

  protected override watchDependents(): void {
    const rsChanged = (rs: ReplicaSet) => {
      const owner = this.ownerOf(rs);
      if (owner) this.enqueue(owner);
      else if (!controllerRef(rs)) for (const d of this.matchingOwners(rs)) this.enqueue(d);
    };
    this.sets.addHandler({
      onAdd: rsChanged,
      onUpdate: (old, rs) => {
        if (old === rs) return;
        const before = this.ownerOf(old);
        if (before && before !== this.ownerOf(rs)) this.enqueue(before);
        rsChanged(rs);
      },
      onDelete: rsChanged,
    });
    // Recreate waits for the old pods to be gone: their deletion moves it on.
    this.pods.addHandler({
      onDelete: (pod) => {
        const ref = controllerRef(pod);
        const rs = ref?.kind === "ReplicaSet" ? this.sets.get(pod.metadata.namespace ?? "", ref.name) : undefined;
        const d = rs && this.ownerOf(rs);
        if (d && d.spec.strategy?.type === "Recreate") this.enqueue(d);
      },
    });
  }

  /** syncDeployment. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.owners.get(namespace, name);
    if (!cached) return;
    let d = clone(cached);
    const sets = this.claim(d, this.sets.list(namespace));
    if (d.metadata.deletionTimestamp) return this.writeStatus(d, sets, this.findNew(d, sets));
    d = this.pausedCondition(d);
    let newRS = this.findNew(d, sets);
    if (d.spec.paused || this.isScalingEvent(d, sets)) {
      this.scale(d, newRS, sets);
      if (d.spec.paused && newRS && isComplete(d, deploymentStatus(d, this.current(sets), newRS, this.now()))) this.cleanup(d, sets, newRS);
      return this.writeStatus(d, this.current(sets), newRS && this.fresh(newRS));
    }
    if (!newRS && d.spec.strategy?.type !== "Recreate") newRS = this.createNew(d, sets);
    else if (newRS) newRS = this.adoptRevision(d, newRS, sets);
    if (d.spec.strategy?.type === "Recreate") return this.recreate(d, sets, newRS);
    return this.rolling(d, sets, newRS!);
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  /** The ReplicaSets as the cache now has them (after our own writes). */
  private current(sets: ReplicaSet[]): ReplicaSet[] {
    return sets.map((rs) => this.fresh(rs)).filter((rs): rs is ReplicaSet => rs !== undefined);
  }

  private fresh(rs: ReplicaSet): ReplicaSet | undefined {
    const cur = this.sets.get(rs.metadata.namespace ?? "", rs.metadata.name ?? "");
    return cur && cur.metadata.uid === rs.metadata.uid ? cur : undefined;
  }

  /** FindNewReplicaSet: the oldest set whose template equals the Deployment's (hash ignored). */
  private findNew(d: Deployment, sets: ReplicaSet[]): ReplicaSet | undefined {
    return [...sets].sort(byCreation).find((rs) => templatesEqual(rs.spec.template, d.spec.template));
  }

  /** Pause and resume show in the Progressing condition (checkPausedConditions). */
  private pausedCondition(d: Deployment): Deployment {
    const cur = condition(d.status, "Progressing");
    const paused = d.spec.paused === true;
    let c;
    if (paused && cur?.reason !== "DeploymentPaused") c = newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", this.now());
    else if (!paused && cur?.reason === "DeploymentPaused") c = newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", this.now());
    if (!c || d.spec.progressDeadlineSeconds === undefined) return d;
    const status = { ...d.status, conditions: setCondition(d.status?.conditions, c) };
    return { ...d, status: this.ctx.api.updateStatus<Deployment>({ ...d, status }).status };
  }

  /** isScalingEvent: an active set's desired-replicas annotation differs from spec.replicas. */
  private isScalingEvent(d: Deployment, sets: ReplicaSet[]): boolean {
    return sets.some((rs) => (rs.spec.replicas ?? 0) > 0 && rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== undefined && rs.metadata.annotations[DESIRED_REPLICAS_ANNOTATION] !== String(d.spec.replicas ?? 1));
  }

  /** scale(): one active set takes all replicas; a saturated new set means old ones go; else proportional. */
  private scale(d: Deployment, newRS: ReplicaSet | undefined, sets: ReplicaSet[]): void {
    const replicas = d.spec.replicas ?? 1;
    const active = sets.filter((rs) => (rs.spec.replicas ?? 0) > 0);
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? [...sets].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
      if (target) this.scaleRS(d, target, replicas);
      return;
    }
    if (newRS && (newRS.spec.replicas ?? 0) === replicas) {
      for (const rs of active) if (rs !== newRS) this.scaleRS(d, rs, 0);
      return;
    }
    if (d.spec.strategy?.type === "RollingUpdate" || !d.spec.strategy?.type) for (const step of proportionalScale(d, active)) this.scaleRS(d, step.rs, step.to);
  }

  /** Sets a ReplicaSet's size and replica annotations; records ScalingReplicaSet when the size moved. */
  private scaleRS(d: Deployment, rs: ReplicaSet, to: number): ReplicaSet {
    const cur = this.fresh(rs) ?? rs;
    const from = cur.spec.replicas ?? 0;
    const annotations = { ...cur.metadata.annotations, ...replicasAnnotations(d) };
    if (from === to && deepEqual(annotations, cur.metadata.annotations ?? {})) return cur;
    const updated = this.ctx.api.update<ReplicaSet>({ ...cur, metadata: { ...cur.metadata, annotations }, spec: { ...cur.spec, replicas: to, minReadySeconds: d.spec.minReadySeconds } });
    if (from !== to) this.events.event(d, "Normal", "ScalingReplicaSet", `Scaled ${to > from ? "up" : "down"} replica set ${cur.metadata.name} from ${from} to ${to}`);
    return updated;
  }

  private applySteps(d: Deployment, steps: ScaleStep[]): boolean {
    for (const s of steps) this.scaleRS(d, s.rs, s.to);
    return steps.length > 0;
  }

  /** The new set of the current template: `NAME-HASH`, selected by its hash, the next revision. */
  private createNew(d: Deployment, sets: ReplicaSet[]): ReplicaSet {
    const collision = d.status?.collisionCount;
    const hash = podTemplateHash(d.spec.template, collision);
    const template = clone(d.spec.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = clone(d.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const revision = String(maxRevision(sets) + 1);
    const all = this.current(sets);
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        annotations: { ...copiedAnnotations(d), ...replicasAnnotations(d), [REVISION_ANNOTATION]: revision },
        ownerReferences: [newControllerRef(d)],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds, selector, template },
    };
    rs.spec.replicas = newRSReplicas(d, all, rs);
    let created: ReplicaSet;
    try {
      created = this.ctx.api.create<ReplicaSet>(rs);
    } catch (err) {
      if (err instanceof ApiError && err.reason === "AlreadyExists") {
        // A set of that name with another template (a hash collision): bump collisionCount and try again later.
        const existing = this.sets.get(d.metadata.namespace ?? "", rs.metadata.name ?? "");
        if (existing && existing.metadata.uid && controllerRef(existing)?.uid === d.metadata.uid && templatesEqual(existing.spec.template, d.spec.template)) return existing;
        this.ctx.api.updateStatus<Deployment>({ ...d, status: { ...d.status, collisionCount: (collision ?? 0) + 1 } });
      }
      throw err;
    }
    if ((created.spec.replicas ?? 0) > 0) this.events.event(d, "Normal", "ScalingReplicaSet", `Scaled up replica set ${created.metadata.name} from 0 to ${created.spec.replicas}`);
    this.setRevision(d, revision);
    if (d.spec.progressDeadlineSeconds !== undefined) {
      const c = newCondition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${created.metadata.name}"`, this.now());
      const status = { ...d.status, conditions: setCondition(d.status?.conditions, c) };
      d.status = this.ctx.api.updateStatus<Deployment>({ ...this.latest(d), status }).status;
    }
    return created;
  }

  /** An old set whose template came back (rollback) becomes the newest revision (SetNewReplicaSetAnnotations). */
  private adoptRevision(d: Deployment, newRS: ReplicaSet, sets: ReplicaSet[]): ReplicaSet {
    const others = sets.filter((rs) => rs !== newRS);
    const maxOld = maxRevision(others);
    let rs = newRS;
    const own = revisionOf(newRS);
    if (own <= maxOld || rs.spec.minReadySeconds !== d.spec.minReadySeconds) {
      const annotations = { ...rs.metadata.annotations };
      if (own <= maxOld) {
        const next = String(maxOld + 1);
        if (own > 0) annotations[REVISION_HISTORY_ANNOTATION] = [annotations[REVISION_HISTORY_ANNOTATION], String(own)].filter(Boolean).join(",");
        annotations[REVISION_ANNOTATION] = next;
      }
      rs = this.ctx.api.update<ReplicaSet>({ ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rs.spec, minReadySeconds: d.spec.minReadySeconds } });
    }
    this.setRevision(d, String(revisionOf(rs)));
    if (d.spec.progressDeadlineSeconds !== undefined && !condition(d.status, "Progressing")) {
      const c = newCondition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${rs.metadata.name}"`, this.now());
      d.status = this.ctx.api.updateStatus<Deployment>({ ...this.latest(d), status: { ...d.status, conditions: setCondition(d.status?.conditions, c) } }).status;
    }
    return rs;
  }

  private latest(d: Deployment): Deployment {
    return this.owners.get(d.metadata.namespace ?? "", d.metadata.name ?? "") ?? d;
  }

  /** The Deployment carries its newest set's revision annotation. */
  private setRevision(d: Deployment, revision: string): void {
    const cur = this.latest(d);
    if (cur.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const updated = this.ctx.api.update<Deployment>({ ...cur, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, [REVISION_ANNOTATION]: revision } } });
    d.metadata = updated.metadata;
  }

  /** rolloutRolling: grow the new set within maxSurge, else shrink old ones within maxUnavailable, else finish. */
  private rolling(d: Deployment, sets: ReplicaSet[], newRS: ReplicaSet): void {
    let all = this.current([...sets.filter((rs) => rs.metadata.uid !== newRS.metadata.uid), newRS]);
    const fresh = this.fresh(newRS) ?? newRS;
    const want = newRSReplicas(d, all, fresh);
    if (want !== (fresh.spec.replicas ?? 0)) {
      this.scaleRS(d, fresh, Math.min(want, d.spec.replicas ?? 1));
      if (want > (fresh.spec.replicas ?? 0)) return this.writeStatus(d, this.current(all), this.fresh(fresh));
    }
    all = this.current(all);
    const cur = this.fresh(fresh);
    const old = all.filter((rs) => rs.metadata.uid !== fresh.metadata.uid && (rs.spec.replicas ?? 0) > 0);
    if (this.applySteps(d, oldRSScaleDown(d, old, cur))) return this.writeStatus(d, this.current(all), this.fresh(fresh));
    all = this.current(all);
    if (cur && isComplete(d, deploymentStatus(d, all, cur, this.now()))) this.cleanup(d, all, cur);
    this.writeStatus(d, this.current(all), this.fresh(fresh));
  }

  /** rolloutRecreate: old sets to 0, wait for their pods to end, then the new set to replicas. */
  private recreate(d: Deployment, sets: ReplicaSet[], newRS: ReplicaSet | undefined): void {
    const old = sets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
    let scaled = false;
    for (const rs of old) if ((rs.spec.replicas ?? 0) > 0) scaled = this.scaleRS(d, rs, 0) !== undefined || scaled;
    if (scaled) return this.writeStatus(d, this.current(sets), newRS && this.fresh(newRS));
    const oldUids = new Set(old.map((rs) => rs.metadata.uid));
    const running = this.pods.list(d.metadata.namespace ?? "").some((p) => oldUids.has(controllerRef(p)?.uid) && (isPodActive(p) || p.metadata.deletionTimestamp));
    if (running) return this.writeStatus(d, this.current(sets), newRS && this.fresh(newRS));
    const target = newRS ?? this.createNew(d, sets);
    this.scaleRS(d, target, d.spec.replicas ?? 1);
    const all = this.current([...old, target]);
    const cur = this.fresh(target);
    if (cur && isComplete(d, deploymentStatus(d, all, cur, this.now()))) this.cleanup(d, all, cur);
    this.writeStatus(d, this.current(all), cur);
  }

  /** cleanupDeployment: old sets with no replicas beyond revisionHistoryLimit are deleted, oldest revision first. */
  private cleanup(d: Deployment, sets: ReplicaSet[], newRS: ReplicaSet): void {
    const limit = d.spec.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const old = sets.filter((rs) => rs.metadata.uid !== newRS.metadata.uid && !rs.metadata.deletionTimestamp);
    let excess = old.length - limit;
    if (excess <= 0) return;
    for (const rs of old.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b))) {
      if (excess <= 0) break;
      if ((rs.spec.replicas ?? 0) !== 0 || (rs.status?.replicas ?? 0) !== 0 || (rs.status?.observedGeneration ?? 0) < (rs.metadata.generation ?? 0)) continue;
      try {
        this.ctx.api.delete("ReplicaSet", rs.metadata.namespace ?? "", rs.metadata.name ?? "", { uid: rs.metadata.uid, propagationPolicy: "Background" });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
      excess--;
    }
  }

  /** Writes the status (and its conditions) if it changed; revisits a stuck rollout at its deadline. */
  private writeStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): void {
    const cur = this.latest(d);
    const now = this.now();
    const full = withProgress(cur, deploymentStatus(cur, all, newRS, now), newRS, now);
    const status = compactStatus(full);
    if (!deepEqual(status, cur.status ?? {})) this.ctx.api.updateStatus<Deployment>({ ...cur, status });
    const wait = deadlineIn(cur, full, now);
    if (wait !== undefined) this.queue.addAfter(objectKey(cur), wait);
  }
}

export function deploymentController(ctx: ControllerContext): Controller {
  return new DeploymentController(ctx);
}
