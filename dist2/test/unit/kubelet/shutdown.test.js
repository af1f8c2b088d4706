/**
 * Orderly shutdown of the kubelet: stop() aborts what each pod worker waits for (a termination's grace period, a
 * hook), waits for the workers within a bound, and a worker stopped part way reports nothing and is not taken as
 * done — the next daemon terminates its pod again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { PodWorker } from "../../../src/kubelet/pod-worker.js";
import { admitCreate } from "../../../src/api/admission.js";
import { Kubelet } from "../../../src/kubelet/kubelet.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { FakeRuntime } from "../../helpers/fake-runtime.js";
import { makeKubelet, NODE } from "../../helpers/kubelet-harness.js";
const settle = async () => {
    for (let i = 0; i < 10; i++)
        await new Promise((r) => setImmediate(r));
};
/** A syncer whose termination waits until the shutdown signal (as a grace period would), and records its calls. */
function abortableSyncer() {
    const calls = [];
    const syncer = {
        calls,
        failAfterAbort: false,
        async syncPod() {
            calls.push("sync");
            return undefined;
        },
        async terminatePod(_uid, _pod, _last, shutdown) {
            calls.push("terminate");
            await new Promise((resolve) => shutdown?.addEventListener("abort", () => resolve(), { once: true }));
            // What a late step does once the store is closed.
            if (syncer.failAfterAbort)
                throw new TypeError("The database connection is not open");
        },
    };
    return syncer;
}
test("a worker stopped during a termination ends it, is not done, reports no error and syncs no more", async () => {
    const clock = new FakeClock();
    const syncer = abortableSyncer();
    syncer.failAfterAbort = true;
    const errors = [];
    const w = new PodWorker("uid-1", syncer, clock, (_uid, err) => errors.push(err));
    let done = false;
    void w.done.then(() => (done = true));
    w.update(undefined);
    await settle();
    assert.deepEqual(syncer.calls, ["terminate"]);
    await w.stop();
    await settle();
    assert.deepEqual(errors, [], "the failure of a step cut short by the shutdown is not the pod's error");
    assert.equal(done, false, "the termination did not finish: the pod is not gone");
    assert.equal(w.isTerminated, false);
    w.wake();
    w.wakeAt(clock.now() + 10);
    clock.advance(2000);
    await settle();
    assert.deepEqual(syncer.calls, ["terminate"], "no retry and no further sync after stop");
});
test("an idle worker stops at once; a sync after stop() is not started", async () => {
    const syncer = abortableSyncer();
    const w = new PodWorker("uid-2", syncer, new FakeClock(), () => assert.fail("no error"));
    await w.stop();
    w.update({ metadata: { name: "p", uid: "uid-2" }, spec: { containers: [] } });
    await settle();
    assert.deepEqual(syncer.calls, []);
});
test("Kubelet.stop aborts a deletion's grace period and returns without waiting it out", async () => {
    const h = await makeKubelet();
    h.create({ metadata: { name: "p" }, spec: { terminationGracePeriodSeconds: 30, containers: [{ name: "a", image: "busybox" }] } });
    await h.settle();
    const uid = h.get("p").metadata.uid;
    assert.equal(h.runtime.latest(uid, "a")?.state, "running");
    const pod = h.get("p");
    h.store.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(h.clock.now() + 30_000).toISOString(), deletionGracePeriodSeconds: 30 } });
    await h.settle();
    assert.ok(h.runtime.calls.includes("stop a grace=30"), "the termination is waiting out the grace period");
    let stopped = false;
    const stopping = h.kubelet.stop().then(() => (stopped = true));
    await h.settle();
    assert.equal(stopped, true, "stop() returned without the 30 s passing");
    await stopping;
    assert.ok(h.runtime.sandbox(uid), "the sandbox is left for the next start to remove");
    assert.ok(h.get("p"), "and so is the pod object");
    h.prober.stop();
    h.store.close();
});
test("Kubelet.stop gives up on a worker that does not notice the abort after its bound, and says so", async () => {
    const clock = new FakeClock();
    const store = openStore(":memory:");
    const logs = [];
    // A sync stuck in a step that ignores every signal.
    const syncer = { syncPod: () => new Promise(() => undefined), terminatePod: async () => undefined };
    const kubelet = new Kubelet({ nodeName: NODE, store, runtime: new FakeRuntime(clock), syncer, clock, log: (m) => logs.push(m) });
    await kubelet.start();
    store.create(admitCreate({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "busybox" }] } }, { nodeName: NODE }));
    await settle();
    let stopped = false;
    const stopping = kubelet.stop(1000).then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false, "waiting for the busy worker");
    clock.advance(999);
    await settle();
    assert.equal(stopped, false);
    clock.advance(1);
    await settle();
    assert.equal(stopped, true, "given up after the bound");
    await stopping;
    assert.deepEqual(logs, ["stopping: pod workers still busy after 1000 ms are left to the next start"]);
    store.close();
});
//# sourceMappingURL=shutdown.test.js.map