/**
 * A growth the provisioner cannot make is the resizer's VolumeResizeFailed event on the claim, in its words, and
 * changes neither the volume's capacity nor the claim's; it is tried again once the provisioner can.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { StorageClass } from "../../../src/api/storage-class.js";
import type { KubeObject, PersistentVolume, PersistentVolumeClaim } from "../../../src/api/types.js";
import { PvBinder } from "../../../src/controllers/pv-binder/controller.js";
import type { VolumeProvisioner } from "../../../src/controllers/pv-binder/provisioner.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { FakeClock } from "../../../src/sys/clock.js";

class RefusingProvisioner implements VolumeProvisioner {
  readonly name = "nodelet.io/local";
  refuse?: string;
  grown: number[] = [];
  async provision(name: string) {
    return { path: `/vols/${name}/mount` };
  }
  async delete() {}
  async expand(_name: string, bytes: number) {
    if (this.refuse) throw new Error(this.refuse);
    this.grown.push(bytes);
    return true;
  }
  async release() {}
}

test("a refused growth is VolumeResizeFailed on the claim, capacities unchanged; a later attempt succeeds", async () => {
  const store = openStore(":memory:");
  const clock = new FakeClock();
  const recorded: string[] = [];
  const prov = new RefusingProvisioner();
  prov.refuse = "resize2fs: Permission denied to resize filesystem";
  const sc: StorageClass = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "local" },
    provisioner: "nodelet.io/local",
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
    allowVolumeExpansion: true,
  };
  store.create(sc);
  const claim = store.create<PersistentVolumeClaim>({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "c", namespace: "default", finalizers: ["kubernetes.io/pvc-protection"] },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeMode: "Filesystem", storageClassName: "local", volumeName: "pvc-c" },
  });
  store.update({ ...claim, status: { phase: "Bound", capacity: { storage: "1Gi" } } }, { subresource: "status" });
  const pv = store.create<PersistentVolume>({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "pvc-c", annotations: { "pv.kubernetes.io/provisioned-by": "nodelet.io/local" }, finalizers: ["kubernetes.io/pv-protection"] },
    spec: {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Delete",
      volumeMode: "Filesystem",
      storageClassName: "local",
      local: { path: "/vols/pvc-c/mount" },
      claimRef: { namespace: "default", name: "c", uid: claim.metadata.uid },
    },
  });
  store.update({ ...pv, status: { phase: "Bound" } }, { subresource: "status" });
  const binder = new PvBinder({ store, provisioner: prov, nodeName: "n1", clock, events: { record: (o: KubeObject, t, r, m) => recorded.push(`${o.kind}/${o.metadata.name} ${t} ${r} ${m}`) } });
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      await binder.idle();
    }
  };
  binder.start();
  await settle();
  const cur = store.get<PersistentVolumeClaim>("PersistentVolumeClaim", "default", "c")!;
  store.update({ ...cur, spec: { ...cur.spec, resources: { requests: { storage: "2Gi" } } } });
  await settle();
  assert.ok(
    recorded.includes('PersistentVolumeClaim/c Warning VolumeResizeFailed resize volume "pvc-c" by resizer "nodelet.io/local" failed: resize2fs: Permission denied to resize filesystem'),
    recorded.join("\n"),
  );
  assert.equal(store.get<PersistentVolume>("PersistentVolume", "", "pvc-c")!.spec.capacity?.storage, "1Gi");
  assert.equal(store.get<PersistentVolumeClaim>("PersistentVolumeClaim", "default", "c")!.status?.capacity?.storage, "1Gi");

  prov.refuse = undefined;
  clock.advance(15_000);
  await settle();
  assert.deepEqual(prov.grown, [2 * 2 ** 30]);
  assert.equal(store.get<PersistentVolumeClaim>("PersistentVolumeClaim", "default", "c")!.status?.capacity?.storage, "2Gi");
  binder.stop();
});
