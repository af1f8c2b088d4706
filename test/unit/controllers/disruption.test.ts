/**
 * The disruption controller: expected pods and desired healthy for minAvailable/maxUnavailable as ints and
 * percentages (scales from the pods' controllers), unmanaged pods, evictions in flight expiring after 2 minutes,
 * then the loop over a fake store, clock and kubelet (status, DisruptionAllowed, fail-safe).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment } from "../../../src/api/apps-types.js";
import type { PodDisruptionBudget } from "../../../src/api/policy-types.js";
import type { Event, OwnerReference, Pod } from "../../../src/api/types.js";
import { deploymentController } from "../../../src/controllers/deployment/controller.js";
import { disruptionController } from "../../../src/controllers/disruption/controller.js";
import { countHealthy, DELETION_TIMEOUT_MS, disruptedPodMap, expectedPodCount } from "../../../src/controllers/disruption/reconcile.js";
import { replicaSetController } from "../../../src/controllers/replicaset/controller.js";
import { startControllers } from "./workloads-harness.js";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

const pdb = (spec: PodDisruptionBudget["spec"], status?: PodDisruptionBudget["status"]): PodDisruptionBudget => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "web", namespace: "default", generation: 1 },
  spec: { selector: { matchLabels: { app: "web" } }, ...spec },
  status,
});

function pod(name: string, owner?: string, o: { ready?: boolean; deleting?: boolean } = {}): Pod {
  const ownerReferences: OwnerReference[] | undefined = owner ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: `uid-${owner}`, controller: true }] : undefined;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "web" }, ownerReferences, ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}) },
    spec: { containers: [{ name: "c" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }] },
  };
}

/** Two ReplicaSets: a (scale 4) and b (scale 6). */
const scales = (ref: OwnerReference) => ({ "uid-a": { uid: "uid-a", scale: 4 }, "uid-b": { uid: "uid-b", scale: 6 } })[ref.uid];

describe("PodDisruptionBudget arithmetic", () => {
  it("minAvailable as an int counts the pods; as a percentage the controllers' scales, rounded up", () => {
    const pods = [pod("p1", "a"), pod("p2", "a"), pod("p3", "b")];
    assert.deepEqual(expectedPodCount(pdb({ minAvailable: 2 }), pods, scales), { expectedCount: 3, desiredHealthy: 2, unmanagedPods: [] });
    assert.deepEqual(expectedPodCount(pdb({ minAvailable: "25%" }), pods, scales), { expectedCount: 10, desiredHealthy: 3, unmanagedPods: [] });
  });

  it("maxUnavailable: expected minus the scaled value rounded up, never below 0", () => {
    const pods = [pod("p1", "a"), pod("p2", "b")];
    assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: "15%" }), pods, scales), { expectedCount: 10, desiredHealthy: 8, unmanagedPods: [] });
    assert.equal(expectedPodCount(pdb({ maxUnavailable: 20 }), pods, scales).desiredHealthy, 0);
  });

  it("pods without a controller are reported as unmanaged; a controller of unknown scale is an error", () => {
    assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: 1 }), [pod("p1", "a"), pod("bare")], scales).unmanagedPods, ["bare"]);
    assert.throws(() => expectedPodCount(pdb({ maxUnavailable: 1 }), [pod("p1", "zzz")], scales), /found no controllers for pod "p1"/);
  });

  it("an eviction counts against the budget until its pod terminates or 2 minutes pass", () => {
    const b = pdb({ minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptedPods: { p1: iso(T0) } });
    const pods = [pod("p1", "a"), pod("p2", "a")];
    const now = disruptedPodMap(b, pods, T0 + 1000);
    assert.deepEqual(now, { disrupted: { p1: iso(T0) }, recheckAt: T0 + DELETION_TIMEOUT_MS });
    assert.equal(countHealthy(pods, now.disrupted), 1);
    assert.deepEqual(disruptedPodMap(b, pods, T0 + DELETION_TIMEOUT_MS).disrupted, {});
    assert.deepEqual(disruptedPodMap(b, [pod("p1", "a", { deleting: true })], T0).disrupted, {});
    assert.equal(countHealthy([pod("x", "a", { ready: false }), pod("y", "a", { deleting: true })], {}), 0);
  });
});

describe("disruption controller loop", () => {
  const deployment = (replicas: number): Deployment => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
  });

  it("writes status and DisruptionAllowed from the Deployment's pods, keeps an eviction in flight for 2 minutes", async () => {
    const h = startControllers([replicaSetController, deploymentController, disruptionController]);
    try {
      h.api.create(deployment(3));
      h.api.create(pdb({ maxUnavailable: "33%" })); // 0.99 pods, rounded up to 1
      await h.settle();
      const get = () => h.store.get<PodDisruptionBudget>("PodDisruptionBudget", "default", "web")!;
      const s = get().status!;
      assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, conditions: undefined });
      const c = s.conditions?.[0];
      assert.deepEqual(c && [c.type, c.status, c.reason, c.observedGeneration], ["DisruptionAllowed", "True", "SufficientPods", 1]);
      // The eviction API's record of an eviction whose pod is not gone yet: not healthy, so nothing is allowed.
      const victim = h.store.list<Pod>("Pod", { namespace: "default" }).items[0].metadata.name!;
      h.api.updateStatus<PodDisruptionBudget>({ ...get(), status: { ...get().status!, disruptionsAllowed: 0, disruptedPods: { [victim]: iso(h.clock.now()) } } });
      await h.settle();
      assert.deepEqual([get().status!.currentHealthy, get().status!.disruptionsAllowed], [2, 0]);
      assert.equal(get().status!.conditions?.[0].reason, "InsufficientPods");
      h.clock.advance(DELETION_TIMEOUT_MS + 1);
      await h.settle();
      assert.deepEqual([get().status!.currentHealthy, get().status!.disruptionsAllowed, get().status!.disruptedPods], [3, 1, undefined]);
      // The spec may change: a new generation is observed.
      h.api.update<PodDisruptionBudget>({ ...get(), spec: { ...get().spec, maxUnavailable: undefined, minAvailable: 3 } });
      await h.settle();
      assert.deepEqual([get().metadata.generation, get().status!.observedGeneration, get().status!.disruptionsAllowed], [2, 2, 0]);
    } finally {
      await h.close();
    }
  });

  it("fails safe when the expected count cannot be computed, and says why", async () => {
    const h = startControllers([disruptionController]);
    try {
      const p = pod("orphanish");
      p.metadata.ownerReferences = [{ apiVersion: "batch/v1", kind: "Job", name: "j", uid: "uid-j", controller: true }];
      h.store.create(p);
      h.api.create(pdb({ maxUnavailable: 1 }));
      await h.settle();
      const s = h.store.get<PodDisruptionBudget>("PodDisruptionBudget", "default", "web")!.status!;
      assert.equal(s.disruptionsAllowed, 0);
      assert.deepEqual([s.conditions?.[0].status, s.conditions?.[0].reason, s.conditions?.[0].message], ["False", "SyncFailed", 'found no controllers for pod "orphanish"']);
      const events = h.store.list<Event>("Event", { namespace: "default" }).items.map((e) => `${e.reason}: ${e.message}`);
      assert.ok(events.includes('CalculateExpectedPodCountFailed: Failed to calculate the number of expected pods: found no controllers for pod "orphanish"'), events.join("\n"));
    } finally {
      await h.close();
    }
  });
});
