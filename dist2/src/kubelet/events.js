import { EventCorrelator, TokenBucket } from "./event-correlator.js";
/** The kubelet's defaults for its event rate limit (KubeletConfiguration eventRecordQPS / eventBurst). */
export const DEFAULT_EVENT_QPS = 50;
export const DEFAULT_EVENT_BURST = 100;
export class EventRecorder {
    store;
    clock;
    component;
    host;
    correlator;
    nodeLimit;
    lastStamp = 0n;
    /** Events dropped by the spam filter or the node's rate limit (for tests and the soak). */
    dropped = 0;
    constructor(store, clock, component, host, limits = { qps: DEFAULT_EVENT_QPS, burst: DEFAULT_EVENT_BURST }) {
        this.store = store;
        this.clock = clock;
        this.component = component;
        this.host = host;
        this.correlator = new EventCorrelator(() => clock.now());
        this.nodeLimit = new TokenBucket(limits.qps, limits.burst, clock.now());
    }
    /** Records an event; `component` overrides the reporting component (the scheduler's "Scheduled"). */
    record(obj, type, reason, message, fieldPath, component = this.component) {
        const c = this.correlator.correlate(this.makeEvent(obj, type, reason, message, fieldPath, component));
        if (c.skip || !this.nodeLimit.tryAccept(this.clock.now())) {
            this.dropped++;
            return;
        }
        try {
            this.correlator.updateState(c.event, this.write(c.event, c.update));
        }
        catch {
            // Events are best effort, as in Kubernetes: a failed event never fails the action it reports.
        }
    }
    /** Creates the event, or updates the count of the one it names (created again if it has gone, as recordToSink). */
    write(ev, update) {
        const ns = ev.metadata.namespace ?? "default";
        const existing = update ? this.store.get("Event", ns, ev.metadata.name) : undefined;
        if (existing) {
            return this.store.update({ ...existing, count: ev.count, lastTimestamp: ev.lastTimestamp, message: ev.message });
        }
        return this.store.create({ ...ev, metadata: { name: ev.metadata.name, namespace: ns } });
    }
    makeEvent(obj, type, reason, message, fieldPath, component) {
        const md = obj.metadata;
        const now = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
        return {
            apiVersion: "v1",
            kind: "Event",
            // client-go names events "<object>.<unix nanoseconds in hex>": names then sort in the order events were made,
            // which is the order `describe` shows for events within the same second.
            metadata: { name: `${md.name}.${this.nextStamp().toString(16)}`, namespace: md.namespace ?? "default" },
            involvedObject: {
                kind: obj.kind,
                namespace: md.namespace,
                name: md.name,
                uid: md.uid,
                apiVersion: obj.apiVersion,
                resourceVersion: md.resourceVersion,
                ...(fieldPath ? { fieldPath } : {}),
            },
            reason,
            message,
            source: { component, ...(component === this.component ? { host: this.host } : {}) },
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
            type,
            eventTime: null,
            reportingComponent: component,
            reportingInstance: this.host,
        };
    }
    /** Unix time in nanoseconds, strictly increasing across calls. */
    nextStamp() {
        const now = BigInt(this.clock.now()) * 1000000n;
        this.lastStamp = now > this.lastStamp ? now : this.lastStamp + 1n;
        return this.lastStamp;
    }
}
//# sourceMappingURL=events.js.map