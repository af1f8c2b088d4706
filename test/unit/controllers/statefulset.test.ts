/**
 * The StatefulSet controller: the plan as a pure function (ordering, Parallel, scale-down order, partition,
 * retention policy), then the loop over a fake store, clock and kubelet (ordered start, stable claims across pod
 * replacement, revisions and rolling update, claims deleted with their pods on scale-down).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { ControllerRevision, StatefulSet } from "../../../src/api/apps-types.js";
import type { PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { garbageCollector } from "../../../src/controllers/gc/controller.js";
import { statefulSetController } from "../../../src/controllers/statefulset/controller.js";
import { claimOwnerRefs, newStatefulSetPod } from "../../../src/controllers/statefulset/identity.js";
import { planStatefulSet, statefulSetStatus, type Revisions } from "../../../src/controllers/statefulset/reconcile.js";
import { startControllers } from "./workloads-harness.js";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
const TEMPLATE = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } };

function sts(replicas: number, extra: Partial<StatefulSet["spec"]> = {}): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", uid: "ss-uid", generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      serviceName: "nginx",
      template: TEMPLATE,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      volumeClaimTemplates: [{ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Mi" } } } }],
      ...extra,
    },
  };
}

const REV: Revisions = { current: { name: "web-old", template: TEMPLATE }, update: { name: "web-new", template: TEMPLATE } };

function pod(set: StatefulSet, ordinal: number, o: { ready?: boolean; phase?: string; rev?: string; deleting?: boolean; readySince?: number } = {}): Pod {
  const p = newStatefulSetPod(set, ordinal, o.rev ?? "web-new");
  p.metadata.uid = `uid-${ordinal}`;
  if (o.deleting) p.metadata.deletionTimestamp = iso(T0);
  p.status = {
    phase: (o.phase ?? "Running") as "Running",
    conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True", lastTransitionTime: iso(o.readySince ?? T0) }],
  };
  return p;
}

const noClaims = (): undefined => undefined;
const summary = (plan: ReturnType<typeof planStatefulSet>) =>
  plan.actions.map((a) => (a.kind === "createClaim" ? `claim ${a.claim.metadata.name}` : a.kind === "createPod" ? `create ${a.pod.metadata.name}` : a.kind === "deletePod" ? `delete ${a.pod.metadata.name} (${a.why})` : a.kind === "claimOwners" ? `own ${a.claim.metadata.name}: ${a.ownerReferences.map((r) => r.kind).join(",")}` : `relabel ${a.pod.metadata.name}`));

describe("StatefulSet plan", () => {
  it("OrderedReady: creates ordinal 0 with its claim, then waits for it to be Running and Ready", () => {
    const set = sts(3);
    assert.deepEqual(summary(planStatefulSet(set, [], noClaims, REV, T0)), ["claim www-web-0", "create web-0"]);
    assert.deepEqual(summary(planStatefulSet(set, [pod(set, 0, { ready: false })], noClaims, REV, T0)), []);
    const plan = planStatefulSet(set, [pod(set, 0)], noClaims, REV, T0);
    assert.deepEqual(summary(plan), ["claim www-web-1", "create web-1"]);
  });

  it("the pod carries identity, storage and revision", () => {
    const p = planStatefulSet(sts(1), [], noClaims, REV, T0).actions.find((a) => a.kind === "createPod");
    assert.ok(p?.kind === "createPod");
    assert.equal(p.pod.metadata.name, "web-0");
    assert.deepEqual(p.pod.metadata.labels, { app: "web", "statefulset.kubernetes.io/pod-name": "web-0", "apps.kubernetes.io/pod-index": "0", "controller-revision-hash": "web-new" });
    assert.equal(p.pod.spec.hostname, "web-0");
    assert.equal(p.pod.spec.subdomain, "nginx");
    assert.deepEqual(p.pod.spec.volumes, [{ name: "www", persistentVolumeClaim: { claimName: "www-web-0" } }]);
  });

  it("minReadySeconds: a ready pod blocks the next until available, and asks to look again", () => {
    const set = sts(2, { minReadySeconds: 10 });
    const plan = planStatefulSet(set, [pod(set, 0, { readySince: T0 - 4000 })], noClaims, REV, T0);
    assert.deepEqual(summary(plan), []);
    assert.equal(plan.requeueAfterMs, 10_000);
    assert.deepEqual(summary(planStatefulSet(set, [pod(set, 0, { readySince: T0 - 10_000 })], noClaims, REV, T0)), ["claim www-web-1", "create web-1"]);
  });

  it("Parallel: creates every missing pod at once and does not wait", () => {
    const set = sts(3, { podManagementPolicy: "Parallel" });
    assert.deepEqual(summary(planStatefulSet(set, [pod(set, 1, { ready: false })], noClaims, REV, T0)), ["claim www-web-0", "create web-0", "claim www-web-2", "create web-2"]);
  });

  it("scale-down: highest ordinal first, one at a time, blocked while a remaining pod is unhealthy", () => {
    const set = sts(1);
    const pods = [pod(set, 0), pod(set, 1), pod(set, 2)];
    assert.deepEqual(summary(planStatefulSet(set, pods, noClaims, REV, T0)), ["delete web-2 (condemned)"]);
    assert.deepEqual(summary(planStatefulSet(set, [pod(set, 0), pod(set, 1), pod(set, 2, { deleting: true })], noClaims, REV, T0)), []);
    assert.deepEqual(summary(planStatefulSet(set, [pod(set, 0, { ready: false }), pod(set, 1)], noClaims, REV, T0)), []);
  });

  it("a failed pod is deleted to be recreated", () => {
    const set = sts(1);
    assert.deepEqual(summary(planStatefulSet(set, [pod(set, 0, { phase: "Failed", ready: false })], noClaims, REV, T0)), ["delete web-0 (failed)"]);
  });

  it("RollingUpdate: the highest pod not on the update revision goes first, and never below the partition", () => {
    const set = sts(3, { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } });
    const old = [0, 1, 2].map((i) => pod(set, i, { rev: "web-old" }));
    assert.deepEqual(summary(planStatefulSet(set, old, noClaims, REV, T0)), ["delete web-2 (update)"]);
    const mid = [pod(set, 0, { rev: "web-old" }), pod(set, 1, { rev: "web-old" }), pod(set, 2, { rev: "web-new", ready: false })];
    assert.deepEqual(summary(planStatefulSet(set, mid, noClaims, REV, T0)), [], "waits for the updated pod to be ready");
    const done = [pod(set, 0, { rev: "web-old" }), pod(set, 1, { rev: "web-old" }), pod(set, 2)];
    assert.deepEqual(summary(planStatefulSet(set, done, noClaims, REV, T0)), ["delete web-1 (update)"]);
    const atPartition = [pod(set, 0, { rev: "web-old" }), pod(set, 1), pod(set, 2)];
    assert.deepEqual(summary(planStatefulSet(set, atPartition, noClaims, REV, T0)), [], "ordinal 0 is below the partition");
    // A missing pod below the partition comes back on the current revision.
    const recreated = planStatefulSet(set, [pod(set, 1), pod(set, 2)], noClaims, REV, T0).actions.find((a) => a.kind === "createPod");
    assert.ok(recreated?.kind === "createPod");
    assert.equal(recreated.pod.metadata.labels?.["controller-revision-hash"], "web-old");
  });

  it("OnDelete: pods on an old revision stay", () => {
    const set = sts(2, { updateStrategy: { type: "OnDelete" } });
    assert.deepEqual(summary(planStatefulSet(set, [pod(set, 0, { rev: "web-old" }), pod(set, 1, { rev: "web-old" })], noClaims, REV, T0)), []);
  });

  it("retention policy: the set owns claims under whenDeleted=Delete, the pod owns a condemned pod's claim under whenScaled=Delete", () => {
    const claim = (name: string): PersistentVolumeClaim => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: "default" }, spec: {} });
    const both = sts(1, { persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Delete" } });
    assert.deepEqual(claimOwnerRefs(both, claim("www-web-0"), pod(both, 0), false).map((r) => `${r.kind}/${r.name}`), ["StatefulSet/web"]);
    assert.deepEqual(claimOwnerRefs(both, claim("www-web-1"), pod(both, 1), true).map((r) => `${r.kind}/${r.name}`), ["Pod/web-1"]);
    const retain = sts(1);
    assert.deepEqual(claimOwnerRefs(retain, claim("www-web-1"), pod(retain, 1), true), []);
    const claims = new Map([["www-web-0", claim("www-web-0")], ["www-web-1", claim("www-web-1")]]);
    const scaled = sts(1, { persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Delete" } });
    assert.deepEqual(summary(planStatefulSet(scaled, [pod(scaled, 0), pod(scaled, 1)], (n) => claims.get(n), REV, T0)), ["own www-web-1: Pod", "delete web-1 (condemned)"]);
  });

  it("status counts revisions and completes the rollout when every pod is updated and ready", () => {
    const set = sts(2);
    const s = statefulSetStatus(set, [pod(set, 0, { rev: "web-old" }), pod(set, 1)], { current: "web-old", update: "web-new" }, 0, T0);
    assert.deepEqual(s, { observedGeneration: 1, replicas: 2, readyReplicas: 2, currentReplicas: 1, updatedReplicas: 1, availableReplicas: 2, currentRevision: "web-old", updateRevision: "web-new", collisionCount: 0 });
    const done = statefulSetStatus(set, [pod(set, 0), pod(set, 1)], { current: "web-old", update: "web-new" }, 0, T0);
    assert.equal(done.currentRevision, "web-new");
    assert.equal(done.currentReplicas, 2);
  });
});

describe("StatefulSet controller loop", () => {
  let holdAll = true;
  const h = startControllers([statefulSetController, garbageCollector], { hold: (p) => holdAll && p.metadata.name === "web-1" });
  after(() => h.close());
  const get = () => h.store.get<StatefulSet>("StatefulSet", "default", "web")!;
  const pods = () => h.store.list<Pod>("Pod", { namespace: "default" }).items.map((p) => p.metadata.name).sort();
  const claims = () => h.store.list<PersistentVolumeClaim>("PersistentVolumeClaim", { namespace: "default" }).items.map((c) => c.metadata.name).sort();
  const revisions = () => h.store.list<ControllerRevision>("ControllerRevision", { namespace: "default" }).items;

  it("creates web-0, then web-1 only after web-0 is Ready; each gets its own claim", async () => {
    const { uid: _u, generation: _g, ...meta } = sts(0).metadata;
    h.api.create({ ...sts(3), metadata: meta });
    await h.settle();
    assert.deepEqual(pods(), ["web-0", "web-1"], "web-1 is held Pending, so web-2 waits");
    assert.deepEqual(claims(), ["www-web-0", "www-web-1"]);
    holdAll = false;
    h.kubelet.kick();
    await h.settle();
    assert.deepEqual(pods(), ["web-0", "web-1", "web-2"]);
    const st = get().status!;
    assert.equal(st.readyReplicas, 3);
    assert.equal(st.currentRevision, st.updateRevision);
    assert.equal(revisions().length, 1);
    assert.equal(revisions()[0].metadata.name, st.updateRevision);
    assert.deepEqual(revisions()[0].metadata.labels, { app: "web", "controller-revision-hash": st.updateRevision!.slice("web-".length) });
  });

  it("a deleted pod comes back with the same name and claim", async () => {
    const before = h.store.get<Pod>("Pod", "default", "web-0")!;
    h.api.delete("Pod", "default", "web-0");
    await h.settle();
    const after0 = h.store.get<Pod>("Pod", "default", "web-0")!;
    assert.notEqual(after0.metadata.uid, before.metadata.uid);
    assert.deepEqual(after0.spec.volumes?.find((v) => v.name === "www")?.persistentVolumeClaim, { claimName: "www-web-0" });
    assert.deepEqual(claims(), ["www-web-0", "www-web-1", "www-web-2"]);
  });

  it("a template change rolls pods from the highest ordinal down to the new revision", async () => {
    const first = get().status!.updateRevision;
    h.api.update({ ...get(), spec: { ...get().spec, template: { ...TEMPLATE, spec: { containers: [{ name: "c", image: "busybox:2" }] } } } });
    await h.settle();
    const st = get().status!;
    assert.notEqual(st.updateRevision, first);
    assert.equal(st.currentRevision, st.updateRevision, "rollout complete");
    assert.equal(st.updatedReplicas, 3);
    for (const n of ["web-0", "web-1", "web-2"]) assert.equal(h.store.get<Pod>("Pod", "default", n)!.spec.containers[0].image, "busybox:2");
    assert.deepEqual(revisions().map((r) => r.revision).sort(), [1, 2]);
  });

  it("scale-down with whenScaled=Delete removes the claims with the pods; Retain keeps them", async () => {
    h.api.update({ ...get(), spec: { ...get().spec, replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Delete" } } });
    await h.settle();
    await h.settle();
    assert.deepEqual(pods(), ["web-0", "web-1"]);
    assert.deepEqual(claims(), ["www-web-0", "www-web-1"]);
    h.api.update({ ...get(), spec: { ...get().spec, replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" } } });
    await h.settle();
    assert.deepEqual(pods(), ["web-0"]);
    assert.deepEqual(claims(), ["www-web-0", "www-web-1"]);
  });
});
