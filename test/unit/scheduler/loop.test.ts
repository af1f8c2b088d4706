/**
 * The scheduler's loop over an in-memory store and a fake clock: pending pods bound to the best node through the
 * binding rules with a Scheduled event and PodScheduled True; a pod no node takes gets PodScheduled False
 * (Unschedulable) and the FailedScheduling message, and is bound once a node that fits is added; pods of another
 * scheduler are left alone; the queue's priority order and backoff (1 s doubling to 10 s); and pods/binding's 409.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { SchedulingQueue } from "../../../src/scheduler/queue.js";
import { bindPodInStore } from "../../../src/store/pod-binding.js";
import { node, pod } from "./fixtures.js";
import { schedulerHarness } from "./loop-harness.js";

const harness = schedulerHarness;

test("pending pods are bound to the best node with a Scheduled event and PodScheduled True", () => {
  const h = harness();
  h.store.create(node("busy"));
  h.store.create(node("idle"));
  h.create(pod("hog", { node: "busy", cpu: "3", memory: "6Gi" }));
  h.scheduler.start();
  h.create(pod("web", { cpu: "500m", memory: "512Mi" }));
  h.clock.advance(1);
  const web = h.get("web");
  assert.equal(web.spec.nodeName, "idle");
  assert.equal(web.status?.conditions?.find((c) => c.type === "PodScheduled")?.status, "True");
  assert.deepEqual(h.events.at(-1), { name: "web", type: "Normal", reason: "Scheduled", message: "Successfully assigned default/web to idle" });
  // Another scheduler's pod stays unbound and unmentioned.
  h.create(pod("other", { schedulerName: "my-scheduler" }));
  h.clock.advance(1);
  assert.equal(h.get("other").spec.nodeName, undefined);
  assert.equal(h.events.filter((e) => e.name === "other").length, 0);
  h.scheduler.stop();
});

test("a pod no node takes: FailedScheduling in the scheduler's words, then bound when a node that fits comes", () => {
  const h = harness();
  h.store.create(node("small", { cpu: "1" }));
  h.store.create(node("x", { labels: { zone: "b" } }));
  h.store.create(node("y", { labels: { zone: "b" } }));
  h.scheduler.start();
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "NotIn" as const, values: ["b"] }] }] } } };
  h.create(pod("big", { cpu: "2", affinity }));
  h.clock.advance(1);
  const message =
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";
  assert.deepEqual(h.events.at(-1), { name: "big", type: "Warning", reason: "FailedScheduling", message });
  const cond = h.get("big").status?.conditions?.find((c) => c.type === "PodScheduled");
  assert.deepEqual([cond?.status, cond?.reason, cond?.message], ["False", "Unschedulable", message]);
  assert.deepEqual(h.scheduler.queueCounts(), { active: 0, backoff: 0, unschedulable: 1, inFlight: 0 });
  // Nothing changes: no retry before the 5-minute flush.
  h.clock.advance(60_000);
  assert.equal(h.events.filter((e) => e.reason === "FailedScheduling").length, 1);
  // A node that fits arrives: the pod moves back (its 1 s backoff has passed) and is bound.
  h.store.create(node("large", { cpu: "8", labels: { zone: "a" } }));
  h.clock.advance(1);
  assert.equal(h.get("big").spec.nodeName, "large");
  h.scheduler.stop();
});

test("no nodes at all: SchedulerError and a retry after the backoff", () => {
  const h = harness();
  h.scheduler.start();
  h.create(pod("p"));
  h.clock.advance(1);
  assert.deepEqual(h.events.at(-1)?.message, "no nodes available to schedule pods");
  assert.equal(h.get("p").status?.conditions?.find((c) => c.type === "PodScheduled")?.reason, "SchedulerError");
  h.clock.advance(1000);
  assert.equal(h.events.filter((e) => e.reason === "FailedScheduling").length, 2, "retried after 1 s");
  h.scheduler.stop();
});

test("the queue: higher priority first, then oldest; backoff 1 s doubling to 10 s; moved back on cluster events", () => {
  let now = 0;
  const q = new SchedulingQueue(() => now);
  const p = (name: string, priority = 0) => pod(name, { priority });
  q.add(p("low"));
  now = 1;
  q.add(p("high", 100));
  now = 2;
  q.add(p("low2"));
  assert.deepEqual([q.pop(), q.pop(), q.pop()].map((x) => x?.metadata.name), ["high", "low", "low2"]);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => SchedulingQueue.backoffMs(n)), [1000, 2000, 4000, 8000, 10000, 10000]);
  q.failed(p("low"), false);
  assert.equal(q.nextWakeup(), 2 + 1000);
  assert.equal(q.pop(), undefined, "backing off");
  now = 1002;
  assert.equal(q.pop()?.metadata.name, "low");
  q.failed(p("low"), true);
  q.moveAllToActiveOrBackoff();
  assert.equal(q.pop(), undefined, "moved to backoffQ: its second backoff (2 s) lasts until 3002");
  now = 3002;
  assert.equal(q.pop()?.metadata.name, "low");
});

test("pods/binding: binds once; a bound or deleting pod is a 409 Conflict in upstream's words", () => {
  const h = harness();
  h.create(pod("p"));
  const bound = bindPodInStore(h.store, { namespace: "default", name: "p", node: "n1", now: "2026-01-01T00:00:00Z", annotations: { a: "b" } });
  assert.equal(bound.spec.nodeName, "n1");
  assert.equal(bound.metadata.annotations?.a, "b");
  assert.equal(bound.status?.conditions?.find((c) => c.type === "PodScheduled")?.status, "True");
  assert.throws(
    () => bindPodInStore(h.store, { namespace: "default", name: "p", node: "n2", now: "2026-01-01T00:00:00Z" }),
    (e: unknown) => e instanceof ApiError && e.code === 409 && e.message === 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"',
  );
  assert.throws(() => bindPodInStore(h.store, { namespace: "default", name: "gone", node: "n2", now: "x" }), (e: unknown) => e instanceof ApiError && e.code === 404);
});
