/**
 * ReadWriteOncePod, as the scheduler's VolumeRestrictions plugin enforces it: a second pod on a claim with that mode
 * stays Pending and unscheduled (PodScheduled False, reason Unschedulable, the scheduler's message) with a
 * FailedScheduling event from default-scheduler, also while the first pod is terminating, and runs once the first
 * is gone. ReadWriteOnce lets pods of one node share. Over the fake runtime and clock.
 */
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import type { PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { READ_WRITE_ONCE_POD_CONFLICT, readWriteOncePodConflict } from "../../../src/kubelet/volume-restrictions.js";
import { makeKubelet, type Harness } from "../../helpers/kubelet-harness.js";

const MESSAGE =
  "0/1 nodes are available: 1 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";

let h: Harness;
beforeEach(async () => {
  h = await makeKubelet();
});
afterEach(async () => {
  await h.close();
});

function claim(name: string, mode: string): void {
  const c: PersistentVolumeClaim = {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default" },
    spec: { accessModes: [mode], resources: { requests: { storage: "1Mi" } } },
  };
  h.store.create(c);
}

function podOn(name: string, claimName: string): void {
  h.create({
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 10,
      containers: [{ name: "a", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/data" }] }],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName } }],
    },
  });
}

const scheduled = (name: string) => h.get(name)!.status?.conditions?.find((c) => c.type === "PodScheduled");

test("a second pod on a ReadWriteOncePod claim waits unscheduled until the first is gone", async () => {
  claim("solo", "ReadWriteOncePod");
  podOn("first", "solo");
  await h.settle();
  assert.equal(h.get("first")!.status!.phase, "Running");
  podOn("second", "solo");
  await h.settle();
  const st = h.get("second")!.status!;
  assert.equal(st.phase, "Pending");
  assert.deepEqual([st.reason, st.message, st.hostIP, st.containerStatuses], [undefined, undefined, undefined, undefined]);
  assert.deepEqual(
    { status: scheduled("second")?.status, reason: scheduled("second")?.reason, message: scheduled("second")?.message },
    { status: "False", reason: "Unschedulable", message: MESSAGE },
  );
  const failed = h.events("second").filter((e) => e.reason === "FailedScheduling");
  assert.equal(failed.length, 1);
  assert.deepEqual([failed[0].type, failed[0].message, failed[0].source?.component], ["Warning", MESSAGE, "default-scheduler"]);
  assert.equal(h.runtime.sandbox(h.get("second")!.metadata.uid!), undefined, "nothing made for it");

  // Terminating, the first still holds the claim.
  const first = h.get("first")!;
  h.store.update({ ...first, metadata: { ...first.metadata, deletionTimestamp: new Date(h.clock.now() + 10_000).toISOString(), deletionGracePeriodSeconds: 10 } });
  await h.settle();
  await h.kubelet.resync();
  await h.settle();
  assert.equal(h.get("second")!.status!.phase, "Pending", "not while the first is terminating");

  await h.advance(11_000);
  assert.equal(h.get("first"), undefined, "the first pod is gone");
  await h.kubelet.resync();
  await h.settle();
  assert.equal(h.get("second")!.status!.phase, "Running");
  assert.equal(scheduled("second")?.status, "True");
});

test("ReadWriteOnce claims are shared by pods of the node; an unrelated or missing claim does not conflict", async () => {
  claim("shared", "ReadWriteOnce");
  podOn("one", "shared");
  podOn("two", "shared");
  await h.settle();
  assert.deepEqual([h.get("one")!.status!.phase, h.get("two")!.status!.phase], ["Running", "Running"]);

  const pod = (name: string, ns: string, claims: string[]): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, uid: name },
    spec: { containers: [], volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) },
  });
  const rwop = (ns: string, name: string): PersistentVolumeClaim | undefined =>
    name === "solo" ? { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: ns }, spec: { accessModes: ["ReadWriteOncePod"] } } : undefined;
  assert.match(readWriteOncePodConflict(pod("b", "ns1", ["x", "solo"]), [pod("a", "ns1", ["solo"])], rwop) ?? "", new RegExp(READ_WRITE_ONCE_POD_CONFLICT));
  assert.equal(readWriteOncePodConflict(pod("b", "ns2", ["solo"]), [pod("a", "ns1", ["solo"])], rwop), undefined, "another namespace's claim of that name");
  assert.equal(readWriteOncePodConflict(pod("b", "ns1", ["x"]), [pod("a", "ns1", ["x"])], rwop), undefined, "a claim that is not ReadWriteOncePod (or missing)");
});
