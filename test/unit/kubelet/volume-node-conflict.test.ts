/** The VolumeBinding filter for bound claims: a volume whose node affinity excludes the node keeps the pod unscheduled. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { volumeNodeConflict } from "../../../src/kubelet/volume-binding.js";

const node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", labels: { "kubernetes.io/hostname": "n1" } } } as Node;
const pv = (name: string, host?: string): PersistentVolume => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name },
  spec: {
    local: { path: "/mnt/x" },
    ...(host ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [host] }] }] } } } : {}),
  },
});
const claims: Record<string, PersistentVolumeClaim> = {
  here: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "here", namespace: "ns" }, spec: { volumeName: "pv-here" } },
  away: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "away", namespace: "ns" }, spec: { volumeName: "pv-away" } },
  free: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "free", namespace: "ns" }, spec: { volumeName: "pv-free" } },
  unbound: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "unbound", namespace: "ns" }, spec: {} },
};
const volumes: Record<string, PersistentVolume> = { "pv-here": pv("pv-here", "n1"), "pv-away": pv("pv-away", "n2"), "pv-free": pv("pv-free") };
const lookup = { claim: (ns: string, name: string) => (ns === "ns" ? claims[name] : undefined), volume: (name: string) => volumes[name] };
const pod = (...names: string[]): Pod =>
  ({ metadata: { name: "p", namespace: "ns" }, spec: { containers: [], volumes: names.map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } })) } }) as unknown as Pod;

test("a bound claim whose volume is another node's: the scheduler's VolumeBinding message", () => {
  assert.equal(
    volumeNodeConflict(pod("here", "away"), node, lookup),
    "0/1 nodes are available: 1 node(s) had volume node affinity conflict. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
  );
});

test("volumes of this node, without affinity, unbound or missing claims: no conflict (the claim plugin reports those)", () => {
  assert.equal(volumeNodeConflict(pod("here", "free", "unbound", "nosuch"), node, lookup), undefined);
});
