/**
 * Preemption in the scheduler's loop (in-memory store, in-process API, fake clock): the victim gets DisruptionTarget
 * (PreemptionByScheduler) and is deleted gracefully through the API with the Preempted event; the preemptor is
 * nominated, its FailedScheduling message has no "preemption:" part, it does not preempt again while the victim
 * terminates, and it is bound to the nominated node once the victim is gone.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { node, pod } from "./fixtures.js";
import { schedulerHarness } from "./loop-harness.js";

test("a pod of higher priority preempts the least important pod that makes room and is bound there after", async () => {
  const h = schedulerHarness();
  try {
    h.store.create(node("n1", { cpu: "2" }));
    h.store.create(node("n2", { cpu: "8", labels: { pool: "other" } }));
    h.create(pod("low-a", { node: "n1", cpu: "1", priority: 10 }));
    h.create(pod("low-b", { node: "n1", cpu: "1", priority: 20 }));
    h.scheduler.start();
    const vip = h.create(pod("vip", { cpu: "1", priority: 1000, nodeSelector: { "kubernetes.io/hostname": "n1" } }));
    h.clock.advance(1);

    const victim = h.get("low-a");
    assert.ok(victim.metadata.deletionTimestamp, "deleted gracefully (bound and running: the kubelet finishes it)");
    const target = victim.status?.conditions?.find((c) => c.type === "DisruptionTarget");
    assert.deepEqual([target?.status, target?.reason, target?.message], ["True", "PreemptionByScheduler", "default-scheduler: preempting to accommodate a higher priority pod"]);
    assert.equal(h.get("low-b").metadata.deletionTimestamp, undefined);
    assert.deepEqual(
      h.events.filter((e) => e.reason === "Preempted"),
      [{ name: "low-a", type: "Normal", reason: "Preempted", message: `Preempted by pod ${vip.metadata.uid} on node n1` }],
    );
    assert.equal(h.get("vip").status?.nominatedNodeName, "n1");
    assert.deepEqual(h.events.filter((e) => e.name === "vip").at(-1), {
      name: "vip",
      type: "Warning",
      reason: "FailedScheduling",
      message: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector.",
    });

    // Retried meanwhile (a node changes): the victim still terminates, so nothing more is preempted.
    h.store.create(node("n3", { cpu: "1", labels: { pool: "other" } }));
    h.clock.advance(2000);
    assert.equal(h.events.filter((e) => e.reason === "Preempted").length, 1);
    assert.match(h.events.filter((e) => e.name === "vip").at(-1)!.message, /preemption: not eligible due to a terminating pod on the nominated node\.$/);
    assert.equal(h.get("vip").spec.nodeName, undefined);

    // The kubelet's final delete: the room is free, and the pod goes to its nominated node.
    h.store.delete("Pod", "default", "low-a");
    h.clock.advance(10_000);
    assert.equal(h.get("vip").spec.nodeName, "n1");
  } finally {
    await h.close();
  }
});
