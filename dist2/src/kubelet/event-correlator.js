export const MAX_LRU_ENTRIES = 4096;
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600_000;
export const SPAM_BURST = 25;
export const SPAM_QPS = 1 / 300;
/** A least-recently-used map of bounded size: `get` and `set` make an entry the newest; the oldest goes first. */
export class Lru {
    max;
    map = new Map();
    constructor(max) {
        this.max = max;
    }
    get(key) {
        const v = this.map.get(key);
        if (v !== undefined) {
            this.map.delete(key);
            this.map.set(key, v);
        }
        return v;
    }
    set(key, v) {
        this.map.delete(key);
        this.map.set(key, v);
        if (this.map.size > this.max)
            this.map.delete(this.map.keys().next().value);
    }
    get size() {
        return this.map.size;
    }
}
/**
 * A token bucket read on demand (flowcontrol's passive rate limiter): starts full with `burst` tokens and refills
 * at `qps` per second up to `burst`. qps 0 means no limit.
 */
export class TokenBucket {
    qps;
    burst;
    tokens;
    last;
    constructor(qps, burst, now) {
        this.qps = qps;
        this.burst = burst;
        this.tokens = burst;
        this.last = now;
    }
    tryAccept(now) {
        if (this.qps <= 0)
            return true;
        this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
        this.last = now;
        if (this.tokens < 1)
            return false;
        this.tokens -= 1;
        return true;
    }
}
const ref = (e) => {
    const o = e.involvedObject;
    return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion];
};
/** Identical events: everything but the timestamps (getEventKey). */
const eventKey = (e) => [...ref(e).slice(0, 5), e.involvedObject.fieldPath, ...ref(e).slice(5), e.type, e.reason, e.message].join("\0");
/** Similar events: everything but the message (EventAggregatorByReasonFunc). */
const aggregateKey = (e) => [...ref(e), e.type, e.reason, e.reportingComponent, e.reportingInstance].join("\0");
/** One bucket per source and object (getSpamKey). */
const spamKey = (e) => ref(e).join("\0");
export class EventCorrelator {
    now;
    aggregates = new Lru(MAX_LRU_ENTRIES);
    observed = new Lru(MAX_LRU_ENTRIES);
    spam = new Lru(MAX_LRU_ENTRIES);
    /** The cache key of each event handed out, until updateState sees it written. */
    pendingKey = new WeakMap();
    constructor(now) {
        this.now = now;
    }
    /**
     * Aggregates, counts and filters `ev` (a new event, count 1, named `<object>.<nanoseconds in hex>`), as
     * EventCorrelate does. The event returned is the one to write: `update` says it names an existing event whose
     * count it carries.
     */
    correlate(ev) {
        const now = this.now();
        const { event, key } = this.aggregate(ev, now);
        const seen = this.observed.get(key);
        const out = seen && seen.count > 0
            ? { ...event, metadata: { ...event.metadata, name: seen.name }, count: seen.count + 1, firstTimestamp: seen.firstTimestamp }
            : event;
        this.observed.set(key, { count: out.count ?? 1, firstTimestamp: out.firstTimestamp, name: out.metadata.name });
        const sk = spamKey(out);
        const bucket = this.spam.get(sk) ?? new TokenBucket(SPAM_QPS, SPAM_BURST, now);
        this.spam.set(sk, bucket);
        if (!bucket.tryAccept(now))
            return { skip: true };
        this.pendingKey.set(out, key);
        return { skip: false, event: out, update: out !== event };
    }
    /** Records what the store holds after the write of `sent` (its count may differ when the old one was gone). */
    updateState(sent, stored) {
        const key = this.pendingKey.get(sent) ?? eventKey(stored);
        this.observed.set(key, { count: stored.count ?? 1, firstTimestamp: stored.firstTimestamp, name: stored.metadata.name });
    }
    aggregate(ev, now) {
        const akey = aggregateKey(ev);
        let record = this.aggregates.get(akey);
        if (!record || now - record.last > AGGREGATE_INTERVAL_MS)
            record = { messages: new Set(), last: now };
        record.messages.add(ev.message ?? "");
        record.last = now;
        this.aggregates.set(akey, record);
        if (record.messages.size < AGGREGATE_MAX_EVENTS)
            return { event: ev, key: eventKey(ev) };
        // Keep the set at its maximum: any one message goes (sets.String.PopAny).
        record.messages.delete(record.messages.values().next().value);
        const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
        const combined = {
            ...ev,
            metadata: { name: `${ev.involvedObject.name}.${(BigInt(now) * 1000000n).toString(16)}`, namespace: ev.metadata.namespace },
            message: `(combined from similar events): ${ev.message ?? ""}`,
            count: 1,
            firstTimestamp: stamp,
            lastTimestamp: stamp,
        };
        return { event: combined, key: akey };
    }
}
//# sourceMappingURL=event-correlator.js.map