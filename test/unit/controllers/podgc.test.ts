/**
 * The pod garbage collector: the plan (terminated pods beyond the threshold, evicted then oldest first; orphaned pods
 * only after their node has been missing for the quarantine, on the caller's clock; unscheduled terminating pods), and
 * the controller over a fake clock: an orphaned pod marked DisruptionTarget/DeletionByPodGC, Failed, then deleted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod, PodPhase } from "../../../src/api/types.js";
import { podGcPlan, QUARANTINE_MS } from "../../../src/controllers/podgc/plan.js";
import { podGcController } from "../../../src/controllers/podgc/controller.js";
import { startControllers } from "./workloads-harness.js";

const pod = (name: string, o: { node?: string; phase?: PodPhase; created?: number; reason?: string; deleting?: boolean } = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", uid: `u-${name}`, creationTimestamp: new Date(o.created ?? 0).toISOString(), ...(o.deleting ? { deletionTimestamp: new Date(0).toISOString() } : {}) },
  spec: { containers: [{ name: "c", image: "busybox" }], ...(o.node ? { nodeName: o.node } : {}) },
  status: { phase: o.phase ?? "Running", ...(o.reason ? { reason: o.reason } : {}) },
});

const names = (p: ReturnType<typeof podGcPlan>) => p.deletions.map((d) => `${d.reason}:${d.pod.metadata.name}`);

describe("pod GC plan", () => {
  it("deletes terminated pods beyond the threshold, evicted first, then the oldest; 0 turns it off", () => {
    const pods = [pod("new", { node: "n", phase: "Succeeded", created: 3000 }), pod("old", { node: "n", phase: "Failed", created: 1000 }), pod("evicted", { node: "n", phase: "Failed", created: 5000, reason: "Evicted" }), pod("run", { node: "n" })];
    assert.deepEqual(names(podGcPlan(pods, new Set(["n"]), new Map(), 0, 1)), ["terminated:evicted", "terminated:old"]);
    assert.deepEqual(names(podGcPlan(pods, new Set(["n"]), new Map(), 0, 3)), []);
    assert.deepEqual(names(podGcPlan(pods, new Set(["n"]), new Map(), 0, 0)), []);
  });

  it("deletes pods of a missing node only after the quarantine, counted from when it was first seen missing", () => {
    const pods = [pod("a", { node: "gone" }), pod("b", { node: "here" })];
    const first = podGcPlan(pods, new Set(["here"]), new Map(), 1000, 0);
    assert.deepEqual(names(first), []);
    assert.deepEqual([...first.missingSince], [["gone", 1000]]);
    const early = podGcPlan(pods, new Set(["here"]), first.missingSince, 1000 + QUARANTINE_MS - 1, 0);
    assert.deepEqual(names(early), []);
    const late = podGcPlan(pods, new Set(["here"]), early.missingSince, 1000 + QUARANTINE_MS, 0);
    assert.deepEqual(names(late), ["orphaned:a"]);
    // The node came back: its pods are kept and the clock for it forgotten.
    const back = podGcPlan(pods, new Set(["here", "gone"]), late.missingSince, 1000 + QUARANTINE_MS, 0);
    assert.deepEqual([names(back), back.missingSince.size], [[], 0]);
  });

  it("deletes unscheduled pods that are being deleted; a pod counted twice is deleted once", () => {
    const pods = [pod("u", { deleting: true }), pod("pending"), pod("x", { node: "gone", phase: "Failed" }), pod("y", { node: "gone", phase: "Failed" })];
    assert.deepEqual(names(podGcPlan(pods, new Set(), new Map([["gone", 0]]), QUARANTINE_MS, 0)), ["orphaned:x", "orphaned:y", "unscheduled-terminating:u"]);
    assert.deepEqual(names(podGcPlan(pods, new Set(), new Map([["gone", 0]]), QUARANTINE_MS, 1)), ["terminated:x", "orphaned:y", "unscheduled-terminating:u"]);
  });
});

describe("pod GC controller over a fake clock", () => {
  it("marks and force-deletes a pod whose Node is gone once 40 s have passed; keeps a pod on a Node that exists", async () => {
    const h = startControllers([podGcController(0)]);
    try {
      h.store.create({ apiVersion: "v1", kind: "Node", metadata: { name: "here" } });
      h.store.create(pod("kept", { node: "here" }));
      h.store.create(pod("orphan", { node: "gone" }));
      await h.settle();
      h.clock.advance(20_000); // first pass: "gone" seen missing
      await h.settle();
      assert.ok(h.store.get("Pod", "default", "orphan"), "kept during the quarantine");
      h.clock.advance(20_000); // 20 s missing: still quarantined
      await h.settle();
      const seen: Pod[] = [];
      const stop = h.store.watch("Pod", {}, (ev) => ev.object.metadata.name === "orphan" && seen.push(ev.object as Pod));
      h.clock.advance(20_000); // 40 s missing: collected
      await h.settle();
      stop();
      assert.equal(h.store.get("Pod", "default", "orphan"), undefined);
      const marked = seen.find((p) => p.status?.conditions?.some((c) => c.type === "DisruptionTarget"));
      assert.equal(marked?.status?.phase, "Failed");
      assert.deepEqual(marked?.status?.conditions?.filter((c) => c.type === "DisruptionTarget").map((c) => [c.status, c.reason, c.message]), [["True", "DeletionByPodGC", "PodGC: node no longer exists"]]);
      assert.ok(h.store.get("Pod", "default", "kept"));
    } finally {
      await h.close();
    }
  });
});
