/**
 * The kubelet's events as client-go's EventCorrelator shapes them, over a fake clock: repeats counted into one
 * object, the 10th similar message within 10 minutes combined, the per-object spam filter (25, then 1 per 5
 * minutes), the node's --event-qps/--event-burst, bounded caches, and a counted event re-created after expiry.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { Lru, TokenBucket } from "../../../src/kubelet/event-correlator.js";
import { EventRecorder } from "../../../src/kubelet/events.js";
import { openStore } from "../../../src/store/sqlite-store.js";
function pod(name, uid = `uid-${name}`) {
    return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", uid }, spec: { containers: [] } };
}
function setup(limits = { qps: 0, burst: 1 }) {
    const store = openStore(":memory:");
    const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
    const rec = new EventRecorder(store, clock, "kubelet", "node1", limits);
    const events = () => store.list("Event").items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return { store, clock, rec, events };
}
describe("event correlation (client-go EventCorrelator)", () => {
    it("an identical event counts into the first: count, lastTimestamp move, firstTimestamp and name stay", () => {
        const { clock, rec, events } = setup();
        const p = pod("web");
        rec.record(p, "Warning", "BackOff", "Back-off restarting failed container c");
        clock.advance(30_000);
        rec.record(p, "Warning", "BackOff", "Back-off restarting failed container c");
        clock.advance(30_000);
        rec.record(p, "Warning", "BackOff", "Back-off restarting failed container c");
        const [ev, ...rest] = events();
        assert.equal(rest.length, 0);
        assert.equal(ev.count, 3);
        assert.equal(ev.firstTimestamp, "2026-12-01T10:00:00Z");
        assert.equal(ev.lastTimestamp, "2026-12-01T10:01:00Z");
    });
    it("the 10th similar event (same reason, new message) within 10 minutes is combined, and later ones count into it", () => {
        const { clock, rec, events } = setup();
        const p = pod("web");
        for (let i = 1; i <= 12; i++) {
            rec.record(p, "Warning", "Unhealthy", `Liveness probe failed: attempt ${i}`);
            clock.advance(10_000);
        }
        const all = events();
        assert.equal(all.length, 10, "nine distinct events, then one combined");
        const combined = all.filter((e) => e.message.startsWith("(combined from similar events): "));
        assert.equal(combined.length, 1);
        assert.equal(combined[0].message, "(combined from similar events): Liveness probe failed: attempt 12");
        assert.equal(combined[0].count, 3);
        assert.equal(combined[0].reason, "Unhealthy");
    });
    it("similar events further apart than 10 minutes are not combined", () => {
        const { clock, rec, events } = setup();
        const p = pod("web");
        for (let i = 1; i <= 12; i++) {
            rec.record(p, "Warning", "Unhealthy", `failed ${i}`);
            clock.advance(601_000);
        }
        assert.equal(events().length, 12);
        assert.ok(events().every((e) => !e.message.startsWith("(combined")));
    });
    it("the spam filter lets a source write 25 events about an object, then 1 per 5 minutes", () => {
        const { clock, rec, events } = setup();
        const p = pod("web");
        for (let i = 0; i < 30; i++)
            rec.record(p, "Normal", `Reason${i}`, "m");
        assert.equal(events().length, 25);
        assert.equal(rec.dropped, 5);
        clock.advance(299_000);
        rec.record(p, "Normal", "Late1", "m");
        assert.equal(events().length, 25, "no token yet");
        clock.advance(1_000);
        rec.record(p, "Normal", "Late2", "m");
        assert.equal(events().length, 26);
        rec.record(pod("other"), "Normal", "Reason0", "m");
        assert.equal(events().length, 27, "another object has its own bucket");
    });
    it("the node's rate limit (--event-qps, --event-burst) bounds events across all objects", () => {
        const { clock, rec, events } = setup({ qps: 2, burst: 3 });
        for (let i = 0; i < 5; i++)
            rec.record(pod(`p${i}`), "Normal", "Started", "Started container c");
        assert.equal(events().length, 3);
        clock.advance(500);
        rec.record(pod("p5"), "Normal", "Started", "Started container c");
        rec.record(pod("p6"), "Normal", "Started", "Started container c");
        assert.equal(events().length, 4, "one token per 1/qps seconds");
        assert.equal(rec.dropped, 3);
    });
    it("a counted event whose object expired is created again, carrying its count", () => {
        const { store, rec, events } = setup();
        const p = pod("web");
        rec.record(p, "Warning", "BackOff", "b");
        rec.record(p, "Warning", "BackOff", "b");
        const [ev] = events();
        store.delete("Event", "default", ev.metadata.name);
        rec.record(p, "Warning", "BackOff", "b");
        const [again, ...rest] = events();
        assert.equal(rest.length, 0);
        assert.equal(again.metadata.name, ev.metadata.name);
        assert.equal(again.count, 3);
    });
    it("state is bounded: 10 000 pods' events leave LRU caches of at most 4096 entries", () => {
        const lru = new Lru(4096);
        for (let i = 0; i < 10_000; i++)
            lru.set(`k${i}`, i);
        assert.equal(lru.size, 4096);
        assert.equal(lru.get("k0"), undefined);
        assert.equal(lru.get("k9999"), 9999);
        lru.get("k5904");
        lru.set("new", 1);
        assert.equal(lru.get("k5904"), 5904, "a read makes an entry the newest");
        const { rec, events } = setup();
        for (let i = 0; i < 5000; i++)
            rec.record(pod(`p${i}`), "Normal", "Started", "Started container c");
        assert.equal(events().length, 5000);
    });
    it("a token bucket starts full and refills at qps up to burst; qps 0 never limits", () => {
        const b = new TokenBucket(1, 2, 0);
        assert.deepEqual([b.tryAccept(0), b.tryAccept(0), b.tryAccept(0)], [true, true, false]);
        assert.equal(b.tryAccept(10_000), true);
        assert.equal(b.tryAccept(10_000), true);
        assert.equal(b.tryAccept(10_000), false, "refilled only up to burst");
        const free = new TokenBucket(0, 1, 0);
        assert.ok([...Array(1000)].every(() => free.tryAccept(0)));
    });
});
//# sourceMappingURL=event-correlator.test.js.map