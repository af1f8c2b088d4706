/**
 * In-memory fan-out of committed changes to watchers, plus a bounded history so a watch can resume from a
 * resourceVersion (the role of the API server's watch cache). History older than what is kept answers ApiError
 * Expired (410), which tells clients to list again. The history is bounded by count and by bytes: objects of up to
 * 3 MiB each would otherwise let 10 000 events hold gigabytes.
 *
 * Delivery is ordered: an event published by a handler (a watcher that writes) is queued until the current event has
 * reached every watcher.
 */
import { ApiError } from "../api/errors.js";
import type { KubeObject, WatchEvent } from "../api/types.js";
import type { ObjectFilter } from "./filter.js";
import { cloneObject } from "./metadata.js";

/** One committed change. `old` is the object before a MODIFIED (for selector transitions). */
export interface StoredEvent {
  rv: number;
  kind: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  old?: KubeObject;
  /** What the event holds in memory, roughly (its objects' JSON length); counted against the history's bytes. */
  bytes?: number;
}

interface Subscriber {
  kind: string;
  filter: ObjectFilter;
  handler: (ev: WatchEvent) => void;
}

export class WatchHub {
  private readonly ring: (StoredEvent | undefined)[];
  private start = 0;
  private size = 0;
  private bytes = 0;
  /** Changes after `floor` are all in the history; resuming from an older version is Expired. */
  private floor: number;
  private readonly subscribers = new Set<Subscriber>();
  private readonly queue: StoredEvent[] = [];
  private draining = false;

  constructor(
    limit: number,
    startRv: number,
    private readonly maxBytes = Infinity,
  ) {
    this.ring = new Array<StoredEvent | undefined>(Math.max(1, limit));
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
  subscribe(kind: string, filter: ObjectFilter, fromRv: number | undefined, handler: (ev: WatchEvent) => void): () => void {
    const sub: Subscriber = { kind, filter, handler };
    if (fromRv !== undefined) {
      if (fromRv < this.floor) {
        throw new ApiError("Expired", `too old resource version: ${fromRv} (${this.floor + 1})`);
      }
      for (const ev of this.since(fromRv)) deliver(sub, ev);
    }
    this.subscribers.add(sub);
    return () => {
      this.subscribers.delete(sub);
    };
  }

  /** Number of registered watchers (for tests and leak checks). */
  get watcherCount(): number {
    return this.subscribers.size;
  }

  private remember(ev: StoredEvent): void {
    while (this.size > 0 && (this.size === this.ring.length || this.bytes + (ev.bytes ?? 0) > this.maxBytes)) this.evictOldest();
    this.ring[(this.start + this.size) % this.ring.length] = ev;
    this.size++;
    this.bytes += ev.bytes ?? 0;
  }

  private evictOldest(): void {
    const evicted = this.ring[this.start] as StoredEvent;
    this.ring[this.start] = undefined;
    this.floor = evicted.rv;
    this.bytes -= evicted.bytes ?? 0;
    this.start = (this.start + 1) % this.ring.length;
    this.size--;
  }

  private *since(rv: number): Generator<StoredEvent> {
    for (let i = 0; i < this.size; i++) {
      const ev = this.ring[(this.start + i) % this.ring.length] as StoredEvent;
      if (ev.rv > rv) yield ev;
    }
  }
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
