/**
 * The warm pool's rules over a fake clock (warm-pool.ts): fill one at a time to its size, claims oldest first, a
 * dead item skipped and removed, refills waiting for pod starts to finish, the room limit, back-off after failures,
 * drain; which pods fit a warm sandbox; the lease moved from a warm sandbox to its pod.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../../../src/api/types.js";
import { parseCidr } from "../../../src/api/cidr.js";
import { LeaseStore } from "../../../src/network/ipam.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { StartTraces } from "../../../src/sys/start-trace.js";
import { WarmPool, type WarmPoolDeps } from "../../../src/runtime/warm-pool.js";
import { warmMisfit } from "../../../src/runtime/warm-sandboxes.js";

interface Item {
  id: number;
  alive: boolean;
}

/** A pool whose makes are answered by the test (pending[]), over a fake clock. */
function harness(over: Partial<WarmPoolDeps<Item>> = {}) {
  const clock = new FakeClock();
  const pending: { resolve(i: Item): void; reject(e: Error): void }[] = [];
  const destroyed: number[] = [];
  const reports: string[] = [];
  let next = 0;
  const state = { room: Infinity, busy: false, makes: 0 };
  const pool = new WarmPool<Item>({
    clock,
    size: 2,
    make: () => {
      state.makes++;
      return new Promise<Item>((resolve, reject) => pending.push({ resolve, reject }));
    },
    destroy: async (i) => {
      destroyed.push(i.id);
    },
    broken: (i) => (i.alive ? undefined : "its pause process died"),
    room: () => state.room,
    busy: () => state.busy,
    report: (m) => reports.push(m),
    ...over,
  });
  const settle = () => new Promise((r) => setImmediate(r));
  /** Answers the oldest pending make with a new live item. */
  const answer = async (): Promise<Item> => {
    const item = { id: next++, alive: true };
    pending.shift()!.resolve(item);
    await settle();
    return item;
  };
  return { clock, pool, pending, destroyed, reports, state, settle, answer };
}

test("fills to its size one make at a time, then runs no timer", async () => {
  const h = harness();
  h.pool.start();
  assert.equal(h.state.makes, 0, "the first fill waits for the refill delay");
  h.clock.advance(10);
  assert.equal(h.state.makes, 1);
  assert.equal(h.pending.length, 1, "one make at a time");
  await h.answer();
  assert.equal(h.state.makes, 2, "the next make follows the first at once");
  await h.answer();
  assert.equal(h.pool.readyCount, 2);
  h.clock.advance(60_000);
  assert.equal(h.state.makes, 2, "a full pool makes nothing more");
});

test("claims take the oldest, never the same item twice, and the pool refills after a claim", async () => {
  const h = harness();
  h.pool.start();
  h.clock.advance(10);
  const a = await h.answer();
  const b = await h.answer();
  assert.equal(h.pool.take(), a);
  assert.equal(h.pool.take(), b);
  assert.equal(h.pool.take(), undefined, "empty: the pod starts the normal way");
  assert.equal(h.state.makes, 2, "the refill does not run inside the claim");
  h.clock.advance(10);
  assert.equal(h.state.makes, 3);
  await h.answer();
  await h.answer();
  assert.equal(h.pool.readyCount, 2);
});

test("a dead item is skipped, removed and reported; the next live one is claimed", async () => {
  const h = harness();
  h.pool.start();
  h.clock.advance(10);
  const a = await h.answer();
  const b = await h.answer();
  a.alive = false;
  const told: string[] = [];
  assert.equal(h.pool.take((why) => told.push(why)), b);
  await h.settle();
  assert.deepEqual(h.destroyed, [a.id]);
  assert.match(h.reports.join("\n"), /pause process died/);
  assert.deepEqual(told, ["its pause process died"], "the claim is told why (its pod gets an event)");
});

test("adopt takes in items a previous daemon made, up to its size; none while off", async () => {
  const h = harness();
  assert.equal(h.pool.adopt({ id: 100, alive: true }), true);
  assert.equal(h.pool.adopt({ id: 101, alive: true }), true);
  assert.equal(h.pool.adopt({ id: 102, alive: true }), false, "full: the caller removes it");
  h.pool.start();
  h.clock.advance(10);
  assert.equal(h.state.makes, 0, "a full pool makes none");
  assert.equal(h.pool.take()?.id, 100, "adopted items are claimed oldest first");
  const off = harness({ size: 0 });
  assert.equal(off.pool.adopt({ id: 1, alive: true }), false);
});

test("prune removes dead ready items and refills", async () => {
  const h = harness();
  h.pool.start();
  h.clock.advance(10);
  const a = await h.answer();
  await h.answer();
  a.alive = false;
  h.pool.prune();
  await h.settle();
  assert.deepEqual(h.destroyed, [a.id]);
  assert.equal(h.pool.readyCount, 1);
  h.clock.advance(10);
  assert.equal(h.state.makes, 3);
});

test("a refill waits while a pod start is under way, at most maxWaitMs", async () => {
  const h = harness({ maxWaitMs: 200 });
  h.state.busy = true;
  h.pool.start();
  h.clock.advance(10);
  h.clock.advance(100);
  assert.equal(h.state.makes, 0, "busy: no make yet");
  h.state.busy = false;
  h.clock.advance(5);
  assert.equal(h.state.makes, 1, "made once the start finished");
  await h.answer();
  await h.answer();
  h.state.busy = true;
  h.pool.take();
  h.clock.advance(10 + 195);
  assert.equal(h.state.makes, 2, "still waiting");
  h.clock.advance(10);
  assert.equal(h.state.makes, 3, "made after maxWaitMs although the node stays busy");
});

test("no room (addresses kept for pods): no make until poked with room again", async () => {
  const h = harness();
  h.state.room = 0;
  h.pool.start();
  h.clock.advance(1000);
  assert.equal(h.state.makes, 0);
  h.state.room = 1;
  h.pool.poke();
  h.clock.advance(10);
  assert.equal(h.state.makes, 1);
  h.state.room = 0;
  await h.answer();
  assert.equal(h.state.makes, 1, "the second waits for room");
  assert.equal(h.pool.readyCount, 1);
});

test("release gives one ready item back at once", async () => {
  const h = harness();
  h.pool.start();
  h.clock.advance(10);
  const a = await h.answer();
  assert.equal(await h.pool.release(), true);
  assert.deepEqual(h.destroyed, [a.id]);
  assert.equal(await h.pool.release(), false, "nothing left to give");
});

test("a failed make backs off 1 s, 2 s, 4 s ... up to the maximum, and a success resets it", async () => {
  const h = harness({ maxBackoffMs: 4000 });
  h.pool.start();
  h.clock.advance(10);
  const failOnce = async () => {
    h.pending.shift()!.reject(new Error("no bridge"));
    await h.settle();
  };
  await failOnce();
  assert.match(h.reports[0], /cannot make a warm sandbox \(no bridge\); trying again in 1 s/);
  h.clock.advance(999);
  assert.equal(h.state.makes, 1);
  h.clock.advance(1);
  assert.equal(h.state.makes, 2);
  await failOnce();
  h.clock.advance(2000);
  assert.equal(h.state.makes, 3);
  await failOnce();
  h.clock.advance(4000);
  assert.equal(h.state.makes, 4);
  await failOnce();
  assert.match(h.reports.at(-1)!, /in 4 s/, "capped");
  h.pool.take(); // a claim while backing off does not cut the back-off short
  h.clock.advance(3999);
  assert.equal(h.state.makes, 4);
  h.clock.advance(1);
  await h.answer();
  assert.equal(h.state.makes, 6, "a success resets: the next make follows at once");
});

test("drain waits for a make under way, removes every item, and stops refilling", async () => {
  const h = harness();
  h.pool.start();
  h.clock.advance(10);
  const a = await h.answer();
  const drained = h.pool.drain();
  const b = await h.answer();
  await drained;
  assert.deepEqual(h.destroyed.sort(), [a.id, b.id].sort());
  assert.equal(h.pool.readyCount, 0);
  h.pool.poke();
  h.clock.advance(60_000);
  assert.equal(h.state.makes, 2, "a drained pool makes nothing");
});

test("size 0: the pool is off", () => {
  const h = harness({ size: 0 });
  h.pool.start();
  h.clock.advance(60_000);
  assert.equal(h.state.makes, 0);
  assert.equal(h.pool.take(), undefined);
});

function pod(spec: Partial<Pod["spec"]>): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", uid: "u" }, spec: { containers: [{ name: "c", image: "busybox" }], ...spec } };
}

test("which pods fit a warm sandbox", () => {
  assert.equal(warmMisfit(pod({})), undefined);
  assert.equal(warmMisfit(pod({ dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1"] }, hostAliases: [{ ip: "10.0.0.1", hostnames: ["x"] }], hostname: "h", subdomain: "s" })), undefined, "the pod's files and hostname are written at the claim");
  assert.equal(warmMisfit(pod({ hostPID: true })), undefined, "a hostPID pod's sandbox is the same");
  assert.equal(warmMisfit(pod({ hostPID: true, shareProcessNamespace: true })), undefined);
  assert.match(warmMisfit(pod({ hostNetwork: true }))!, /^hostNetwork/);
  assert.match(warmMisfit(pod({ hostIPC: true }))!, /^hostIPC/);
  assert.match(warmMisfit(pod({ shareProcessNamespace: true }))!, /^shareProcessNamespace/);
  assert.match(warmMisfit(pod({ hostUsers: false }))!, /^hostUsers/);
});

test("a warm sandbox's lease moves to its pod: same address and veth, the pod's name and hostPorts; refusals change nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "warm-ipam-"));
  try {
    const store = new LeaseStore(join(dir, "leases.json"), parseCidr("10.9.0.0/24")!);
    store.load();
    const free = store.freeCount();
    const warm = store.allocate({ podUid: "w1", pod: "(warm)/warm-1", veth: "nlw1", hostPorts: [] });
    store.allocate({ podUid: "other", pod: "default/other", veth: "nlo", hostPorts: [{ hostPort: 8080, containerPort: 80, protocol: "TCP", field: "f" }] });
    assert.equal(store.freeCount(), free - 2);
    assert.throws(() => store.rekey("w1", { podUid: "p1", pod: "default/p1", hostPorts: [{ hostPort: 8080, containerPort: 80, protocol: "TCP", field: "spec.containers[0].ports[0].hostPort" }] }), /8080/);
    assert.equal(store.byPod("w1")?.ip, warm.ip, "a refused move leaves the lease where it was");
    assert.throws(() => store.rekey("nobody", { podUid: "p1", pod: "default/p1", hostPorts: [] }), /holds no lease/);
    assert.throws(() => store.rekey("w1", { podUid: "other", pod: "default/other", hostPorts: [] }), /already holds/);
    const moved = store.rekey("w1", { podUid: "p1", pod: "default/p1", hostPorts: [{ hostPort: 9090, containerPort: 80, protocol: "TCP", field: "f" }] });
    assert.equal(moved.ip, warm.ip);
    assert.equal(moved.veth, "nlw1");
    assert.equal(store.byPod("w1"), undefined);
    const reread = new LeaseStore(join(dir, "leases.json"), parseCidr("10.9.0.0/24")!);
    reread.load();
    assert.deepEqual({ ...reread.byPod("p1"), since: "" }, { ...moved, since: "" }, "persisted");
    assert.equal(reread.byPod("p1")?.pod, "default/p1");
    assert.equal(reread.freeCount(), free - 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a start counts as under way (refills wait) from its trace's opening to its Running status, within a window", () => {
  let now = 0;
  const t = new StartTraces(10, () => now);
  t.open("a");
  assert.equal(t.starting(10_000), 1);
  t.complete("a");
  assert.equal(t.starting(10_000), 0, "Running: over");
  t.open("b");
  now = 10_001;
  assert.equal(t.starting(10_000), 0, "a start that never got to Running holds nothing back after the window");
});
