/**
 * A map from a taken value (an IP, a port) to the object holding it, kept current from the store: a list, then a
 * watch from the list's resourceVersion. Allocators read it; only store writes change it, so a create that an
 * allocator approved but the store then refused (AlreadyExists, a later hook's veto) never leaks a value.
 */
import type { KubeObject, WatchEvent } from "../api/types.js";
import type { Store } from "../store/store.js";

export class ObjectIndex<T extends KubeObject> {
  /** value → "namespace/name" of the holder. */
  private readonly holders = new Map<string, string>();
  /** "namespace/name" → the values it holds. */
  private readonly held = new Map<string, string[]>();

  /** `valuesOf` says which values an object holds (e.g. its clusterIP). */
  constructor(private readonly valuesOf: (obj: T) => string[]) {}

  /** Loads the current objects of `kind` and follows changes; returns the function that stops following. */
  follow(store: Store, kind: string): () => void {
    const list = store.list<T>(kind);
    for (const obj of list.items) this.set(obj);
    return store.watch(kind, { resourceVersion: list.resourceVersion }, (ev: WatchEvent) => {
      if (ev.type === "DELETED") this.remove(ev.object as T);
      else if (ev.type === "ADDED" || ev.type === "MODIFIED") this.set(ev.object as T);
    });
  }

  /** Who holds `value`, or undefined. */
  holder(value: string): string | undefined {
    return this.holders.get(value);
  }

  get size(): number {
    return this.holders.size;
  }

  set(obj: T): void {
    this.remove(obj);
    const key = keyOf(obj);
    const values = this.valuesOf(obj);
    for (const v of values) this.holders.set(v, key);
    if (values.length) this.held.set(key, values);
  }

  remove(obj: T): void {
    const key = keyOf(obj);
    for (const v of this.held.get(key) ?? []) if (this.holders.get(v) === key) this.holders.delete(v);
    this.held.delete(key);
  }
}

export function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`;
}
