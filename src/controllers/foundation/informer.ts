/**
 * A shared informer (client-go's SharedIndexInformer, in-process): lists a kind, then watches it from the list's
 * resourceVersion, keeps a cache of every object with indexes by namespace and by owner UID, and tells its
 * handlers of each add, update and delete. Every `resyncMs` it hands each cached object to onUpdate(obj, obj), so a
 * level-triggered controller revisits everything periodically. If the watch cannot resume (410 Expired), it lists
 * again and reports the differences as events. Handlers must be quick (they run inside the store write that caused
 * them): controllers only enqueue keys there.
 */
import { labelSelectorMatcher } from "../../api/labels.js";
import type { ObjectSource } from "../../api/object-api.js";
import type { KubeObject, LabelSelector, WatchEvent } from "../../api/types.js";
import type { Clock } from "./clock.js";

export interface InformerHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, cur: T): void;
  onDelete?(obj: T): void;
}

/** "namespace/name", the key of cache entries and work queues (cache.MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ""}` : obj.metadata.name ?? "";
}

/** The namespace and name of a key made by objectKey. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly handlers: InformerHandler<T>[] = [];
  private stopWatch: (() => void) | undefined;
  private resyncTimer: { cancel(): void } | undefined;
  private synced = false;

  constructor(
    private readonly source: ObjectSource,
    readonly kind: string,
    private readonly clock: Clock,
    private readonly resyncMs = 0,
  ) {}

  /** Adds a handler; when the informer already runs, the handler first gets onAdd for every cached object. */
  addHandler(h: InformerHandler<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const obj of this.cache.values()) h.onAdd?.(obj);
  }

  /** Lists, fills the cache (handlers get onAdd), then follows the watch. Idempotent. */
  start(): void {
    if (this.stopWatch) return;
    this.relist();
    this.scheduleResync();
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.resyncTimer?.cancel();
    this.resyncTimer = undefined;
  }

  /** True once the first list is in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.cache.values()];
    return this.fromKeys(this.byNamespace.get(namespace));
  }

  /** The objects of `namespace` whose labels match `selector` (an absent selector matches nothing). */
  listBySelector(namespace: string, selector: LabelSelector | undefined): T[] {
    if (!selector) return [];
    const m = labelSelectorMatcher(selector);
    return this.list(namespace).filter((o) => m.matches(o.metadata.labels ?? {}));
  }

  /** The objects that name `uid` in their ownerReferences. */
  byOwnerUid(uid: string): T[] {
    return this.fromKeys(this.byOwner.get(uid));
  }

  private fromKeys(keys: Set<string> | undefined): T[] {
    const out: T[] = [];
    for (const k of keys ?? []) {
      const o = this.cache.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  private relist(): void {
    this.stopWatch?.();
    const { items, resourceVersion } = this.source.list<T>(this.kind);
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(objectKey(obj));
      this.apply({ type: "MODIFIED", object: obj });
    }
    for (const [key, obj] of [...this.cache]) if (!seen.has(key)) this.apply({ type: "DELETED", object: obj });
    this.synced = true;
    this.stopWatch = this.source.watch(this.kind, { resourceVersion }, (ev) => this.onWatch(ev));
  }

  private onWatch(ev: WatchEvent): void {
    if (ev.type === "ERROR") {
      // The watch ended (history expired): start over from a fresh list, after the store's write returns.
      this.clock.setTimeout(() => this.relist(), 0);
      return;
    }
    if (ev.type === "ADDED" || ev.type === "MODIFIED" || ev.type === "DELETED") this.apply(ev);
  }

  private apply(ev: WatchEvent): void {
    const obj = ev.object as T;
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (old) this.unindex(key, old);
    if (ev.type === "DELETED") {
      this.cache.delete(key);
      if (old) for (const h of this.handlers) h.onDelete?.(old.metadata.uid === obj.metadata.uid ? obj : old);
      return;
    }
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) {
      this.index(key, old);
      return;
    }
    this.cache.set(key, obj);
    this.index(key, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }

  private index(key: string, obj: T): void {
    addTo(this.byNamespace, obj.metadata.namespace ?? "", key);
    for (const ref of obj.metadata.ownerReferences ?? []) addTo(this.byOwner, ref.uid, key);
  }

  private unindex(key: string, obj: T): void {
    removeFrom(this.byNamespace, obj.metadata.namespace ?? "", key);
    for (const ref of obj.metadata.ownerReferences ?? []) removeFrom(this.byOwner, ref.uid, key);
  }

  private scheduleResync(): void {
    if (this.resyncMs <= 0) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      for (const obj of this.cache.values()) for (const h of this.handlers) h.onUpdate?.(obj, obj);
      this.scheduleResync();
    }, this.resyncMs);
  }
}

function addTo(index: Map<string, Set<string>>, k: string, key: string): void {
  let s = index.get(k);
  if (!s) index.set(k, (s = new Set()));
  s.add(key);
}

function removeFrom(index: Map<string, Set<string>>, k: string, key: string): void {
  const s = index.get(k);
  if (!s) return;
  s.delete(key);
  if (s.size === 0) index.delete(k);
}

/** One informer per kind, shared by every controller that asks (SharedInformerFactory). */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    private readonly source: ObjectSource,
    private readonly clock: Clock,
    private readonly resyncMs = 0,
  ) {}

  informer<T extends KubeObject>(kind: string): Informer<T> {
    let inf = this.informers.get(kind);
    if (!inf) {
      inf = new Informer<KubeObject>(this.source, kind, this.clock, this.resyncMs);
      this.informers.set(kind, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  /** Starts every informer asked for so far (and those asked for later, at once). */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  stop(): void {
    for (const inf of this.informers.values()) inf.stop();
    this.started = false;
  }
}
