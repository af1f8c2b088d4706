/**
 * The cross-node route planner: which nodes are peers (and why others are left out), route vs VXLAN per peer by the
 * mode setting (auto: by whether the peer's InternalIP is on the underlay's subnet), the VXLAN device, neighbour and
 * FDB entries derived from pod CIDRs alone, and the diff against what the host has: nothing when all is right,
 * only the changed entries otherwise, a device recreated when its settings changed and deleted when no peer needs it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCidr, parseIPv4, type Cidr } from "../../../src/api/cidr.js";
import type { Node } from "../../../src/api/types.js";
import { diffCrossNode, peersOf, planCrossNode, vxlanCreateArgv, type CrossNodeObserved, type LocalNode } from "../../../src/network/cross-node-plan.js";

const c = (t: string): Cidr => parseCidr(t)!;
const CLUSTER = c("10.244.0.0/16");
const VX = { name: "nl0-vx", vni: 1, port: 4789 };
const node = (name: string, podCIDR?: string, ip?: string): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: ip ? { addresses: [{ type: "InternalIP", address: ip }, { type: "Hostname", address: name }] } : {},
});
const local: LocalNode = { name: "n1", podCIDR: c("10.244.1.0/24"), internalIP: parseIPv4("192.168.5.1")!, underlay: { dev: "eth0", mtu: 1500, subnets: [c("192.168.5.0/24")] } };
const nodes = [node("n1", "10.244.1.0/24", "192.168.5.1"), node("n2", "10.244.2.0/24", "192.168.5.2"), node("n3", "10.244.3.0/24", "172.16.0.3")];
const empty: CrossNodeObserved = { routes: [], neighbours: [], fdb: [] };

describe("cross-node route planner", () => {
  it("peers are the other nodes with a pod CIDR inside the cluster CIDR and an InternalIP; the rest are left out with why", () => {
    const { peers, skipped } = peersOf(
      [...nodes, node("new"), node("noip", "10.244.9.0/24"), node("outside", "10.9.0.0/24", "192.168.5.9"), node("zdup", "10.244.2.0/25", "192.168.5.8"), node("mine", "10.244.1.0/24", "192.168.5.7")],
      "n1",
      CLUSTER,
    );
    assert.deepEqual(peers.map((p) => p.name), ["n2", "n3"]);
    assert.deepEqual(Object.fromEntries(skipped.map((s) => [s.name, s.why])), {
      new: "no spec.podCIDR yet",
      noip: "no InternalIP address",
      outside: "pod CIDR 10.9.0.0/24 is outside the cluster CIDR 10.244.0.0/16",
      zdup: "pod CIDR 10.244.2.0/25 overlaps another node's",
      mine: "pod CIDR 10.244.1.0/24 overlaps this node's 10.244.1.0/24",
    });
  });

  it("auto: a direct route to a peer on the same link, VXLAN to one elsewhere", () => {
    const plan = planCrossNode(local, peersOf(nodes, "n1", CLUSTER).peers, "auto", VX);
    assert.deepEqual(plan.routes, [
      { dst: "10.244.2.0/24", gateway: "192.168.5.2", dev: "eth0", onlink: false },
      { dst: "10.244.3.0/24", gateway: "10.244.3.0", dev: "nl0-vx", onlink: true },
    ]);
    assert.deepEqual(plan.neighbours, [{ ip: "10.244.3.0", mac: "0a:58:0a:f4:03:00" }]);
    assert.deepEqual(plan.fdb, [{ mac: "0a:58:0a:f4:03:00", dst: "172.16.0.3" }]);
    assert.deepEqual(plan.vxlan, { name: "nl0-vx", vni: 1, port: 4789, local: "192.168.5.1", underlay: "eth0", mtu: 1450, mac: "0a:58:0a:f4:01:00", address: "10.244.1.0/32" });
    assert.deepEqual(vxlanCreateArgv(plan.vxlan)[0], ["ip", "link", "add", "nl0-vx", "type", "vxlan", "id", "1", "dstport", "4789", "local", "192.168.5.1", "dev", "eth0", "nolearning"]);
  });

  it("route mode routes every peer directly; vxlan mode sends every peer over the device", () => {
    const peers = peersOf(nodes, "n1", CLUSTER).peers;
    const route = planCrossNode(local, peers, "route", VX);
    assert.deepEqual(route.routes.map((r) => `${r.dst} via ${r.gateway} dev ${r.dev}`), ["10.244.2.0/24 via 192.168.5.2 dev eth0", "10.244.3.0/24 via 172.16.0.3 dev eth0"]);
    assert.equal(route.vxlan, undefined);
    const vxlan = planCrossNode(local, peers, "vxlan", VX);
    assert.deepEqual(vxlan.routes.map((r) => r.dev), ["nl0-vx", "nl0-vx"]);
    assert.equal(vxlan.fdb.length, 2);
  });

  it("the diff: everything from nothing; nothing when all is right; only what changed; removals when peers go", () => {
    const plan = planCrossNode(local, peersOf(nodes, "n1", CLUSTER).peers, "auto", VX);
    const first = diffCrossNode(plan, empty);
    assert.equal(first.deleteVxlan, false);
    assert.deepEqual(first.createVxlan, plan.vxlan);
    assert.deepEqual(first.ipBatch, [
      "route replace 10.244.2.0/24 via 192.168.5.2 dev eth0 proto 203",
      "route replace 10.244.3.0/24 via 10.244.3.0 dev nl0-vx onlink proto 203",
      "neigh replace 10.244.3.0 lladdr 0a:58:0a:f4:03:00 dev nl0-vx nud permanent",
    ]);
    assert.deepEqual(first.bridgeBatch, ["fdb append 0a:58:0a:f4:03:00 dev nl0-vx dst 172.16.0.3 self permanent"]);

    const programmed: CrossNodeObserved = { routes: plan.routes, vxlan: plan.vxlan, neighbours: plan.neighbours, fdb: plan.fdb };
    assert.deepEqual(diffCrossNode(plan, programmed), { deleteVxlan: false, createVxlan: undefined, ipBatch: [], bridgeBatch: [] });

    // n3 moved to another address: only its FDB entry changes.
    const moved = planCrossNode(local, peersOf([...nodes.slice(0, 2), node("n3", "10.244.3.0/24", "172.16.0.33")], "n1", CLUSTER).peers, "auto", VX);
    const d = diffCrossNode(moved, programmed);
    assert.deepEqual(d.ipBatch, []);
    assert.deepEqual(d.bridgeBatch, ["fdb del 0a:58:0a:f4:03:00 dev nl0-vx dst 172.16.0.3 self", "fdb append 0a:58:0a:f4:03:00 dev nl0-vx dst 172.16.0.33 self permanent"]);

    // n2 deleted: its route goes; n3 kept.
    const without2 = planCrossNode(local, peersOf([nodes[0], nodes[2]], "n1", CLUSTER).peers, "auto", VX);
    assert.deepEqual(diffCrossNode(without2, programmed).ipBatch, ["route del 10.244.2.0/24 via 192.168.5.2 dev eth0 proto 203"]);

    // n3 deleted: the device goes with its route, neighbour and FDB entry; n2's route stays.
    const without3 = planCrossNode(local, peersOf(nodes.slice(0, 2), "n1", CLUSTER).peers, "auto", VX);
    assert.deepEqual(diffCrossNode(without3, programmed), { deleteVxlan: true, ipBatch: [], bridgeBatch: [] });
  });

  it("a device with other settings (MTU of the underlay changed) is recreated with every entry", () => {
    const plan = planCrossNode(local, peersOf(nodes, "n1", CLUSTER).peers, "auto", VX);
    const seen: CrossNodeObserved = { routes: plan.routes, vxlan: { ...plan.vxlan!, mtu: 1400 }, neighbours: plan.neighbours, fdb: plan.fdb };
    const d = diffCrossNode(plan, seen);
    assert.equal(d.deleteVxlan, true);
    assert.deepEqual(d.createVxlan, plan.vxlan);
    assert.deepEqual(d.ipBatch, ["route replace 10.244.3.0/24 via 10.244.3.0 dev nl0-vx onlink proto 203", "neigh replace 10.244.3.0 lladdr 0a:58:0a:f4:03:00 dev nl0-vx nud permanent"]);
    assert.equal(d.bridgeBatch.length, 1);
  });
});
