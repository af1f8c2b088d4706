/**
 * VolumeBinding over claims and local volumes: missing, deleting and unbound Immediate claims refuse every node
 * (PreFilter); a bound claim's volume must allow the node; an unbound WaitForFirstConsumer claim needs an Available
 * volume the node can use (each volume for one claim) or a class that provisions; the selected-node annotation pins
 * a claim; and what PreBind must do on the chosen node is kept.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StorageClass } from "../../../src/api/storage-class.js";
import type { PersistentVolume, PersistentVolumeClaim } from "../../../src/api/types.js";
import { podVolumesOn, volumeBinding } from "../../../src/scheduler/plugins/volume-binding.js";
import { ctxFor, filterOf, node, pod, snapshot } from "./fixtures.js";

const cls = (name: string, provisioner: string, mode: StorageClass["volumeBindingMode"]): StorageClass => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name },
  provisioner,
  volumeBindingMode: mode,
});
const classes = [cls("local", "kubernetes.io/no-provisioner", "WaitForFirstConsumer"), cls("dyn", "nodelet.io/local", "WaitForFirstConsumer"), cls("now", "nodelet.io/local", "Immediate")];

function claim(name: string, storageClassName: string, o: { volumeName?: string; annotations?: Record<string, string>; size?: string } = {}): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default", uid: `uid-${name}`, annotations: o.annotations },
    spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: o.size ?? "1Gi" } }, ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
  };
}

function localPV(name: string, nodeName: string, size = "2Gi"): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name },
    spec: {
      capacity: { storage: size },
      accessModes: ["ReadWriteOnce"],
      storageClassName: "local",
      local: { path: `/mnt/${name}` },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [nodeName] }] }] } },
    },
    status: { phase: "Available" },
  };
}

const using = (...claims: string[]) => pod("p", { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) });
const nodes = [node("n1"), node("n2")];

test("VolumeBinding PreFilter: a missing, deleting or unbound Immediate claim keeps the pod off every node", () => {
  assert.deepEqual(filterOf(volumeBinding, using("data"), snapshot(nodes, [])), ['persistentvolumeclaim "data" not found', 'persistentvolumeclaim "data" not found']);
  const deleting = { ...claim("data", "dyn"), metadata: { ...claim("data", "dyn").metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } };
  assert.deepEqual(filterOf(volumeBinding, using("data"), snapshot(nodes, [], { claims: [deleting], classes }))[0], 'persistentvolumeclaim "data" is being deleted');
  assert.deepEqual(filterOf(volumeBinding, using("data"), snapshot(nodes, [], { claims: [claim("data", "now")], classes }))[0], "pod has unbound immediate PersistentVolumeClaims");
  assert.deepEqual(filterOf(volumeBinding, pod("p"), snapshot(nodes)), ["", ""], "no claims: skipped");
});

test("VolumeBinding bound claims: the volume must exist and its node affinity allow the node", () => {
  const snap = snapshot(nodes, [], { claims: [claim("data", "local", { volumeName: "pv1" }), claim("gone", "local", { volumeName: "pv9" })], volumes: [localPV("pv1", "n2")], classes });
  assert.deepEqual(filterOf(volumeBinding, using("data"), snap), ["node(s) had volume node affinity conflict", ""]);
  assert.deepEqual(filterOf(volumeBinding, using("gone"), snap), ["node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)", "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"]);
});

test("VolumeBinding WaitForFirstConsumer: an Available volume on the node, each volume for one claim, or provisioning", () => {
  const snap = snapshot(nodes, [], { claims: [claim("a", "local"), claim("b", "local")], volumes: [localPV("pv1", "n2"), localPV("small", "n1", "100Mi")], classes });
  assert.deepEqual(filterOf(volumeBinding, using("a"), snap), ["node(s) didn't find available persistent volumes to bind", ""]);
  const ctx = ctxFor(using("a"), snap);
  volumeBinding.preFilter!(ctx);
  volumeBinding.filter!(ctx, snap.nodes[1]);
  assert.deepEqual(podVolumesOn(ctx, "n2").bind.map((b) => [b.volume.metadata.name, b.claim.metadata.name]), [["pv1", "a"]]);
  // Two claims and one volume on n2: the second finds nothing left.
  assert.deepEqual(filterOf(volumeBinding, using("a", "b"), snap)[1], "node(s) didn't find available persistent volumes to bind");
  // A class with a provisioner makes the volume wherever the pod goes.
  const dyn = snapshot(nodes, [], { claims: [claim("d", "dyn")], classes });
  assert.deepEqual(filterOf(volumeBinding, using("d"), dyn), ["", ""]);
  const dctx = ctxFor(using("d"), dyn);
  volumeBinding.preFilter!(dctx);
  volumeBinding.filter!(dctx, dyn.nodes[0]);
  assert.deepEqual(podVolumesOn(dctx, "n1").provision.map((c) => c.metadata.name), ["d"]);
  // A claim already handed to n1's provisioner fits n1 only.
  const pinned = snapshot(nodes, [], { claims: [claim("d", "dyn", { annotations: { "volume.kubernetes.io/selected-node": "n1" } })], classes });
  assert.deepEqual(filterOf(volumeBinding, using("d"), pinned), ["", "node(s) didn't find available persistent volumes to bind"]);
});
