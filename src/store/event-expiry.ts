/**
 * Events expire (the API server's --event-ttl, one hour by default). Upstream every write of an Event gives it an
 * etcd lease of the TTL, so an event goes once it has not been written (created, or counted into by the correlator)
 * for that long; a periodic sweep (cmd/upkeep-wiring.ts) does the same here from the store's record of when each
 * object was last written (sqlite-written.ts), a page of keys at a time, reading only the events that go (to tell
 * their watchers).
 * After a sweep that removed some, the store is compacted so the file shrinks with them.
 */
import { ApiError } from "../api/errors.js";
import type { Store, WrittenKey } from "./store.js";

/** Expired events deleted per page, yielding to the event loop between pages. */
const PAGE = 100;

/** Deletes the events last written more than ttlMs before `now`, then compacts the store if any went; returns how many went. */
export async function collectEvents(store: Store, now: number, ttlMs: number): Promise<number> {
  let n = 0;
  let after: WrittenKey | undefined;
  for (;;) {
    const keys = store.writtenBefore("Event", now - ttlMs, PAGE, after);
    for (const k of keys) n += remove(store, k);
    if (keys.length < PAGE) break;
    after = keys[keys.length - 1];
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (n > 0) {
    try {
      store.compact?.();
    } catch {
      // Best effort (a full disk can refuse the WAL checkpoint): the next sweep that removes events tries again.
    }
  }
  return n;
}

function remove(store: Store, k: WrittenKey): number {
  try {
    // The uid: an event of the same name made again since the page was read is a new one, not this.
    store.delete("Event", k.namespace, k.name, { uid: k.uid });
    return 1;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return 0;
  }
}
