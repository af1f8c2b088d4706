/** The cluster view's model (pure): Nodes as boxes with their pods, this node's routes to the others. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node, Pod } from "../../../src/api/types.js";
import { buildClusterView } from "../../../src/ui/cluster.js";

const node = (name: string, podCIDR: string | undefined, ip: string | undefined, ready = "True"): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  spec: podCIDR ? { podCIDR } : {},
  status: { conditions: [{ type: "Ready", status: ready as "True" }], addresses: ip ? [{ type: "InternalIP", address: ip }] : [] },
});

const pod = (name: string, nodeName: string | undefined, phase = "Pending"): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { nodeName, containers: [{ name: "c", image: "busybox" }] },
  status: { phase: phase as "Pending" },
});

test("nodes in name order, each with its pods; this node's route and VXLAN links; nodes left out say why", () => {
  const v = buildClusterView(
    "a",
    [node("c", "10.244.2.0/24", "172.16.0.3", "Unknown"), node("a", "10.244.0.0/24", "192.168.1.10"), node("b", "10.244.1.0/24", "192.168.1.11"), node("d", undefined, "172.16.0.4")],
    [pod("x", "b"), pod("w", "b", "Running"), pod("y", "a"), pod("z", undefined)],
    {
      routes: [
        { dst: "10.244.1.0/24", gateway: "192.168.1.11", dev: "eth0", onlink: false },
        { dst: "10.244.2.0/24", gateway: "10.244.2.0", dev: "nodelet0.vx", onlink: true },
      ],
      vxlan: { name: "nodelet0.vx" },
      skipped: [{ name: "d", why: "no pod CIDR yet" }],
    },
  );
  assert.deepEqual(v.nodes.map((n) => [n.name, n.self, n.ready, n.pods.map((p) => p.name)]), [["a", true, "True", ["y"]], ["b", false, "True", ["w", "x"]], ["c", false, "Unknown", []], ["d", false, "True", []]]);
  assert.equal(v.nodes[1].podCIDR, "10.244.1.0/24");
  assert.equal(v.nodes[1].internalIP, "192.168.1.11");
  assert.deepEqual(v.links, [
    { from: "a", to: "b", kind: "route", label: "10.244.1.0/24 via 192.168.1.11 dev eth0" },
    { from: "a", to: "c", kind: "vxlan", label: "VXLAN 10.244.2.0/24 via 10.244.2.0 dev nodelet0.vx onlink" },
  ]);
  assert.deepEqual(v.skipped, [{ name: "d", why: "no pod CIDR yet" }]);
  assert.equal(v.unscheduled, 1);
  assert.deepEqual(buildClusterView("a", [node("a", "10.244.0.0/24", "192.168.1.10")], [], undefined).links, [], "no routes programmed: no links");
});
