/**
 * The skeleton every workload controller shares (the part of pkg/controller/{replicaset,deployment,job,...} that is
 * the same in each): a work queue of owner keys fed by an informer on the owner kind, N workers calling sync(key),
 * an event recorder, finding a dependent's owner by its controllerRef, the owners that could adopt an orphan, and
 * claiming dependents (adopt matching orphans, release what stopped matching) through the API.
 *
 * A controller extends it with its kind, says how dependents map to owner keys (watchDependents) and implements
 * sync(key): read the cache, decide with pure functions, write through ctx.api. A thrown error requeues the key
 * with back-off; returning normally forgets its back-off.
 */
import { ApiError } from "../../api/errors.js";
import { selects } from "../../api/labels.js";
import type { KubeObject, LabelSelector } from "../../api/types.js";
import { controllerRef } from "../workload/pods.js";
import { adopted, claimDependents, released } from "./claims.js";
import { runWorkers, type Controller, type ControllerContext } from "./controller.js";
import type { EventRecorder } from "./events.js";
import { objectKey, type Informer } from "./informer.js";
import { WorkQueue } from "./work-queue.js";

/** An owner kind: anything with a label selector in its spec. */
export type SelectorOwner = KubeObject & { spec: { selector?: LabelSelector } };

export abstract class OwnerController<T extends SelectorOwner> implements Controller {
  protected readonly queue: WorkQueue<string>;
  /** The cache of the owner kind. */
  protected readonly owners: Informer<T>;
  protected readonly events: EventRecorder;
  private done: Promise<void> | undefined;

  constructor(
    protected readonly ctx: ControllerContext,
    readonly name: string,
    /** The owner kind ("ReplicaSet"), as in the owner's controllerRef. */
    protected readonly kind: string,
    private readonly workers = 5,
  ) {
    this.queue = new WorkQueue<string>(ctx.clock);
    this.owners = ctx.informers.informer<T>(kind);
    this.events = ctx.recorder(name);
  }

  start(): void {
    this.owners.addHandler({
      onAdd: (o) => this.enqueue(o),
      onUpdate: (_, o) => this.enqueue(o),
      onDelete: (o) => {
        this.ownerDeleted(objectKey(o));
        this.enqueue(o);
      },
    });
    this.watchDependents();
    this.done = runWorkers(this.name, this.queue, this.workers, (key) => this.sync(key), this.ctx.log);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.done;
  }

  /** Reconciles one owner by its key ("ns/name"). */
  abstract sync(key: string): Promise<void>;

  /** Registers the handlers on the dependents' informers (map each to its owner's key). */
  protected abstract watchDependents(): void;

  /** An owner left the cache (forget per-owner state such as expectations). */
  protected ownerDeleted(_key: string): void {}

  protected enqueue(owner: T): void {
    this.queue.add(objectKey(owner));
  }

  /** The owner a dependent's controllerRef names, if it is of this kind and still the same object (uid). */
  protected ownerOf(dep: KubeObject): T | undefined {
    const ref = controllerRef(dep);
    if (!ref || ref.kind !== this.kind) return undefined;
    const owner = this.owners.get(dep.metadata.namespace ?? "", ref.name);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  }

  /** Owners of the dependent's namespace whose selector matches it (candidates to adopt an orphan). */
  protected matchingOwners(dep: KubeObject): T[] {
    return this.owners.list(dep.metadata.namespace ?? "").filter((o) => selects(o.spec.selector, dep.metadata.labels));
  }

  /**
   * Claims `candidates` for `owner` through the API: matching orphans are adopted, owned dependents that stopped
   * matching are released. Returns the owned ones (an orphan deleted before its adoption is not among them).
   */
  protected claim<D extends KubeObject>(owner: T, candidates: D[]): D[] {
    const claims = claimDependents(owner, owner.spec.selector, candidates);
    for (const dep of claims.release) this.updateIfPresent(released(owner, dep));
    const adopting = new Set(claims.adopt);
    const owned: D[] = [];
    for (const dep of claims.owned) {
      if (!adopting.has(dep)) owned.push(dep);
      else {
        const now = this.updateIfPresent(this.adoptedForm(owner, dep));
        if (now) owned.push(now);
      }
    }
    return owned;
  }

  /** The dependent as adopting it writes it: with `owner` as its controller (a kind may add more, as Job its finalizer). */
  protected adoptedForm<D extends KubeObject>(owner: T, dep: D): D {
    return adopted(owner, dep);
  }

  /** An update on the version read; an object deleted meanwhile is skipped (undefined). */
  protected updateIfPresent<D extends KubeObject>(obj: D): D | undefined {
    try {
      return this.ctx.api.update<D>(obj);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }
}
