/**
 * VolumeBinding's PreBind in the scheduler's loop over a fake clock: a pod whose WaitForFirstConsumer claim the
 * node's provisioner must make is assumed on the chosen node, its claim annotated, and bound only once the claim is
 * bound, while the loop goes on scheduling other pods (which see the assumed pod's room taken); the timeout and a
 * provisioner that gives up (it removes the selected-node annotation) unreserve it with upstream's FailedScheduling
 * message, and it is tried again after its backoff, on another node when the first no longer suits it best.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StorageClass } from "../../../src/api/storage-class.js";
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE } from "../../../src/api/storage-annotations.js";
import type { PersistentVolume, PersistentVolumeClaim } from "../../../src/api/types.js";
import { node, pod } from "./fixtures.js";
import { schedulerHarness } from "./loop-harness.js";

const dynamic: StorageClass = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "dyn" }, provisioner: "nodelet.io/local", volumeBindingMode: "WaitForFirstConsumer" };

function setup(o: { bindTimeoutMs?: number } = {}) {
  const h = schedulerHarness(o);
  h.store.create(node("big", { cpu: "4" }));
  h.store.create(node("small", { cpu: "2" }));
  h.store.create(dynamic);
  h.store.create<PersistentVolumeClaim>({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data", namespace: "default" },
    spec: { storageClassName: "dyn", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  });
  const claim = () => h.store.get<PersistentVolumeClaim>("PersistentVolumeClaim", "default", "data")!;
  const setClaim = (c: PersistentVolumeClaim) => h.store.update(c, { resourceVersion: c.metadata.resourceVersion });
  /** What the PV controller does once the node's provisioner made the volume: the PV, then the claim bound to it. */
  const provisioned = (on: string) => {
    const c = claim();
    h.store.create<PersistentVolume>({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pv-data" },
      spec: {
        capacity: { storage: "1Gi" },
        accessModes: ["ReadWriteOnce"],
        storageClassName: "dyn",
        claimRef: { kind: "PersistentVolumeClaim", namespace: "default", name: "data", uid: c.metadata.uid },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [on] }] }] } },
      },
    });
    setClaim({ ...c, metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, [ANN_BIND_COMPLETED]: "yes" } }, spec: { ...c.spec, volumeName: "pv-data" } });
  };
  const db = () => pod("db", { cpu: "1", volumes: [{ name: "v", persistentVolumeClaim: { claimName: "data" } }] });
  const failures = () => h.events.filter((e) => e.name === "db" && e.reason === "FailedScheduling").map((e) => e.message);
  return { ...h, claim, setClaim, provisioned, db, failures };
}

test("PreBind waits for the claim off the loop: other pods are scheduled meanwhile, and the pod is bound once its claim is", async () => {
  const h = setup();
  try {
    h.scheduler.start();
    h.create(h.db());
    h.clock.advance(1);
    assert.equal(h.claim().metadata.annotations?.[ANN_SELECTED_NODE], "big", "the node's provisioner is asked to make the volume");
    assert.equal(h.get("db").spec.nodeName, undefined, "not bound before its claim is");
    assert.equal(h.scheduler.bindingWaits(), 1);
    // The loop goes on: this pod fits big only beside the assumed db (4 - 1 = 3 cpu left).
    h.create(pod("web", { cpu: "3" }));
    h.clock.advance(1);
    assert.equal(h.get("web").spec.nodeName, "big");
    h.create(pod("more", { cpu: "1" }));
    h.clock.advance(1);
    assert.equal(h.get("more").spec.nodeName, "small", "db's room on big is taken while it waits");
    h.clock.advance(60_000);
    assert.equal(h.get("db").spec.nodeName, undefined);
    h.provisioned("big");
    assert.equal(h.get("db").spec.nodeName, "big");
    assert.equal(h.scheduler.bindingWaits(), 0);
    assert.deepEqual(h.events.filter((e) => e.name === "db"), [{ name: "db", type: "Normal", reason: "Scheduled", message: "Successfully assigned default/db to big" }]);
  } finally {
    await h.close();
  }
});

test("PreBind's timeout unreserves the pod with the FailedScheduling message and it is tried again after its backoff", async () => {
  const h = setup({ bindTimeoutMs: 30_000 });
  try {
    h.scheduler.start();
    h.create(h.db());
    h.clock.advance(1);
    assert.equal(h.scheduler.bindingWaits(), 1);
    h.clock.advance(29_998);
    assert.deepEqual(h.failures(), []);
    h.clock.advance(1);
    const message = 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded';
    assert.deepEqual(h.failures(), [message]);
    const cond = h.get("db").status?.conditions?.find((c) => c.type === "PodScheduled");
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ["False", "SchedulerError", message]);
    assert.deepEqual(h.scheduler.queueCounts(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
    // Unreserved: big's room is free again for a pod that needs all of it.
    h.create(pod("whole", { cpu: "4" }));
    h.clock.advance(1);
    assert.equal(h.get("whole").spec.nodeName, "big");
    h.store.delete("Pod", "default", "whole");
    // Retried after the 1 s backoff: the claim is still the chosen node's to provision, so it waits there again.
    h.clock.advance(1000);
    assert.equal(h.scheduler.bindingWaits(), 1);
    h.provisioned("big");
    assert.equal(h.get("db").spec.nodeName, "big");
  } finally {
    await h.close();
  }
});

test("a provisioner that gives up (selected-node removed) fails the binding at once; the retry goes to another node", async () => {
  const h = setup();
  try {
    h.scheduler.start();
    h.create(h.db());
    h.clock.advance(1);
    assert.equal(h.claim().metadata.annotations?.[ANN_SELECTED_NODE], "big");
    // Meanwhile big fills up beside db's assumed room.
    h.create(pod("web", { cpu: "3" }));
    h.clock.advance(1);
    assert.equal(h.get("web").spec.nodeName, "big");
    // big's provisioner cannot make the volume (not enough disk) and hands the claim back, as external-provisioner does.
    const c = h.claim();
    const { [ANN_SELECTED_NODE]: _removed, ...annotations } = c.metadata.annotations ?? {};
    h.setClaim({ ...c, metadata: { ...c.metadata, annotations } });
    assert.deepEqual(h.failures(), ['running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "data"']);
    assert.equal(h.scheduler.bindingWaits(), 0);
    assert.equal(h.get("db").spec.nodeName, undefined);
    // After its backoff it is scheduled again: big has 1 cpu left, small 2, so small scores higher now.
    h.clock.advance(1000);
    assert.equal(h.claim().metadata.annotations?.[ANN_SELECTED_NODE], "small");
    h.provisioned("small");
    assert.equal(h.get("db").spec.nodeName, "small");
  } finally {
    await h.close();
  }
});

test("a pod deleted while it waits ends its binding cycle and leaves no assumption behind", async () => {
  const h = setup();
  try {
    h.scheduler.start();
    h.create(h.db());
    h.clock.advance(1);
    assert.equal(h.scheduler.bindingWaits(), 1);
    h.store.delete("Pod", "default", "db");
    assert.equal(h.scheduler.bindingWaits(), 0);
    h.create(pod("whole", { cpu: "4" }));
    h.clock.advance(1);
    assert.equal(h.get("whole").spec.nodeName, "big");
    assert.deepEqual(h.scheduler.queueCounts(), { active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
  } finally {
    await h.close();
  }
});
