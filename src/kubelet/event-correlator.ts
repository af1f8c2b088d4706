/**
 * What client-go's EventCorrelator (tools/record/events_cache.go) does to every event a kubelet records, before it
 * reaches the API, with upstream's constants:
 *
 * - **aggregation**: events about one object that differ only in their message (same source, object, type, reason)
 *   are counted per 10 minutes; from the 10th distinct message on, they become one event whose message is
 *   `(combined from similar events): <latest message>`, counted like any repeat;
 * - **counting**: an event identical to an earlier one (message included) updates that one's count and
 *   lastTimestamp instead of making a new object;
 * - **spam filter**: each source+object has a token bucket of 25 events refilled at 1 per 5 minutes; events beyond
 *   it are dropped.
 *
 * State lives in three LRU caches of 4096 entries each, so the correlator's memory is bounded whatever the churn
 * (it replaced a map keyed by pod uid that grew by one entry per distinct event). Pure apart from the clock.
 */
import type { Event } from "../api/types.js";
import { rfc3339 } from "../api/time.js";

export const MAX_LRU_ENTRIES = 4096;
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600_000;
export const SPAM_BURST = 25;
export const SPAM_QPS = 1 / 300;

/** A least-recently-used map of bounded size: `get` and `set` make an entry the newest; the oldest goes first. */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * A token bucket read on demand (flowcontrol's passive rate limiter): starts full with `burst` tokens and refills
 * at `qps` per second up to `burst`. qps 0 means no limit.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly qps: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  tryAccept(now: number): boolean {
    if (this.qps <= 0) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** What to do with an event: drop it, or write it (as a new object, or as a count update of the one named). */
export type Correlation = { skip: true } | { skip: false; event: Event; update: boolean };

interface AggregateRecord {
  messages: Set<string>;
  last: number;
}

interface Observation {
  count: number;
  firstTimestamp?: string;
  name: string;
}

const ref = (e: Event) => {
  const o = e.involvedObject;
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion];
};
/** Identical events: everything but the timestamps (getEventKey). */
const eventKey = (e: Event) => [...ref(e).slice(0, 5), e.involvedObject.fieldPath, ...ref(e).slice(5), e.type, e.reason, e.message].join("\0");
/** Similar events: everything but the message (EventAggregatorByReasonFunc). */
const aggregateKey = (e: Event) => [...ref(e), e.type, e.reason, e.reportingComponent, e.reportingInstance].join("\0");
/** One bucket per source and object (getSpamKey). */
const spamKey = (e: Event) => ref(e).join("\0");

export class EventCorrelator {
  private readonly aggregates = new Lru<AggregateRecord>(MAX_LRU_ENTRIES);
  private readonly observed = new Lru<Observation>(MAX_LRU_ENTRIES);
  private readonly spam = new Lru<TokenBucket>(MAX_LRU_ENTRIES);
  /** The cache key of each event handed out, until updateState sees it written. */
  private readonly pendingKey = new WeakMap<Event, string>();

  constructor(private readonly now: () => number) {}

  /**
   * Aggregates, counts and filters `ev` (a new event, count 1, named `<object>.<nanoseconds in hex>`), as
   * EventCorrelate does. The event returned is the one to write: `update` says it names an existing event whose
   * count it carries.
   */
  correlate(ev: Event): Correlation {
    const now = this.now();
    const { event, key } = this.aggregate(ev, now);
    const seen = this.observed.get(key);
    const out: Event = seen && seen.count > 0
      ? { ...event, metadata: { ...event.metadata, name: seen.name }, count: seen.count + 1, firstTimestamp: seen.firstTimestamp }
      : event;
    this.observed.set(key, { count: out.count ?? 1, firstTimestamp: out.firstTimestamp, name: out.metadata.name! });
    const sk = spamKey(out);
    const bucket = this.spam.get(sk) ?? new TokenBucket(SPAM_QPS, SPAM_BURST, now);
    this.spam.set(sk, bucket);
    if (!bucket.tryAccept(now)) return { skip: true };
    this.pendingKey.set(out, key);
    return { skip: false, event: out, update: out !== event };
  }

  /** Records what the store holds after the write of `sent` (its count may differ when the old one was gone). */
  updateState(sent: Event, stored: Event): void {
    const key = this.pendingKey.get(sent) ?? eventKey(stored);
    this.observed.set(key, { count: stored.count ?? 1, firstTimestamp: stored.firstTimestamp, name: stored.metadata.name! });
  }

  private aggregate(ev: Event, now: number): { event: Event; key: string } {
    const akey = aggregateKey(ev);
    let record = this.aggregates.get(akey);
    if (!record || now - record.last > AGGREGATE_INTERVAL_MS) record = { messages: new Set(), last: now };
    record.messages.add(ev.message ?? "");
    record.last = now;
    this.aggregates.set(akey, record);
    if (record.messages.size < AGGREGATE_MAX_EVENTS) return { event: ev, key: eventKey(ev) };
    // Keep the set at its maximum: any one message goes (sets.String.PopAny).
    record.messages.delete(record.messages.values().next().value as string);
    const stamp = rfc3339(now);
    const combined: Event = {
      ...ev,
      metadata: { name: `${ev.involvedObject.name}.${(BigInt(now) * 1_000_000n).toString(16)}`, namespace: ev.metadata.namespace },
      message: `(combined from similar events): ${ev.message ?? ""}`,
      count: 1,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
    };
    return { event: combined, key: akey };
  }
}
