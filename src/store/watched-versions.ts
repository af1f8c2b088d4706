/**
 * What a watcher has been handed, key → resourceVersion (and uid): the base a watch lists again from when it lost
 * changes, as a reflector's relist does (client-go's Replace: objects new or changed since are ADDED or MODIFIED,
 * keys gone are DELETED carrying only the key and the uid last seen, its DeletedFinalStateUnknown). The one relist mechanism of the stores' watches: the
 * remote store's after a 410 (remote-store.ts) and the etcd store's in-process watchers after its watch stream fell
 * behind a compaction (etcd-store.ts).
 */
import type { KubeObject, WatchEvent } from "../api/types.js";

/** One key as the watcher last had it. */
export interface Watched {
  resourceVersion: string;
  /** Known when the watcher was handed the object (not from a list of keys alone). */
  uid?: string;
}

export class WatchedVersions {
  private readonly versions: Map<string, Watched>;

  /** `initial`: key ("namespace/name") → what the watcher already has (its list). */
  constructor(initial?: Map<string, Watched>) {
    this.versions = new Map(initial);
  }

  /** Records an event the watcher is handed. */
  note(ev: WatchEvent): void {
    if (ev.type !== "ADDED" && ev.type !== "MODIFIED" && ev.type !== "DELETED") return;
    const key = watchKey(ev.object);
    if (ev.type === "DELETED") this.versions.delete(key);
    else this.versions.set(key, watched(ev.object));
  }

  /**
   * The events that take the watcher from what it was handed to `items` (a fresh list of the same kind and
   * selectors), each recorded as handed: ADDED for a key it never had, MODIFIED for a new resourceVersion, DELETED
   * (the key alone: its last state went with the history) for a key no longer listed.
   */
  difference(items: readonly KubeObject[], kind: string, apiVersion: string): WatchEvent[] {
    const out: WatchEvent[] = [];
    const listed = new Set<string>();
    for (const obj of items) {
      const key = watchKey(obj);
      listed.add(key);
      const had = this.versions.get(key);
      if (had?.resourceVersion === obj.metadata.resourceVersion) continue;
      this.versions.set(key, watched(obj));
      out.push({ type: had === undefined ? "ADDED" : "MODIFIED", object: obj });
    }
    for (const [key, had] of [...this.versions]) {
      if (listed.has(key)) continue;
      this.versions.delete(key);
      const i = key.indexOf("/");
      const namespace = key.slice(0, i);
      const metadata = { name: key.slice(i + 1), ...(namespace ? { namespace } : {}), ...(had.uid ? { uid: had.uid } : {}) };
      out.push({ type: "DELETED", object: { kind, apiVersion, metadata } });
    }
    return out;
  }

  get size(): number {
    return this.versions.size;
  }
}

/** "namespace/name" ("/name" for a cluster-scoped object): namespaces hold no "/", so the first one splits. */
export function watchKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`;
}

/** What a watcher handed `obj` has of it. */
export function watched(obj: KubeObject): Watched {
  return obj.metadata.uid ? { resourceVersion: obj.metadata.resourceVersion ?? "", uid: obj.metadata.uid } : { resourceVersion: obj.metadata.resourceVersion ?? "" };
}

/** key → what a watcher has of `items` (the base of a watch started from their list). */
export function versionsOf(items: readonly KubeObject[]): Map<string, Watched> {
  return new Map(items.map((o) => [watchKey(o), watched(o)]));
}
