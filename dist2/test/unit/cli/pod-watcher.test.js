/** PodWatcher: opened before the pod exists, it follows only the pod track() names. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PodWatcher } from "../../../src/cli/pod-watcher.js";
function fakeClient() {
    const seen = [];
    const client = {
        watch(_path, query, onEvent) {
            const w = { query, emit: onEvent, stopped: false };
            seen.push(w);
            return { stop: () => (w.stopped = true), done: new Promise(() => undefined) };
        },
    };
    return { client, seen };
}
const pod = (uid, rv, phase) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid, resourceVersion: rv },
    spec: { containers: [] },
    status: phase ? { phase: phase } : undefined,
});
test("a watch opened before the create starts from the current state and ignores an earlier pod's events", async () => {
    const { client, seen } = fakeClient();
    const w = new PodWatcher(client, "default", "p");
    assert.equal(seen[0].query.resourceVersion, "0");
    assert.equal(seen[0].query.fieldSelector, "metadata.name=p");
    seen[0].emit({ type: "MODIFIED", object: pod("old", "5", "Running") });
    let resolved;
    const waiting = w.until((p) => p.status?.phase === "Running").then((p) => (resolved = p));
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, undefined, "nothing counts before track()");
    w.track(pod("new", "7"));
    seen[0].emit({ type: "DELETED", object: pod("old", "8") });
    seen[0].emit({ type: "MODIFIED", object: pod("new", "9", "Running") });
    const got = await waiting;
    assert.equal(got.metadata.uid, "new");
    w.stop();
    assert.equal(seen[0].stopped, true);
});
test("track() keeps a newer state the watch has already shown", async () => {
    const { client, seen } = fakeClient();
    const w = new PodWatcher(client, "default", "p");
    seen[0].emit({ type: "ADDED", object: pod("new", "9", "Running") });
    w.track(pod("new", "7"));
    const p = await w.until((x) => x.status?.phase === "Running");
    assert.equal(p.metadata.resourceVersion, "9");
});
test("the tracked pod's deletion ends the wait with an error", async () => {
    const { client, seen } = fakeClient();
    const w = new PodWatcher(client, "default", "p", pod("u", "3"));
    assert.equal(seen[0].query.resourceVersion, "3", "with the pod known, the watch starts after it");
    const waiting = w.until(() => false);
    seen[0].emit({ type: "DELETED", object: pod("u", "4") });
    await assert.rejects(waiting, /was deleted/);
});
//# sourceMappingURL=pod-watcher.test.js.map