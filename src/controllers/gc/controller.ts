/**
 * The garbage collector's loop: informers on every kind that can own or be owned (resources.ts, minus Events and
 * the metrics views) keep a uid index; a queue of object keys is fed by every change (the object itself, the
 * dependents of a deleted object, the owners of a deleted dependent). sync() applies plan.ts through the API, so
 * pods are deleted gracefully and finalizers are removed as any client would. Before deleting a dependent whose
 * owners look gone, it asks the API for each owner (as upstream's attemptToDelete does), so a stale cache never
 * deletes what still has an owner.
 */
import { ApiError } from "../../api/errors.js";
import { RESOURCES, resourceForKind } from "../../api/resources.js";
import type { KubeObject, OwnerReference } from "../../api/types.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { runWorkers } from "../foundation/controller.js";
import type { Informer } from "../foundation/informer.js";
import { WorkQueue } from "../foundation/work-queue.js";
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, planDependent, planOwner } from "./plan.js";

const SKIP = new Set(["Event"]);
const WORKERS = 2;

/** The kinds the collector watches: every stored, watchable kind but Events. */
export function collectedKinds(): string[] {
  return RESOURCES.filter((r) => r.verbs.includes("watch") && r.group !== "metrics.k8s.io" && !SKIP.has(r.kind)).map((r) => r.kind);
}

function keyOf(obj: KubeObject): string {
  return `${obj.kind}|${obj.metadata.namespace ?? ""}|${obj.metadata.name ?? ""}`;
}

export class GarbageCollector implements Controller {
  readonly name = "garbage-collector";
  private readonly queue: WorkQueue<string>;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private done: Promise<void> | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.queue = new WorkQueue<string>(ctx.clock);
    for (const kind of collectedKinds()) this.informers.set(kind, ctx.informers.informer<KubeObject>(kind));
  }

  start(): void {
    for (const inf of this.informers.values()) {
      inf.addHandler({
        onAdd: (o) => this.interesting(o) && this.queue.add(keyOf(o)),
        onUpdate: (_, o) => this.interesting(o) && this.queue.add(keyOf(o)),
        onDelete: (o) => this.deleted(o),
      });
    }
    this.done = runWorkers(this.name, this.queue, WORKERS, (key) => this.sync(key), this.ctx.log);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.done;
  }

  private interesting(o: KubeObject): boolean {
    return (o.metadata.ownerReferences?.length ?? 0) > 0 || (o.metadata.deletionTimestamp !== undefined && (o.metadata.finalizers ?? []).some((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_FINALIZER));
  }

  /** A deleted object leaves its dependents dangling and may unblock its foreground-deleting owners. */
  private deleted(o: KubeObject): void {
    for (const d of this.dependentsOf(o)) this.queue.add(keyOf(d));
    for (const ref of o.metadata.ownerReferences ?? []) {
      const owner = this.cached(ref, o.metadata.namespace ?? "");
      if (owner) this.queue.add(keyOf(owner));
    }
  }

  private dependentsOf(owner: KubeObject): KubeObject[] {
    const uid = owner.metadata.uid ?? "";
    const out: KubeObject[] = [];
    for (const inf of this.informers.values()) out.push(...inf.byOwnerUid(uid));
    return out;
  }

  /** The cached owner a reference names (same uid), looked up in the dependent's namespace or cluster-wide. */
  private cached(ref: OwnerReference, namespace: string): KubeObject | undefined {
    const inf = this.informers.get(ref.kind);
    const info = resourceForKind(ref.kind);
    if (!inf || !info) return undefined;
    const o = inf.get(info.namespaced ? namespace : "", ref.name);
    return o && o.metadata.uid === ref.uid ? o : undefined;
  }

  /** Whether an owner exists, asked of the API (undefined: a kind the collector does not know). */
  private ownerExists(ref: OwnerReference, namespace: string): boolean | undefined {
    const info = resourceForKind(ref.kind);
    if (!info || !this.informers.has(ref.kind)) return undefined;
    const o = this.ctx.api.get(ref.kind, info.namespaced ? namespace : "", ref.name);
    return o !== undefined && o.metadata.uid === ref.uid;
  }

  async sync(key: string): Promise<void> {
    const [kind, namespace, name] = key.split("|");
    const info = resourceForKind(kind);
    if (!info) return;
    const obj = this.ctx.api.get<KubeObject>(kind, info.namespaced ? namespace : "", name);
    if (!obj) return;
    const asOwner = planOwner(obj, this.dependentsOf(obj));
    if (asOwner.kind === "orphan") {
      for (const d of asOwner.dependents) this.tolerate404(() => this.ctx.api.update({ ...d, metadata: { ...d.metadata, ownerReferences: dropRefs(d, [obj.metadata.uid ?? ""]) } }));
      return this.removeFinalizer(obj, ORPHAN_FINALIZER);
    }
    if (asOwner.kind === "foreground") {
      for (const d of asOwner.deleteDependents) {
        this.tolerate404(() => this.ctx.api.delete(d.kind, d.metadata.namespace ?? "", d.metadata.name ?? "", { uid: d.metadata.uid, propagationPolicy: "Foreground" }));
      }
      if (asOwner.done) this.removeFinalizer(obj, FOREGROUND_FINALIZER);
      return;
    }
    const asDependent = planDependent(obj, (ref) => this.ownerExists(ref, namespace));
    if (asDependent.kind === "deleteDangling") {
      this.tolerate404(() => this.ctx.api.delete(kind, namespace, name, { uid: obj.metadata.uid, propagationPolicy: "Background" }));
    } else if (asDependent.kind === "dropRefs") {
      this.tolerate404(() => this.ctx.api.update({ ...obj, metadata: { ...obj.metadata, ownerReferences: dropRefs(obj, asDependent.uids) } }));
    }
  }

  private removeFinalizer(obj: KubeObject, finalizer: string): void {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.tolerate404(() => this.ctx.api.update({ ...obj, metadata: { ...obj.metadata, finalizers: finalizers.length ? finalizers : undefined } }));
  }

  private tolerate404(fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}

function dropRefs(obj: KubeObject, uids: string[]): OwnerReference[] | undefined {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
  return refs.length ? refs : undefined;
}

export function garbageCollector(ctx: ControllerContext): Controller {
  return new GarbageCollector(ctx);
}
