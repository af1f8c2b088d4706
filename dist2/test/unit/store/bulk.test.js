/** createMany, the store's bulk path for seeding: one transaction, all or nothing, watchers told after the commit. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { openStore } from "../../../src/store/sqlite-store.js";
const cm = (name) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns" } });
it("createMany commits every object at once and then tells watchers, in order", () => {
    const s = openStore(":memory:");
    const seen = [];
    s.watch("ConfigMap", {}, (ev) => seen.push(ev));
    const made = s.createMany([cm("a"), cm("b"), cm("c")]);
    assert.deepEqual(made.map((o) => o.metadata.resourceVersion), ["1", "2", "3"]);
    assert.deepEqual(seen.map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED a", "ADDED b", "ADDED c"]);
    assert.equal(s.list("ConfigMap").items.length, 3);
    s.close();
});
it("createMany is all or nothing: a duplicate leaves the store and its version as they were", () => {
    const s = openStore(":memory:");
    s.create(cm("b"));
    const seen = [];
    s.watch("ConfigMap", {}, (ev) => seen.push(ev));
    assert.throws(() => s.createMany([cm("a"), cm("b")]), /already exists/);
    assert.deepEqual(s.list("ConfigMap").items.map((o) => o.metadata.name), ["b"]);
    assert.equal(s.currentResourceVersion(), "1");
    assert.equal(seen.length, 0);
    assert.equal(s.create(cm("z")).metadata.resourceVersion, "2");
    s.close();
});
//# sourceMappingURL=bulk.test.js.map