import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { openStore } from "../../../src/store/sqlite-store.js";
const dirs = [];
function tempDir() {
    const d = mkdtempSync(join(tmpdir(), "nodelet-store-"));
    dirs.push(d);
    return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function pod(name, labels = {}, ns = "default") {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: ns, labels },
        spec: { containers: [{ name: "c", image: "busybox" }] },
    };
}
const fixed = () => new Date("2026-11-27T04:19:27.123Z");
describe("store metadata", () => {
    it("assigns uid, creationTimestamp, resourceVersion and generation", () => {
        const s = openStore(":memory:", { now: fixed });
        const p = s.create(pod("a"));
        assert.match(p.metadata.uid ?? "", /^[0-9a-f-]{36}$/);
        assert.equal(p.metadata.creationTimestamp, "2026-11-27T04:19:27Z");
        assert.equal(p.metadata.resourceVersion, "1");
        assert.equal(p.metadata.generation, 1);
        const c = s.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "default" } });
        assert.equal(c.metadata.resourceVersion, "2", "resourceVersion is shared across kinds");
        assert.equal(s.currentResourceVersion(), "2");
        s.close();
    });
    it("fills the name from generateName", () => {
        const s = openStore(":memory:");
        const p = s.create({ ...pod(""), metadata: { generateName: "web-", namespace: "default" } });
        assert.match(p.metadata.name ?? "", /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        s.close();
    });
    it("rejects a missing name and a duplicate", () => {
        const s = openStore(":memory:");
        assert.throws(() => s.create({ ...pod(""), metadata: { namespace: "default" } }), (e) => e instanceof ApiError && e.code === 422);
        s.create(pod("a"));
        assert.throws(() => s.create(pod("a")), (e) => e instanceof ApiError && e.reason === "AlreadyExists" && e.message === 'pods "a" already exists');
        s.close();
    });
    it("does not mutate the caller's object", () => {
        const s = openStore(":memory:");
        const input = pod("a");
        s.create(input);
        assert.equal(input.metadata.uid, undefined);
        s.close();
    });
    it("bumps generation only when the desired state changes", () => {
        const s = openStore(":memory:");
        const p = s.create(pod("a"));
        const labelled = s.update({ ...p, metadata: { ...p.metadata, labels: { x: "y" } } });
        assert.equal(labelled.metadata.generation, 1);
        assert.equal(labelled.metadata.resourceVersion, "2");
        const changed = s.update({ ...labelled, spec: { ...labelled.spec, activeDeadlineSeconds: 5 } });
        assert.equal(changed.metadata.generation, 2);
        const bumped = s.update({ ...changed, metadata: { ...changed.metadata, annotations: { a: "b" } } }, { bumpGeneration: true });
        assert.equal(bumped.metadata.generation, 3);
        s.close();
    });
    it("keeps identity fields as stored", () => {
        const s = openStore(":memory:");
        const p = s.create(pod("a"));
        const u = s.update({ ...p, metadata: { ...p.metadata, creationTimestamp: "1999-01-01T00:00:00Z", generation: 99 } });
        assert.equal(u.metadata.creationTimestamp, p.metadata.creationTimestamp);
        assert.equal(u.metadata.uid, p.metadata.uid);
        s.close();
    });
    it("a no-op update keeps the resourceVersion and emits nothing", () => {
        const s = openStore(":memory:");
        const p = s.create(pod("a"));
        const events = [];
        s.watch("Pod", {}, (e) => events.push(e));
        const same = s.update(p);
        assert.equal(same.metadata.resourceVersion, p.metadata.resourceVersion);
        assert.equal(events.length, 0);
        s.close();
    });
    it("status updates change only .status; other updates keep the stored .status", () => {
        const s = openStore(":memory:");
        const p = s.create(pod("a"));
        const st = s.update({ ...p, spec: { containers: [] }, status: { phase: "Running" } }, { subresource: "status" });
        assert.equal(st.status?.phase, "Running");
        assert.equal(st.spec.containers.length, 1, "spec untouched by a status update");
        const sp = s.update({ ...st, status: { phase: "Failed" }, spec: { ...st.spec, activeDeadlineSeconds: 3 } });
        assert.equal(sp.status?.phase, "Running", "status untouched by a main update");
        assert.equal(sp.spec.activeDeadlineSeconds, 3);
        s.close();
    });
    it("optimistic concurrency and uid preconditions", () => {
        const s = openStore(":memory:");
        const p = s.create(pod("a"));
        s.update({ ...p, metadata: { ...p.metadata, labels: { v: "2" } } });
        assert.throws(() => s.update(p, { resourceVersion: p.metadata.resourceVersion }), (e) => e instanceof ApiError && e.reason === "Conflict" && /has been modified/.test(e.message));
        assert.throws(() => s.delete("Pod", "default", "a", { uid: "other" }), (e) => e instanceof ApiError && e.reason === "Conflict");
        assert.throws(() => s.update(pod("missing")), (e) => e instanceof ApiError && e.code === 404);
        const gone = s.delete("Pod", "default", "a", { uid: p.metadata.uid });
        assert.equal(gone.metadata.resourceVersion, "3", "the deleted object carries the deletion's resourceVersion");
        assert.equal(s.get("Pod", "default", "a"), undefined);
        s.close();
    });
    it("lists sorted by namespace then name, filtered by selectors", () => {
        const s = openStore(":memory:");
        s.create(pod("b", { app: "web" }));
        s.create(pod("a", { app: "db" }));
        s.create(pod("c", { app: "web" }, "other"));
        assert.deepEqual(names(s.list("Pod").items), ["a", "b", "c"]);
        assert.deepEqual(names(s.list("Pod", { namespace: "default" }).items), ["a", "b"]);
        assert.deepEqual(names(s.list("Pod", { labelSelector: "app=web" }).items), ["b", "c"]);
        assert.deepEqual(names(s.list("Pod", { fieldSelector: "metadata.namespace!=default" }).items), ["c"]);
        assert.equal(s.list("Pod").resourceVersion, "3");
        s.close();
    });
    it("persists across reopen, with the counter", () => {
        const path = join(tempDir(), "state.db");
        const s1 = openStore(path);
        s1.create(pod("a"));
        s1.close();
        const s2 = openStore(path);
        assert.equal(s2.get("Pod", "default", "a")?.metadata.name, "a");
        assert.equal(s2.create(pod("b")).metadata.resourceVersion, "2");
        s2.close();
    });
});
describe("store crash atomicity", () => {
    it("a write interrupted by an exception leaves the previous object and counter intact", () => {
        let fail = false;
        const s = openStore(":memory:", {
            beforeCommit: () => {
                if (fail)
                    throw new Error("boom");
            },
        });
        const p = s.create(pod("a"));
        const events = [];
        s.watch("Pod", {}, (e) => events.push(e));
        fail = true;
        assert.throws(() => s.update({ ...p, spec: { containers: [{ name: "changed" }] } }), /boom/);
        assert.throws(() => s.delete("Pod", "default", "a"), /boom/);
        assert.throws(() => s.create(pod("b")), /boom/);
        fail = false;
        assert.deepEqual(s.get("Pod", "default", "a"), p);
        assert.equal(s.get("Pod", "default", "b"), undefined);
        assert.equal(s.currentResourceVersion(), "1");
        assert.equal(events.length, 0, "nothing is announced for a write that did not commit");
        assert.equal(s.create(pod("b")).metadata.resourceVersion, "2");
        s.close();
    });
    it("a process killed in the middle of a write leaves the previous object intact", () => {
        const dir = tempDir();
        const path = join(dir, "state.db");
        const s = openStore(path);
        const p = s.create(pod("a"));
        s.close();
        const storeUrl = pathToFileURL(join(process.cwd(), "dist/src/store/sqlite-store.js")).href;
        const script = join(dir, "crash.mjs");
        writeFileSync(script, `import { openStore } from ${JSON.stringify(storeUrl)};
const s = openStore(${JSON.stringify(path)}, { beforeCommit: () => process.exit(7) });
const p = s.get("Pod", "default", "a");
s.update({ ...p, spec: { containers: [{ name: "half-written" }] } });`);
        const r = spawnSync(process.execPath, [script], { encoding: "utf8" });
        assert.equal(r.status, 7, r.stderr);
        const s2 = openStore(path);
        assert.deepEqual(s2.get("Pod", "default", "a"), p);
        assert.equal(s2.currentResourceVersion(), "1");
        s2.close();
    });
});
describe("store watches", () => {
    it("delivers ADDED, MODIFIED, DELETED in order after commit", () => {
        const s = openStore(":memory:");
        const events = [];
        const stop = s.watch("Pod", { namespace: "default" }, (e) => events.push(e));
        const p = s.create(pod("a"));
        s.create(pod("x", {}, "other"));
        s.update({ ...p, metadata: { ...p.metadata, labels: { a: "b" } } });
        s.delete("Pod", "default", "a");
        stop();
        s.create(pod("after"));
        assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`), [
            "ADDED a 1",
            "MODIFIED a 3",
            "DELETED a 4",
        ]);
        assert.equal(s.watcherCount, 0);
        s.close();
    });
    it("resourceVersion 0 sends synthetic ADDED events for the current state", () => {
        const s = openStore(":memory:");
        s.create(pod("a", { app: "web" }));
        s.create(pod("b"));
        const events = [];
        s.watch("Pod", { resourceVersion: "0", labelSelector: "app=web" }, (e) => events.push(e));
        assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED a"]);
        s.close();
    });
    it("resumes from a resourceVersion and expires what history no longer holds", () => {
        const s = openStore(":memory:", { historySize: 3 });
        for (const n of ["a", "b", "c", "d", "e"])
            s.create(pod(n));
        const events = [];
        s.watch("Pod", { resourceVersion: "3" }, (e) => events.push(e));
        assert.deepEqual(names(events.map((e) => e.object)), ["d", "e"]);
        s.watch("Pod", { resourceVersion: "2" }, () => undefined);
        assert.throws(() => s.watch("Pod", { resourceVersion: "1" }, () => undefined), (e) => e instanceof ApiError && e.reason === "Expired" && e.code === 410);
        s.close();
    });
    it("a resourceVersion from before a restart is Expired", () => {
        const path = join(tempDir(), "state.db");
        const s1 = openStore(path);
        s1.create(pod("a"));
        s1.create(pod("b"));
        s1.close();
        const s2 = openStore(path);
        assert.throws(() => s2.watch("Pod", { resourceVersion: "1" }, () => undefined), (e) => e instanceof ApiError && e.code === 410);
        s2.watch("Pod", { resourceVersion: "2" }, () => undefined);
        s2.close();
    });
    it("objects entering and leaving a selector arrive as ADDED and DELETED", () => {
        const s = openStore(":memory:");
        const events = [];
        s.watch("Pod", { labelSelector: "app=web" }, (e) => events.push(e));
        const p = s.create(pod("a"));
        const in1 = s.update({ ...p, metadata: { ...p.metadata, labels: { app: "web" } } });
        const out = s.update({ ...in1, metadata: { ...in1.metadata, labels: { app: "db" } } });
        assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.labels?.app} ${e.object.metadata.resourceVersion}`), [
            "ADDED web 2",
            `DELETED web ${out.metadata.resourceVersion}`,
        ]);
        s.close();
    });
    it("a watcher that writes does not reorder events for the others", () => {
        const s = openStore(":memory:");
        const seen = [];
        s.watch("Pod", {}, (e) => {
            if (e.type === "ADDED" && e.object.metadata.name === "a")
                s.create(pod("b"));
        });
        s.watch("Pod", {}, (e) => seen.push(`${e.type} ${e.object.metadata.name}`));
        s.create(pod("a"));
        assert.deepEqual(seen, ["ADDED a", "ADDED b"]);
        s.close();
    });
    it("a throwing watcher does not break the write or other watchers", () => {
        const s = openStore(":memory:");
        const seen = [];
        s.watch("Pod", {}, () => {
            throw new Error("bad watcher");
        });
        s.watch("Pod", {}, (e) => seen.push(e.object.metadata.name ?? ""));
        s.create(pod("a"));
        assert.deepEqual(seen, ["a"]);
        s.close();
    });
    it("watchers get their own copies", () => {
        const s = openStore(":memory:");
        s.watch("Pod", {}, (e) => {
            e.object.metadata.name = "mutated";
        });
        let name = "";
        s.watch("Pod", {}, (e) => (name = e.object.metadata.name ?? ""));
        s.create(pod("a"));
        assert.equal(name, "a");
        s.close();
    });
});
function names(items) {
    return items.map((i) => i.metadata.name ?? "");
}
//# sourceMappingURL=sqlite-store.test.js.map