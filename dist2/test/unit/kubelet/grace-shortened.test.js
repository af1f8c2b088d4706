import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { PodWorker, terminationGrace } from "../../../src/kubelet/pod-worker.js";
function pod(deletionGrace) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", namespace: "default", uid: "u1", deletionTimestamp: deletionGrace === undefined ? undefined : "2026-01-01T00:00:00Z", deletionGracePeriodSeconds: deletionGrace },
        spec: { terminationGracePeriodSeconds: 60, containers: [{ name: "c", image: "busybox" }] },
    };
}
/** A syncer whose termination waits out the grace period on the fake clock, or until a shorter one cuts it. */
function waitingSyncer(clock, calls) {
    return {
        syncPod: async () => undefined,
        terminatePod: (_uid, p, _last, _shutdown, shortened) => {
            const grace = terminationGrace(p);
            calls.push(grace);
            return new Promise((resolve) => {
                const t = clock.setTimeout(resolve, grace * 1000);
                shortened?.addEventListener("abort", () => (t.cancel(), resolve()), { once: true });
            });
        },
    };
}
const settle = () => new Promise((r) => setImmediate(r));
for (const [what, later, expected] of [
    ["a forced delete (the pod gone from the store)", undefined, 0],
    ["a second delete with a shorter grace period", pod(5), 5],
]) {
    test(`${what} during a 60 s graceful termination restarts it with the shorter grace at once`, async () => {
        const clock = new FakeClock();
        const calls = [];
        const w = new PodWorker("u1", waitingSyncer(clock, calls), clock, (_u, err) => assert.fail(String(err)));
        w.update(pod(60));
        await settle();
        assert.deepEqual(calls, [60]);
        clock.advance(10_000);
        w.update(later);
        await settle();
        assert.deepEqual(calls, [60, expected]);
        clock.advance(expected * 1000);
        await settle();
        assert.equal(w.isTerminated, true, "terminated within the shorter grace, not the remaining 50 s");
    });
}
test("a delete with an equal or longer grace does not restart the termination", async () => {
    const clock = new FakeClock();
    const calls = [];
    const w = new PodWorker("u1", waitingSyncer(clock, calls), clock, (_u, err) => assert.fail(String(err)));
    w.update(pod(30));
    await settle();
    w.update(pod(30));
    await settle();
    assert.deepEqual(calls, [30]);
    clock.advance(30_000);
    await settle();
    assert.equal(w.isTerminated, true);
});
//# sourceMappingURL=grace-shortened.test.js.map