/**
 * `local` PersistentVolumes and node affinity: once a WaitForFirstConsumer claim's node is chosen, the PV controller
 * (playing the scheduler's FindMatchingVolume) passes over volumes of other nodes, even smaller ones, and a volume
 * pre-bound to the claim on another node matches nothing; Immediate claims (no node) ignore affinity, as upstream.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { StorageClass } from "../../../src/api/storage-class.js";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { findMatchingVolume } from "../../../src/api/pv-matching.js";
import { reconcile, type BinderSnapshot } from "../../../src/controllers/pv-binder/reconcile.js";
import { volumeNodeAffinityMatches } from "../../../src/api/scheduling.js";

const affinity = (key: string, values: string[]) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: "In", values }] }] } });

function localPv(name: string, size: string, host: string, claimRef?: PersistentVolume["spec"]["claimRef"]): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, uid: `uid-${name}`, resourceVersion: "1" },
    spec: {
      capacity: { storage: size },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      volumeMode: "Filesystem",
      storageClassName: "local-storage",
      local: { path: `/mnt/${name}` },
      nodeAffinity: affinity("kubernetes.io/hostname", [host]),
      ...(claimRef ? { claimRef } : {}),
    },
    status: { phase: "Available" },
  };
}

const claim = (name: string, spec: Partial<PersistentVolumeClaim["spec"]> = {}): PersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeMode: "Filesystem", storageClassName: "local-storage", ...spec },
  status: { phase: "Pending" },
});

const node: Node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", labels: { "kubernetes.io/hostname": "n1", zone: "a" } } };
const noProvisioner = (mode: "WaitForFirstConsumer" | "Immediate"): StorageClass => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name: "local-storage" },
  provisioner: "kubernetes.io/no-provisioner",
  volumeBindingMode: mode,
});

const user = (claimName: string): Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "user", namespace: "default", uid: "uid-user" },
    spec: { nodeName: "n1", containers: [{ name: "c", image: "busybox" }], volumes: [{ name: "d", persistentVolumeClaim: { claimName } }] },
    status: { phase: "Pending" },
  });

const snap = (s: Partial<BinderSnapshot>): BinderSnapshot => ({
  claims: [],
  volumes: [],
  classes: [],
  pods: [],
  nodes: [node],
  provisioner: "nodelet.io/local",
  nodeName: "n1",
  busy: new Set(),
  now: "2026-01-01T00:00:00Z",
  ...s,
});

const boundTo = (s: BinderSnapshot, name: string) =>
  reconcile(s).flatMap((ch) => (ch.kind === "put" && ch.object.kind === "PersistentVolumeClaim" && ch.object.metadata.name === name ? [(ch.object).spec.volumeName] : []))[0];

test("CheckNodeAffinity: required terms against the node's labels; no affinity matches anywhere", () => {
  assert.equal(volumeNodeAffinityMatches(affinity("kubernetes.io/hostname", ["n1"]), node), true);
  assert.equal(volumeNodeAffinityMatches(affinity("kubernetes.io/hostname", ["n2"]), node), false);
  assert.equal(volumeNodeAffinityMatches(affinity("zone", ["a", "b"]), node), true);
  assert.equal(volumeNodeAffinityMatches(undefined, node), true);
  assert.equal(volumeNodeAffinityMatches({ required: { nodeSelectorTerms: [{}] } }, node), false, "an empty term matches nothing");
  // Fields are not labels: the PV controller matches a node built from labels alone.
  assert.equal(volumeNodeAffinityMatches({ required: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }] } }, node), false);
});

test("with a node chosen, volumes of other nodes are passed over, even the smallest; without one, affinity is not looked at", () => {
  const vols = [localPv("elsewhere", "1Gi", "n2"), localPv("here", "5Gi", "n1")];
  assert.equal(findMatchingVolume(claim("c"), vols, false, node)?.metadata.name, "here");
  assert.equal(findMatchingVolume(claim("c"), vols, false)?.metadata.name, "elsewhere", "Immediate binding: the PV controller ignores affinity");
  assert.equal(findMatchingVolume(claim("c"), [localPv("elsewhere", "1Gi", "n2")], false, node), undefined);
  const prebound = localPv("mine", "1Gi", "n2", { kind: "PersistentVolumeClaim", namespace: "default", name: "c", uid: "uid-c" });
  assert.equal(findMatchingVolume(claim("c"), [prebound, localPv("here", "5Gi", "n1")], false, node), undefined, "a pre-bound volume of another node matches nothing");
});

test("a WaitForFirstConsumer claim binds, when its pod comes, to the volume of the pod's node", () => {
  const s = snap({ classes: [noProvisioner("WaitForFirstConsumer")], claims: [claim("c")], volumes: [localPv("elsewhere", "1Gi", "n2"), localPv("here", "5Gi", "n1")] });
  assert.equal(boundTo(s, "c"), undefined, "no pod yet: waits for its first consumer");
  assert.equal(boundTo({ ...s, pods: [user("c")] }, "c"), "here");
  assert.equal(boundTo({ ...s, pods: [user("c")], volumes: [localPv("elsewhere", "1Gi", "n2")] }, "c"), undefined, "only another node's volume: stays Pending");
});
