/**
 * Events expire (the API server's --event-ttl, one hour by default): the kubelet's housekeeping removes events
 * last seen longer ago than the TTL, so a node that runs for months does not keep every event it ever made. The
 * events are read a page at a time (a node can hold tens of thousands), and after a sweep that removed some the
 * store is compacted so the file shrinks with them.
 */
import { ApiError } from "../api/errors.js";
import type { Event } from "../api/types.js";
import type { Store } from "../store/store.js";

/**
 * Events read per page while sweeping: few enough that a page's parsed events die in V8's young generation (a page
 * of 500 outlived it, and every sweep then grew the old generation by the size of the whole event table).
 */
const PAGE = 100;

/** Events last seen before now - ttl. */
export function expiredEvents(events: Event[], now: number, ttlMs: number): Event[] {
  return events.filter((e) => {
    const last = Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? "");
    return !Number.isNaN(last) && now - last > ttlMs;
  });
}

/**
 * Deletes expired events, then compacts the store if any went; returns how many went. Yields to the event loop
 * between pages: a sweep over 50,000 events parses them all, which must not hold up the API for seconds.
 */
export async function collectEvents(store: Store, now: number, ttlMs: number): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    let page;
    try {
      page = store.list<Event>("Event", { limit: PAGE, continue: token, countRemaining: false });
    } catch (err) {
      // The sweep's own deletes can outrun the history its version needs (410): a sweep needs no consistent
      // version, so it goes on with the remainder as the store is now, as the error offers.
      if (err instanceof ApiError && err.code === 410 && err.listContinue) {
        token = err.listContinue;
        continue;
      }
      throw err;
    }
    for (const e of expiredEvents(page.items, now, ttlMs)) n += remove(store, e);
    token = page.continue;
    if (token) await new Promise((resolve) => setImmediate(resolve));
  } while (token);
  if (n > 0) {
    try {
      store.compact?.();
    } catch {
      // Best effort (a full disk can refuse the WAL checkpoint): the next sweep that removes events tries again.
    }
  }
  return n;
}

function remove(store: Store, e: Event): number {
  try {
    store.delete("Event", e.metadata.namespace ?? "default", e.metadata.name!, { uid: e.metadata.uid });
    return 1;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return 0;
  }
}
