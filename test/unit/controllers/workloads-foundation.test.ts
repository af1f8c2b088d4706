/** The controller foundation: work queue semantics, rate limiters, expectations and the informer, on fake time. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject, WatchEvent } from "../../../src/api/types.js";
import { Expectations, EXPECTATIONS_TTL_MS } from "../../../src/controllers/foundation/expectations.js";
import { Informer } from "../../../src/controllers/foundation/informer.js";
import { BucketRateLimiter, ItemExponentialRateLimiter, defaultControllerRateLimiter } from "../../../src/controllers/foundation/rate-limit.js";
import { WorkQueue } from "../../../src/controllers/foundation/work-queue.js";
import { runWorkers } from "../../../src/controllers/foundation/controller.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("WorkQueue", () => {
  it("queues a key once while it waits", async () => {
    const q = new WorkQueue<string>(new FakeClock());
    q.add("a");
    q.add("a");
    q.add("b");
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), "a");
    assert.equal(await q.get(), "b");
  });

  it("hands a key to one worker at a time and requeues it when it was added during processing", async () => {
    const q = new WorkQueue<string>(new FakeClock());
    q.add("a");
    const k = await q.get();
    q.add("a"); // dirty while processing: not handed out again yet
    assert.equal(q.len(), 0);
    q.done(k!);
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), "a");
  });

  it("addAfter keeps the earliest time and fires on the clock", () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>(clock);
    q.addAfter("a", 1000);
    q.addAfter("a", 100);
    q.addAfter("a", 5000);
    clock.advance(99);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    clock.advance(10_000);
    assert.equal(q.len(), 1, "the later delays were dropped");
  });

  it("rate-limited retries back off exponentially and forget() starts over", () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>(clock, new ItemExponentialRateLimiter<string>(5, 1_000_000));
    q.addRateLimited("a"); // 5 ms
    clock.advance(4);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    assert.equal(q.numRequeues("a"), 1);
    q.forget("a");
    assert.equal(q.numRequeues("a"), 0);
  });

  it("a shut-down queue answers undefined to waiting workers", async () => {
    const q = new WorkQueue<string>(new FakeClock());
    const pending = q.get();
    q.shutDown();
    assert.equal(await pending, undefined);
  });

  it("runWorkers retries a failing key with back-off and forgets it after success", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>(clock);
    let calls = 0;
    const done = runWorkers("t", q, 2, () => {
      calls++;
      if (calls < 3) throw new Error("conflict");
    }, () => undefined);
    q.add("k");
    await tick();
    assert.equal(calls, 1);
    clock.advance(5);
    await tick();
    assert.equal(calls, 2);
    clock.advance(9); // second retry after 10 ms
    await tick();
    assert.equal(calls, 2);
    clock.advance(1);
    await tick();
    assert.equal(calls, 3);
    assert.equal(q.numRequeues("k"), 0);
    q.shutDown();
    await done;
  });
});

describe("rate limiters", () => {
  it("per item: 5 ms doubling, capped at 1000 s", () => {
    const l = new ItemExponentialRateLimiter<string>();
    const delays = Array.from({ length: 30 }, () => l.when("x"));
    assert.deepEqual(delays.slice(0, 4), [5, 10, 20, 40]);
    assert.equal(delays.at(-1), 1_000_000);
    assert.equal(l.when("y"), 5, "keys back off independently");
  });

  it("bucket: 100 at once, then 10 a second", () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter<string>(clock, 10, 100);
    for (let i = 0; i < 100; i++) assert.equal(l.when(`k${i}`), 0);
    assert.equal(l.when("k100"), 100);
    assert.equal(l.when("k101"), 200);
    clock.advance(1000);
    // ten tokens came back, two were owed: eight free ones, then the ninth waits
    for (let i = 0; i < 8; i++) assert.equal(l.when(`again${i}`), 0);
    assert.equal(l.when("late"), 100);
  });

  it("default: the longer of the two", () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter<string>(clock);
    assert.equal(l.when("a"), 5);
    assert.equal(l.when("a"), 10);
  });
});

describe("Expectations", () => {
  it("hold the owner until its creates and deletes are observed, or the TTL passes", () => {
    const clock = new FakeClock();
    const e = new Expectations(clock);
    assert.ok(e.satisfied("rs"));
    e.expect("rs", 2, ["ns/p1"]);
    assert.ok(!e.satisfied("rs"));
    e.creationObserved("rs");
    e.creationObserved("rs");
    assert.ok(!e.satisfied("rs"));
    e.deletionObserved("rs", "ns/p1");
    e.deletionObserved("rs", "ns/p1");
    assert.ok(e.satisfied("rs"));
    e.expect("rs", 1);
    clock.advance(EXPECTATIONS_TTL_MS + 1);
    assert.ok(e.satisfied("rs"), "expired");
  });
});

describe("Informer", () => {
  const cm = (name: string, ns = "a", owner?: string): KubeObject =>
    ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels: { app: name }, ownerReferences: owner ? [{ apiVersion: "v1", kind: "X", name: "o", uid: owner }] : undefined } });

  it("lists, follows the watch, indexes by namespace, owner and labels, and resyncs", () => {
    const store = openStore(":memory:");
    const clock = new FakeClock();
    store.create(cm("one", "a", "u1"));
    const inf = new Informer<KubeObject>(store, "ConfigMap", clock, 1000);
    const seen: string[] = [];
    inf.addHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (a, b) => seen.push(a === b ? `resync ${b.metadata.name}` : `update ${b.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    inf.start();
    assert.ok(inf.hasSynced());
    const two = store.create(cm("two", "b", "u1"));
    store.update({ ...two, metadata: { ...two.metadata, labels: { app: "changed" } } });
    assert.equal(inf.list("b").length, 1);
    assert.equal(inf.byOwnerUid("u1").length, 2);
    assert.equal(inf.listBySelector("b", { matchLabels: { app: "changed" } }).length, 1);
    assert.equal(inf.listBySelector("b", { matchLabels: { app: "two" } }).length, 0);
    store.delete("ConfigMap", "a", "one");
    assert.equal(inf.byOwnerUid("u1").length, 1);
    clock.advance(1000);
    assert.deepEqual(seen, ["add one", "add two", "update two", "delete one", "resync two"]);
    inf.stop();
    store.close();
  });

  it("re-lists when the watch reports an error and reports what changed", () => {
    let handler: ((ev: WatchEvent) => void) | undefined;
    let items: KubeObject[] = [{ ...cm("x"), metadata: { ...cm("x").metadata, resourceVersion: "1" } }];
    const source = {
      get: () => undefined,
      list: <T extends KubeObject>() => ({ items: items as T[], resourceVersion: "5" }),
      watch: (_k: string, _o: unknown, h: (ev: WatchEvent) => void) => {
        handler = h;
        return () => undefined;
      },
    };
    const clock = new FakeClock();
    const inf = new Informer<KubeObject>(source, "ConfigMap", clock);
    const seen: string[] = [];
    inf.addHandler({ onAdd: (o) => seen.push(`add ${o.metadata.name}`), onDelete: (o) => seen.push(`delete ${o.metadata.name}`) });
    inf.start();
    items = [{ ...cm("y"), metadata: { ...cm("y").metadata, resourceVersion: "6" } }];
    handler!({ type: "ERROR", object: {} as KubeObject });
    clock.advance(0);
    assert.deepEqual(seen, ["add x", "add y", "delete x"]);
  });
});
