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
 *
 * A backend that lost changes it should have delivered (etcd's watch stream fell behind a compaction) says so with
 * lost(): a watcher that can list again (`relist`) does, the others are handed an ERROR (410 Expired) and removed,
 * as the apiserver's watch cache ends its watchers when its own reflector relists.
 */
import { ApiError } from "../api/errors.js";
import type { KubeObject, WatchEvent } from "../api/types.js";
import { objectFilter, type ObjectFilter } from "./filter.js";
import { cloneObject } from "./metadata.js";
import type { WatchOptions } from "./store.js";

/**
 * One committed change. `old` is the object before a MODIFIED (for selector transitions); `json` and `oldJson` are
 * their text as stored (`JSON.stringify` of `object` and `old`: each watcher gets its own copy parsed from it), and
 * `priorRv` the deleted object's resourceVersion before its deletion.
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
  /** Brings the watcher up to date after lost changes (lists again); throws when it cannot now. */
  relist?: () => void;
}

/** The message of the apiserver's etcd watcher when etcd compacted past it (interpretWatchError, ErrCompacted). */
export const LOST_CHANGES_MESSAGE = "The resourceVersion for the provided watch is too old.";

/** The ERROR event that ends a watch whose history is gone (410 Expired); its object is the Status. */
export function expiredEvent(message: string): WatchEvent {
  return { type: "ERROR", object: new ApiError("Expired", message).toStatus() };
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
  /** Watchers still to relist after lost changes (their relist failed): nothing is delivered to them meanwhile. */
  private readonly stale = new Set<Subscriber>();

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
    this.drain();
  }

  /**
   * The backend lost changes after the ones published so far: each watcher with `relist` lists again (now, or at
   * retryRelists() while it cannot), each other one is handed ERROR 410 Expired and removed.
   */
  lost(): void {
    for (const sub of this.subscribers) if (sub.relist) this.stale.add(sub);
    this.drain(() => {
      for (const sub of [...this.subscribers]) {
        if (sub.relist) continue;
        this.subscribers.delete(sub);
        call(sub, expiredEvent(LOST_CHANGES_MESSAGE));
      }
      this.relistStale();
    });
  }

  /** Retries the relists that failed (the backend was unreachable); true when none is left. */
  retryRelists(): boolean {
    if (this.stale.size > 0) this.drain(() => this.relistStale());
    return this.stale.size === 0;
  }

  /** Runs `first`, then delivers what is queued, unless a delivery is already under way (which will). */
  private drain(first?: () => void): void {
    if (this.draining) {
      first?.();
      return;
    }
    this.draining = true;
    try {
      first?.();
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const sub of [...this.subscribers]) {
          if (this.subscribers.has(sub) && !this.stale.has(sub)) deliver(sub, next);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private relistStale(): void {
    for (const sub of [...this.stale]) {
      if (!this.subscribers.has(sub)) {
        this.stale.delete(sub);
        continue;
      }
      try {
        sub.relist!();
        this.stale.delete(sub);
      } catch {
        // Still unreachable: retryRelists() tries again; the watcher hears nothing until then.
      }
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
  watchFrom(kind: string, opts: WatchOptions, list: () => readonly KubeObject[], handler: (ev: WatchEvent) => void, relist?: () => void): () => void {
    const filter = objectFilter(opts);
    const from = opts.resourceVersion ?? "";
    if (from === "" || from === "0") {
      const unsubscribe = this.subscribe(kind, filter, undefined, handler, relist);
      if (from === "0") for (const object of list()) handler({ type: "ADDED", object });
      return unsubscribe;
    }
    const after = resumeRevision(from);
    return this.subscribe(kind, filter, after, (ev) => {
      if (Number(ev.object.metadata.resourceVersion) > after) handler(ev);
    }, relist);
  }

  subscribe(kind: string, filter: ObjectFilter, fromRv: number | undefined, handler: (ev: WatchEvent) => void, relist?: () => void): () => void {
    const sub: Subscriber = { kind, filter, handler, relist };
    if (fromRv !== undefined) {
      this.requireHistory(fromRv);
      for (const r of this.since(fromRv)) if (r.kind === kind) deliver(sub, revive(r));
    }
    this.subscribers.add(sub);
    return () => {
      this.subscribers.delete(sub);
      this.stale.delete(sub);
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

  /** Throws ApiError Expired unless every change after `rv` is in the history. */
  requireHistory(rv: number): void {
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
  // Each watcher's copy is parsed from the committed text (a stringify and a parse per watcher before: a pod write
  // reaches a dozen watchers in the daemon).
  if (ev.type === "MODIFIED" && ev.old) {
    const now = sub.filter(ev.object);
    const before = sub.filter(ev.old);
    if (now) out = { type: before ? "MODIFIED" : "ADDED", object: JSON.parse(ev.json) as KubeObject };
    else if (before) {
      const gone = cloneObject(ev.old);
      gone.metadata.resourceVersion = String(ev.rv);
      out = { type: "DELETED", object: gone };
    }
  } else if (sub.filter(ev.object)) {
    out = { type: ev.type, object: JSON.parse(ev.json) as KubeObject };
  }
  if (!out) return;
  call(sub, out);
}

function call(sub: Subscriber, ev: WatchEvent): void {
  try {
    sub.handler(ev);
  } catch {
    // A failing watcher must not break the writer or the other watchers; it owns its errors.
  }
}

/** A watch's resourceVersion "N" as the revision it resumes after; BadRequest when it is not a number. */
export function resumeRevision(from: string): number {
  if (!/^\d+$/.test(from)) throw ApiError.badRequest(`invalid resourceVersion "${from}": not a number`);
  return Number(from);
}
