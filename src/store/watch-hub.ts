/**
 * In-memory fan-out of committed changes to watchers, plus a bounded history so a watch can resume from a
 * resourceVersion (the role of the API server's watch cache) and a paged list can be read as of the resourceVersion
 * of its first page. History older than what is kept answers ApiError Expired (410), which tells clients to list
 * again.
 *
 * The history is bounded by count and by bytes, and holds each change as the JSON text the store wrote rather than
 * as objects: 10 000 pod changes held as objects (new and old) were ~150 MB of the daemon's heap under churn, the
 * same changes as text a tenth of that, and the byte bound keeps big objects from stretching it.
 *
 * Delivery is ordered: an event published by a handler (a watcher that writes) is queued until the current event has
 * reached every watcher.
 */
import { ApiError } from "../api/errors.js";
import type { KubeObject, WatchEvent } from "../api/types.js";
import { objectFilter, type ObjectFilter } from "./filter.js";
import { cloneObject } from "./metadata.js";
import type { WatchOptions } from "./store.js";

/**
 * One committed change. `old` is the object before a MODIFIED (for selector transitions); `json` and `oldJson` are
 * their text as stored, and `priorRv` the deleted object's resourceVersion before its deletion.
 */
export interface StoredEvent {
  rv: number;
  kind: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  old?: KubeObject;
  json: string;
  oldJson?: string;
  priorRv?: string;
}

/** A change as the history keeps it: text, parsed again only when a watch resumes or a page needs it. */
interface Remembered {
  rv: number;
  kind: string;
  namespace: string;
  name: string;
  type: StoredEvent["type"];
  json: string;
  oldJson?: string;
  priorRv?: string;
}

/** What a key looked like before the first change after some resourceVersion (undefined: it did not exist). */
export interface PriorState {
  namespace: string;
  name: string;
  before: () => KubeObject | undefined;
}

interface Subscriber {
  kind: string;
  filter: ObjectFilter;
  handler: (ev: WatchEvent) => void;
}

export interface HistoryLimits {
  /** Changes kept at most. */
  count: number;
  /** Bytes of JSON text kept at most (the newest change is always kept). */
  bytes: number;
}

export class WatchHub {
  private readonly ring: (Remembered | undefined)[];
  private start = 0;
  private size = 0;
  private bytes = 0;
  /** Changes after `floor` are all in the history; resuming from an older version is Expired. */
  private floor: number;
  private readonly subscribers = new Set<Subscriber>();
  private readonly queue: StoredEvent[] = [];
  private draining = false;

  constructor(
    private readonly limits: HistoryLimits,
    startRv: number,
  ) {
    this.ring = new Array<Remembered | undefined>(Math.max(1, limits.count));
    this.floor = startRv;
  }

  /** Records a committed change and delivers it to every watcher whose filter it passes. */
  publish(ev: StoredEvent): void {
    this.remember(ev);
    this.queue.push(ev);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const sub of [...this.subscribers]) {
          if (this.subscribers.has(sub)) deliver(sub, next);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Registers a watcher. With `fromRv`, first replays every retained change after it (throws ApiError Expired when
   * the history no longer reaches back that far). Returns the function that unregisters it.
   */
  /**
   * A backend's watch() over this hub, by WatchOptions.resourceVersion: "" from now on, "0" every current object
   * (`list`) as ADDED and then changes, "N" every change after N. A list's revision can be ahead of the hub (etcd's
   * changes still on their way from its watch stream): changes at or below N are never told again.
   */
  watchFrom(kind: string, opts: WatchOptions, list: () => readonly KubeObject[], handler: (ev: WatchEvent) => void): () => void {
    const filter = objectFilter(opts);
    const from = opts.resourceVersion ?? "";
    if (from === "" || from === "0") {
      const unsubscribe = this.subscribe(kind, filter, undefined, handler);
      if (from === "0") for (const object of list()) handler({ type: "ADDED", object });
      return unsubscribe;
    }
    if (!/^\d+$/.test(from)) throw ApiError.badRequest(`invalid resourceVersion "${from}": not a number`);
    const after = Number(from);
    return this.subscribe(kind, filter, after, (ev) => {
      if (Number(ev.object.metadata.resourceVersion) > after) handler(ev);
    });
  }

  subscribe(kind: string, filter: ObjectFilter, fromRv: number | undefined, handler: (ev: WatchEvent) => void): () => void {
    const sub: Subscriber = { kind, filter, handler };
    if (fromRv !== undefined) {
      this.requireHistory(fromRv);
      for (const r of this.since(fromRv)) if (r.kind === kind) deliver(sub, revive(r));
    }
    this.subscribers.add(sub);
    return () => {
      this.subscribers.delete(sub);
    };
  }

  /**
   * Forgets the changes up to `rv`: resuming from before it is Expired from now on (the history of a backend whose
   * own store compacted it away, as etcd's compaction does).
   */
  expire(rv: number): void {
    while (this.size > 0 && (this.ring[this.start] as Remembered).rv <= rv) this.forgetOldest();
    if (rv > this.floor) this.floor = rv;
  }

  /** True when every change after `rv` is still in the history. */
  reaches(rv: number): boolean {
    return rv >= this.floor;
  }

  /**
   * Each key of `kind` changed after `rv`, with its state as of `rv`, for reading the store as it was then.
   * Throws ApiError Expired when the history does not reach back to `rv`.
   */
  priorStates(kind: string, rv: number): Map<string, PriorState> {
    this.requireHistory(rv);
    const out = new Map<string, PriorState>();
    for (const r of this.since(rv)) {
      if (r.kind !== kind) continue;
      const key = `${r.namespace}\0${r.name}`;
      if (!out.has(key)) out.set(key, { namespace: r.namespace, name: r.name, before: () => stateBefore(r) });
    }
    return out;
  }

  /** Number of registered watchers (for tests and leak checks). */
  get watcherCount(): number {
    return this.subscribers.size;
  }

  /** Changes and bytes held in the history (for tests and the soak). */
  get historySize(): { count: number; bytes: number } {
    return { count: this.size, bytes: this.bytes };
  }

  private requireHistory(rv: number): void {
    if (rv < this.floor) throw new ApiError("Expired", `too old resource version: ${rv} (${this.floor + 1})`);
  }

  private remember(ev: StoredEvent): void {
    const m = ev.object.metadata;
    const r: Remembered = { rv: ev.rv, kind: ev.kind, namespace: m.namespace ?? "", name: m.name ?? "", type: ev.type, json: ev.json };
    if (ev.type === "MODIFIED") r.oldJson = ev.oldJson;
    if (ev.type === "DELETED") r.priorRv = ev.priorRv;
    const cost = r.json.length + (r.oldJson?.length ?? 0);
    while (this.size > 0 && (this.size === this.ring.length || this.bytes + cost > this.limits.bytes)) this.forgetOldest();
    this.ring[(this.start + this.size) % this.ring.length] = r;
    this.size++;
    this.bytes += cost;
  }

  private forgetOldest(): void {
    const evicted = this.ring[this.start] as Remembered;
    this.ring[this.start] = undefined;
    this.floor = evicted.rv;
    this.bytes -= evicted.json.length + (evicted.oldJson?.length ?? 0);
    this.start = (this.start + 1) % this.ring.length;
    this.size--;
  }

  private *since(rv: number): Generator<Remembered> {
    for (let i = 0; i < this.size; i++) {
      const r = this.ring[(this.start + i) % this.ring.length] as Remembered;
      if (r.rv > rv) yield r;
    }
  }
}

/** A remembered change as a StoredEvent again (for a resuming watcher). */
function revive(r: Remembered): StoredEvent {
  const ev: StoredEvent = { rv: r.rv, kind: r.kind, type: r.type, object: JSON.parse(r.json) as KubeObject, json: r.json };
  if (r.oldJson !== undefined) ev.old = JSON.parse(r.oldJson) as KubeObject;
  return ev;
}

/** The object as it was just before change `r`. */
function stateBefore(r: Remembered): KubeObject | undefined {
  if (r.type === "ADDED") return undefined;
  if (r.type === "MODIFIED") return r.oldJson === undefined ? undefined : (JSON.parse(r.oldJson) as KubeObject);
  const obj = JSON.parse(r.json) as KubeObject;
  if (r.priorRv !== undefined) obj.metadata.resourceVersion = r.priorRv;
  return obj;
}

/**
 * Delivers one change as the watcher sees it through its filter: an object that starts matching arrives as ADDED,
 * one that stops matching as DELETED (carrying the old object at the new resourceVersion), as the API server's
 * cacheWatcher does.
 */
function deliver(sub: Subscriber, ev: StoredEvent): void {
  if (ev.kind !== sub.kind) return;
  let out: WatchEvent | undefined;
  if (ev.type === "MODIFIED" && ev.old) {
    const now = sub.filter(ev.object);
    const before = sub.filter(ev.old);
    if (now) out = { type: before ? "MODIFIED" : "ADDED", object: ev.object };
    else if (before) {
      const gone = cloneObject(ev.old);
      gone.metadata.resourceVersion = String(ev.rv);
      out = { type: "DELETED", object: gone };
    }
  } else if (sub.filter(ev.object)) {
    out = { type: ev.type, object: ev.object };
  }
  if (!out) return;
  try {
    sub.handler({ type: out.type, object: cloneObject(out.object) });
  } catch {
    // A failing watcher must not break the writer or the other watchers; it owns its errors.
  }
}
