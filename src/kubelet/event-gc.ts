/**
 * Events expire (the API server's --event-ttl, one hour by default): the kubelet's housekeeping removes events
 * last seen longer ago than the TTL, so a node that runs for months does not keep every event it ever made.
 */
import { ApiError } from "../api/errors.js";
import type { Event } from "../api/types.js";
import type { Store } from "../store/store.js";

/** Events last seen before now - ttl. */
export function expiredEvents(events: Event[], now: number, ttlMs: number): Event[] {
  return events.filter((e) => {
    const last = Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? "");
    return !Number.isNaN(last) && now - last > ttlMs;
  });
}

/** Deletes expired events; returns how many went. */
export function collectEvents(store: Store, now: number, ttlMs: number): number {
  let n = 0;
  for (const e of expiredEvents(store.list<Event>("Event").items, now, ttlMs)) {
    try {
      store.delete("Event", e.metadata.namespace ?? "default", e.metadata.name!, { uid: e.metadata.uid });
      n++;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  return n;
}
