/**
 * The node status loop on a fake clock, as the kubelet reports with node leases: the Node is registered at start,
 * its status computed every 10 s and written only when it changed (lastHeartbeatTime aside) or every 5 minutes, so
 * lastHeartbeatTime moves only when reported; a pressure change and a condition someone else changed (the node
 * lifecycle controller's Unknown) are written at the next check. A node that writes its status every 5 minutes and
 * renews its Lease every 10 s stays healthy for the node lifecycle controller's rules: the Lease is its sign of life.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Lease } from "../../../src/api/lease.js";
import type { Node, NodeStatus } from "../../../src/api/types.js";
import { observeHealth, unknownConditions, type NodeHealth } from "../../../src/controllers/node-lifecycle/health.js";
import { FakeClock } from "../../../src/kubelet/clock.js";
import type { PressureCondition } from "../../../src/kubelet/eviction.js";
import { NodeHeartbeat, nodeStatusChanged } from "../../../src/kubelet/node-heartbeat.js";
import { NodeLease } from "../../../src/kubelet/node-lease.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { HOLLOW_FACTS } from "../../helpers/hollow-node.js";

const T0 = Date.parse("2026-12-07T04:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function setup() {
  const store = openStore(":memory:");
  const clock = new FakeClock(T0);
  let pressure: PressureCondition[] = [];
  const settings = { name: "n1", hostIP: "10.0.0.1", reserved: { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0 }, evictionHard: [], maxPods: 110, worker: true };
  const heartbeat = new NodeHeartbeat({ store, facts: { ...HOLLOW_FACTS, hostname: "n1" }, settings, pressure: () => pressure, clock, random: () => 0 });
  const writes: string[] = [];
  store.watch("Node", {}, (ev) => writes.push(`${ev.type}@${(clock.now() - T0) / 1000}`));
  const node = () => store.get<Node>("Node", "", "n1")!;
  const ready = () => node().status!.conditions!.find((c) => c.type === "Ready")!;
  return { store, clock, heartbeat, writes, node, ready, setPressure: (p: PressureCondition[]) => (pressure = p) };
}

describe("node status: reported on change or every 5 minutes", () => {
  it("registers, then writes an unchanged status only every 5 minutes; lastHeartbeatTime moves only then", () => {
    const t = setup();
    try {
      t.heartbeat.start();
      assert.deepEqual(t.writes, ["ADDED@0"]);
      assert.equal(t.ready().lastHeartbeatTime, iso(T0));
      t.clock.advance(299_999);
      assert.deepEqual(t.writes, ["ADDED@0"], "29 checks of an unchanged status write nothing");
      assert.equal(t.ready().lastHeartbeatTime, iso(T0));
      t.clock.advance(1);
      assert.deepEqual(t.writes, ["ADDED@0", "MODIFIED@300"]);
      assert.equal(t.ready().lastHeartbeatTime, iso(T0 + 300_000));
      assert.equal(t.ready().lastTransitionTime, iso(T0), "no transition");
      t.clock.advance(300_000);
      assert.deepEqual(t.writes, ["ADDED@0", "MODIFIED@300", "MODIFIED@600"]);
    } finally {
      t.heartbeat.stop();
      t.store.close();
    }
  });

  it("a pressure change, or a condition changed by someone else, is written at the next check", () => {
    const t = setup();
    try {
      t.heartbeat.start();
      t.clock.advance(20_000);
      t.setPressure(["MemoryPressure"]);
      t.clock.advance(10_000);
      const memory = t.node().status!.conditions!.find((c) => c.type === "MemoryPressure")!;
      assert.deepEqual([memory.status, memory.reason, memory.lastHeartbeatTime], ["True", "KubeletHasInsufficientMemory", iso(T0 + 30_000)]);
      assert.deepEqual(t.node().spec?.taints, [{ key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" }]);
      const after = t.writes.length;
      t.clock.advance(60_000);
      assert.equal(t.writes.length, after, "the new state is written once");
      // The node lifecycle controller marks a silent node Unknown; the kubelet's next check puts Ready back.
      const n = t.node();
      const unknown = n.status!.conditions!.map((c) => (c.type === "Ready" ? { ...c, status: "Unknown" as const, reason: "NodeStatusUnknown" } : c));
      t.store.update<Node>({ ...n, status: { ...n.status, conditions: unknown } }, { subresource: "status" });
      t.clock.advance(10_000);
      assert.deepEqual([t.ready().status, t.ready().reason, t.ready().lastHeartbeatTime], ["True", "KubeletReady", iso(T0 + 100_000)]);
      // The eviction manager's immediate write: nothing changed, nothing written.
      const before = t.writes.length;
      t.heartbeat.writeSafely();
      assert.equal(t.writes.length, before);
    } finally {
      t.heartbeat.stop();
      t.store.close();
    }
  });

  it("nodeStatusChanged ignores lastHeartbeatTime, key order and condition order; sees everything else", () => {
    const a: NodeStatus = {
      capacity: { cpu: "4", pods: "110" },
      conditions: [
        { type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: "t1", lastTransitionTime: "t0" },
        { type: "DiskPressure", status: "False", lastHeartbeatTime: "t1" },
      ],
    };
    const b = JSON.parse(JSON.stringify({ conditions: [{ ...a.conditions![1], lastHeartbeatTime: "t2" }, { lastTransitionTime: "t0", lastHeartbeatTime: "t2", reason: "KubeletReady", status: "True", type: "Ready" }], capacity: { pods: "110", cpu: "4" } })) as NodeStatus;
    assert.equal(nodeStatusChanged(a, b), false);
    assert.equal(nodeStatusChanged(a, { ...b, capacity: { cpu: "8", pods: "110" } }), true);
    assert.equal(nodeStatusChanged(a, { ...b, conditions: [b.conditions![0], { ...b.conditions![1], lastTransitionTime: "t3" }] }), true);
    assert.equal(nodeStatusChanged(a, { ...b, conditions: [b.conditions![1]] }), true);
    assert.equal(nodeStatusChanged(undefined, b), true);
  });

  it("with the Lease renewed every 10 s and the status written every 5 minutes, the node lifecycle rules never find it silent", () => {
    const t = setup();
    const lease = new NodeLease({ store: t.store, nodeName: "n1", clock: t.clock });
    try {
      t.heartbeat.start();
      lease.start();
      let health: NodeHealth | undefined;
      // The controller's pass every 5 s for 12 minutes, with the 50 s grace period.
      for (let s = 5; s <= 720; s += 5) {
        t.clock.advance(5000);
        const node = t.node();
        health = observeHealth(health, node, t.store.get<Lease>("Lease", "kube-node-lease", "n1"), t.clock.now());
        assert.equal(unknownConditions(node, health, t.clock.now(), 50_000, iso(t.clock.now())), undefined, `silent at ${s} s`);
      }
      assert.equal(t.writes.length, 3, "registration and two reports");
    } finally {
      lease.stop();
      t.heartbeat.stop();
      t.store.close();
    }
  });
});
