export class Backoff {
    clock;
    initialMs;
    maxMs;
    entries = new Map();
    /** Called after every change (the kubelet persists the entries so a restart resumes them). */
    onChange;
    constructor(clock, initialMs = 10_000, maxMs = 300_000) {
        this.clock = clock;
        this.initialMs = initialMs;
        this.maxMs = maxMs;
    }
    /** Until when `key` must wait after an exit at `eventTime`; undefined when it may restart now. */
    backoffUntil(key, eventTime) {
        const e = this.entries.get(key);
        if (!e || this.expired(e, eventTime))
            return undefined;
        const until = eventTime + e.backoffMs;
        return this.clock.now() < until ? until : undefined;
    }
    /** Records a restart after an exit at `eventTime`: the next crash waits longer. */
    next(key, eventTime) {
        const e = this.entries.get(key);
        if (!e || this.expired(e, eventTime))
            this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
        else {
            e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
            e.lastUpdate = eventTime;
        }
        this.onChange?.();
    }
    /** The back-off currently applying to key, in ms (for the CrashLoopBackOff message). */
    current(key) {
        return this.entries.get(key)?.backoffMs ?? this.initialMs;
    }
    reset(key) {
        if (this.entries.delete(key))
            this.onChange?.();
    }
    /** Drops every entry whose key starts with prefix (a deleted pod's containers). */
    forgetPrefix(prefix) {
        let changed = false;
        for (const k of this.entries.keys())
            if (k.startsWith(prefix))
                changed = this.entries.delete(k) || changed;
        if (changed)
            this.onChange?.();
    }
    /** Entries as plain data, for persisting. */
    snapshot() {
        return Object.fromEntries(this.entries);
    }
    /** Restores persisted entries (at start, before any pod syncs). */
    restore(saved) {
        for (const [k, e] of Object.entries(saved)) {
            if (typeof e?.backoffMs === "number" && typeof e.lastUpdate === "number")
                this.entries.set(k, { backoffMs: e.backoffMs, lastUpdate: e.lastUpdate });
        }
    }
    expired(e, eventTime) {
        return eventTime - e.lastUpdate > 2 * this.maxMs;
    }
}
//# sourceMappingURL=backoff.js.map