/** The ReplicaSet controller: ranking and claims as pure functions, then the loop over a fake store and clock. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { ReplicaSet } from "../../../src/api/apps-types.js";
import { ApiError } from "../../../src/api/errors.js";
import type { Event, Pod } from "../../../src/api/types.js";
import { replicaSetController } from "../../../src/controllers/replicaset/controller.js";
import { compareForDeletion, podsToDelete, replicaAction, replicaSetStatus } from "../../../src/controllers/replicaset/reconcile.js";
import { claimDependents } from "../../../src/controllers/foundation/claims.js";
import { startControllers } from "./workloads-harness.js";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function rs(replicas: number, extra: Partial<ReplicaSet["spec"]> = {}): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default", uid: "rs-uid", generation: 2 },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } }, ...extra },
  };
}

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: number; restarts?: number; created?: number; owner?: string; labels?: Record<string, string>; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      labels: o.labels ?? { app: "web" },
      creationTimestamp: iso(o.created ?? T0),
      deletionTimestamp: o.deleting ? iso(T0) : undefined,
      ownerReferences: o.owner ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: o.owner, controller: true }] : undefined,
    },
    spec: { nodeName: o.node ?? "node1", containers: [{ name: "c" }] },
    status: {
      phase: (o.phase ?? "Running") as Pod["status"] extends infer S ? S extends { phase?: infer P } ? P : never : never,
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True", lastTransitionTime: iso(o.readySince ?? T0) }],
      containerStatuses: [{ name: "c", ready: o.ready !== false, restartCount: o.restarts ?? 0, image: "", imageID: "", state: {}, lastState: {} }],
    },
  };
}

describe("ReplicaSet ranking for scale-down", () => {
  it("unassigned, then Pending < Unknown < Running, not ready, recently ready, restarts, younger", () => {
    const pods = [
      pod("old-ready", { readySince: T0 - 60_000, created: T0 - 100_000 }),
      pod("young-ready", { readySince: T0 - 60_000, created: T0 - 10_000 }),
      pod("restarty", { readySince: T0 - 60_000, created: T0 - 100_000, restarts: 3 }),
      pod("recently-ready", { readySince: T0 - 1000 }),
      pod("unready", { ready: false }),
      pod("unknown", { phase: "Unknown", ready: false }),
      pod("pending", { phase: "Pending", ready: false }),
      pod("unassigned", { node: "", phase: "Pending", ready: false }),
    ];
    const order = [...pods].sort(compareForDeletion).map((p) => p.metadata.name);
    assert.deepEqual(order, ["unassigned", "pending", "unknown", "unready", "recently-ready", "restarty", "young-ready", "old-ready"]);
    assert.deepEqual(podsToDelete(pods, 2).map((p) => p.metadata.name), ["unassigned", "pending"]);
  });
});

describe("ReplicaSet claims and actions", () => {
  it("adopts matching orphans, releases owned pods that stop matching, ignores other controllers' pods", () => {
    const owner = rs(3);
    const c = claimDependents(owner, owner.spec.selector, [
      pod("mine", { owner: "rs-uid" }),
      pod("orphan"),
      pod("other", { owner: "someone-else" }),
      pod("relabelled", { owner: "rs-uid", labels: { app: "db" } }),
      pod("orphan-deleting", { deleting: true }),
      pod("unrelated", { labels: { app: "db" } }),
    ]);
    assert.deepEqual(c.owned.map((p) => p.metadata.name), ["mine", "orphan"]);
    assert.deepEqual(c.adopt.map((p) => p.metadata.name), ["orphan"]);
    assert.deepEqual(c.release.map((p) => p.metadata.name), ["relabelled"]);
  });

  it("creates the missing pods, at most 500 a sync, and deletes the surplus", () => {
    assert.deepEqual(replicaAction(rs(3), [pod("a")]), { kind: "create", count: 2 });
    assert.deepEqual(replicaAction(rs(1000), []), { kind: "create", count: 500 });
    const del = replicaAction(rs(1), [pod("a", { created: T0 - 5000 }), pod("b")]);
    assert.equal(del.kind, "delete");
    assert.deepEqual(del.kind === "delete" && del.pods.map((p) => p.metadata.name), ["b"]);
    assert.deepEqual(replicaAction(rs(0), []), { kind: "none" });
  });

  it("status counts ready and available (after minReadySeconds) pods and reports ReplicaFailure", () => {
    const r = rs(3, { minReadySeconds: 10, template: { metadata: { labels: { app: "web", tier: "x" } }, spec: { containers: [] } } });
    const pods = [pod("a", { readySince: T0 - 20_000, labels: { app: "web", tier: "x" } }), pod("b", { readySince: T0 - 1000 }), pod("c", { ready: false })];
    const s = replicaSetStatus(r, pods, T0);
    assert.deepEqual(s, { replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 2 });
    const failed = replicaSetStatus(r, [], T0, { reason: "FailedCreate", message: "Error creating: quota" });
    assert.equal(failed.conditions?.[0].type, "ReplicaFailure");
    assert.equal(failed.conditions?.[0].reason, "FailedCreate");
    assert.equal(replicaSetStatus({ ...r, status: failed }, [], T0).conditions, undefined, "cleared once creating works");
  });
});

describe("ReplicaSet controller loop", () => {
  const h = startControllers([replicaSetController]);
  after(() => h.close());

  const get = () => h.store.get<ReplicaSet>("ReplicaSet", "default", "web")!;
  const owned = () => h.store.list<Pod>("Pod", { namespace: "default" }).items.filter((p) => p.metadata.ownerReferences?.[0]?.uid === get().metadata.uid);

  it("creates pods from the template with a controller reference and reports them ready", async () => {
    h.api.create({ ...rs(3), metadata: { name: "web", namespace: "default" } });
    await h.settle();
    const pods = owned();
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: get().metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.equal(p.spec.nodeName, "node1");
    }
    assert.deepEqual(get().status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const events = h.store.list<Event>("Event", { namespace: "default" }).items.filter((e) => e.reason === "SuccessfulCreate");
    assert.equal(events.length, 3);
    assert.match(events[0].message!, /^Created pod: web-/);
  });

  it("replaces a deleted pod and deletes the surplus on scale-down", async () => {
    const victim = owned()[0];
    h.api.delete("Pod", "default", victim.metadata.name!);
    await h.settle();
    assert.equal(owned().length, 3);
    assert.ok(!owned().some((p) => p.metadata.uid === victim.metadata.uid));
    h.api.update({ ...get(), spec: { ...get().spec, replicas: 1 } });
    await h.settle();
    assert.equal(owned().length, 1);
    assert.equal(get().status?.replicas, 1);
  });

  it("adopts a matching orphan instead of creating, and releases a pod relabelled away", async () => {
    h.api.update({ ...get(), spec: { ...get().spec, replicas: 2 } });
    h.api.create({ apiVersion: "v1", kind: "Pod", metadata: { name: "stray", namespace: "default", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    await h.settle();
    const names = owned().map((p) => p.metadata.name);
    assert.equal(names.length, 2);
    assert.ok(names.includes("stray"), "the orphan was adopted");
    const stray = h.store.get<Pod>("Pod", "default", "stray")!;
    h.api.update({ ...stray, metadata: { ...stray.metadata, labels: { app: "debug" } } });
    await h.settle();
    assert.equal(h.store.get<Pod>("Pod", "default", "stray")!.metadata.ownerReferences, undefined, "released");
    assert.equal(owned().length, 2, "a replacement was made");
  });

  it("reports ReplicaFailure when pods cannot be created, and retries with back-off", async () => {
    // An admission hook refuses the pods (as a quota would): the ReplicaSet exists, its pods cannot.
    h.server.registerCreateHook("Pod", (p) => {
      if (p.metadata.labels?.app === "bad") throw new ApiError("Forbidden", `pods "${p.metadata.generateName}" is forbidden: exceeded quota: q`);
    });
    h.api.create({ ...rs(1), metadata: { name: "bad", namespace: "default" }, spec: { ...rs(1).spec, selector: { matchLabels: { app: "bad" } }, template: { metadata: { labels: { app: "bad" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } } });
    await h.settle();
    const bad = h.store.get<ReplicaSet>("ReplicaSet", "default", "bad")!;
    const cond = bad.status?.conditions?.find((c) => c.type === "ReplicaFailure");
    assert.equal(cond?.reason, "FailedCreate");
    assert.match(cond?.message ?? "", /^Error creating: pods "bad-" is forbidden: exceeded quota: q$/);
    const count = () => h.store.list<Event>("Event", { namespace: "default" }).items.filter((e) => e.reason === "FailedCreate" && e.involvedObject.name === "bad");
    assert.equal(count().length, 1, "one event, aggregated");
    const before = count()[0].count ?? 0;
    h.clock.advance(4);
    await h.settle();
    assert.equal(count()[0].count, before, "no retry before the back-off");
    h.clock.advance(1);
    await h.settle();
    assert.equal(count()[0].count, before + 1, "retried after 5 ms");
  });
});
