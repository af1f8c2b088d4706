/**
 * createMany, the store's bulk path for seeding: one transaction, all or nothing, watchers told after the commit; and
 * writeTogether, the same transaction for writes that each succeed or fail on their own (the kubelet's events).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { ConfigMap, WatchEvent } from "../../../src/api/types.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { withFieldManager } from "../../../src/store/field-manager-store.js";

const cm = (name: string): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns" } });

it("createMany commits every object at once and then tells watchers, in order", () => {
  const s = openStore(":memory:");
  const seen: WatchEvent[] = [];
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
  const seen: WatchEvent[] = [];
  s.watch("ConfigMap", {}, (ev) => seen.push(ev));
  assert.throws(() => s.createMany([cm("a"), cm("b")]), /already exists/);
  assert.deepEqual(s.list("ConfigMap").items.map((o) => o.metadata.name), ["b"]);
  assert.equal(s.currentResourceVersion(), "1");
  assert.equal(seen.length, 0);
  assert.equal(s.create(cm("z")).metadata.resourceVersion, "2");
  s.close();
});

it("writeTogether: the writes commit as one, watchers hear them in order after it, a failed one is undone alone", () => {
  const s = openStore(":memory:");
  const store = withFieldManager(s, "kubelet");
  s.create(cm("b"));
  const seen: string[] = [];
  s.watch("ConfigMap", {}, (ev) => seen.push(`${ev.type} ${ev.object.metadata.name} ${ev.object.metadata.resourceVersion}`));
  const made = store.writeTogether(() => {
    const a = store.create(cm("a"));
    store.update({ ...a, data: { k: "v" } });
    assert.throws(() => store.create(cm("b")), /already exists/);
    const c = store.create(cm("c"));
    assert.deepEqual(seen, [], "nobody hears of a write before the commit");
    return [a, c];
  });
  assert.deepEqual(made.map((o) => o.metadata.resourceVersion), ["2", "4"]);
  assert.deepEqual(seen, ["ADDED a 2", "MODIFIED a 3", "ADDED c 4"]);
  assert.equal(s.get<ConfigMap>("ConfigMap", "ns", "a")!.data!.k, "v");
  assert.equal((s.get<ConfigMap>("ConfigMap", "ns", "a")!.metadata.managedFields?.[0] as { manager?: string } | undefined)?.manager, "kubelet", "writes inside keep their field manager");
  assert.equal(s.currentResourceVersion(), "4");
  s.close();
});

it("writeTogether: a body that throws undoes all its writes and the version", () => {
  const s = openStore(":memory:");
  const seen: WatchEvent[] = [];
  s.watch("ConfigMap", {}, (ev) => seen.push(ev));
  assert.throws(() => s.writeTogether(() => {
    s.create(cm("a"));
    throw new Error("stop");
  }), /stop/);
  assert.equal(s.list("ConfigMap").items.length, 0);
  assert.equal(s.currentResourceVersion(), "0");
  assert.equal(seen.length, 0);
  assert.equal(s.create(cm("z")).metadata.resourceVersion, "1");
  s.close();
});
