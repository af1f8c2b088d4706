import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { resourceForKind } from "../../../src/api/resources.js";
import { startTestServer, storePod, testPod } from "./harness.js";
const PODS = resourceForKind("Pod");
const NSS = resourceForKind("Namespace");
const CMS = resourceForKind("ConfigMap");
const NOW = Date.parse("2026-11-27T04:00:00Z");
async function status(p) {
    try {
        await p;
        return 200;
    }
    catch (err) {
        if (err instanceof ApiError)
            return err.code;
        throw err;
    }
}
describe("API server: graceful pod deletion", () => {
    let t;
    before(async () => (t = await startTestServer({ now: () => NOW })));
    after(() => t.close());
    it("marks a running bound pod and returns it (200); the kubelet's final delete removes it", async () => {
        const created = storePod(t.store, { ...testPod("web", { phase: "Running" }), spec: { ...testPod("web").spec, terminationGracePeriodSeconds: 10 } });
        const marked = await t.client.delete(PODS, "default", "web");
        assert.equal(marked.kind, "Pod");
        assert.equal(marked.metadata.deletionTimestamp, "2026-11-27T04:00:10Z");
        assert.equal(marked.metadata.deletionGracePeriodSeconds, 10);
        assert.equal(marked.metadata.generation, 2, "the first mark bumps generation");
        assert.equal((await t.client.get(PODS, "default", "web")).status?.phase, "Running");
        const again = await t.client.delete(PODS, "default", "web", { gracePeriodSeconds: 60 });
        assert.equal(again.metadata.deletionGracePeriodSeconds, 10, "a longer grace is ignored");
        const shorter = await t.client.delete(PODS, "default", "web", { gracePeriodSeconds: 4 });
        assert.equal(shorter.metadata.deletionTimestamp, "2026-11-27T04:00:04Z");
        assert.equal(await status(t.client.delete(PODS, "default", "web", { gracePeriodSeconds: 0, preconditions: { uid: "someone-else" } })), 409);
        await t.client.delete(PODS, "default", "web", { gracePeriodSeconds: 0, preconditions: { uid: created.metadata.uid } });
        assert.equal(await status(t.client.get(PODS, "default", "web")), 404);
    });
    it("grace 0, unbound pods and finished pods are removed at once", async () => {
        storePod(t.store, testPod("forced", { phase: "Running" }));
        const gone = await t.client.request("DELETE", "/api/v1/namespaces/default/pods/forced", { query: { gracePeriodSeconds: 0 } });
        assert.equal(gone.metadata.deletionTimestamp, undefined);
        assert.equal(await status(t.client.get(PODS, "default", "forced")), 404);
        storePod(t.store, testPod("done", { phase: "Succeeded" }));
        await t.client.delete(PODS, "default", "done");
        assert.equal(await status(t.client.get(PODS, "default", "done")), 404);
        storePod(t.store, { ...testPod("unbound"), spec: { containers: [{ name: "c" }] } });
        await t.client.delete(PODS, "default", "unbound");
        assert.equal(await status(t.client.get(PODS, "default", "unbound")), 404);
    });
    it("honours preconditions and query options, refuses bad policies", async () => {
        const p = storePod(t.store, testPod("pre", { phase: "Running" }));
        assert.equal(await status(t.client.delete(PODS, "default", "pre", { preconditions: { resourceVersion: "1" } })), 409);
        assert.equal(await status(t.client.delete(PODS, "default", "pre", { propagationPolicy: "Sometimes" })), 400);
        const dry = await t.client.request("DELETE", "/api/v1/namespaces/default/pods/pre", { query: { dryRun: "All" } });
        assert.ok(dry.metadata.deletionTimestamp);
        assert.equal((await t.client.get(PODS, "default", "pre")).metadata.deletionTimestamp, undefined);
        await t.client.delete(PODS, "default", "pre", { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
    });
});
describe("API server: namespace deletion", () => {
    let t;
    before(async () => (t = await startTestServer()));
    after(() => t.close());
    it("the initial namespaces cannot be deleted", async () => {
        assert.equal(await status(t.client.delete(NSS, undefined, "default")), 403);
        assert.equal(await status(t.client.delete(NSS, undefined, "kube-system")), 403);
    });
    it("empties the namespace, waits for its pods, then goes", async () => {
        await t.client.create(NSS, { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } });
        await t.client.create(CMS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "x" } });
        const pod = storePod(t.store, testPod("web", { ns: "x", phase: "Running" }));
        const ns = await t.client.delete(NSS, undefined, "x");
        assert.equal(ns.status?.phase, "Terminating");
        assert.ok(ns.metadata.deletionTimestamp);
        assert.equal(await status(t.client.get(CMS, "x", "cfg")), 404);
        const terminating = await t.client.get(PODS, "x", "web");
        assert.ok(terminating.metadata.deletionTimestamp, "pods are deleted gracefully");
        const err = await status(t.client.create(CMS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late", namespace: "x" } }));
        assert.equal(err, 403, "no new content in a terminating namespace");
        await t.client.delete(PODS, "x", "web", { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        assert.equal(await status(t.client.get(NSS, undefined, "x")), 404);
    });
    it("an empty namespace goes at once", async () => {
        await t.client.create(NSS, { apiVersion: "v1", kind: "Namespace", metadata: { name: "empty" } });
        await t.client.delete(NSS, undefined, "empty");
        assert.equal(await status(t.client.get(NSS, undefined, "empty")), 404);
    });
});
//# sourceMappingURL=delete.test.js.map