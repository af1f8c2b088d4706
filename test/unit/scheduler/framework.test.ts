/**
 * The scheduling cycle with the default profile: the choice over several nodes by the weighted scores (spread by
 * LeastAllocated, packed by MostAllocated, steered by preferred affinity and PreferNoSchedule taints, spread by
 * default topology spreading), the FitError message in the scheduler's words (filters counted per reason, a PreFilter
 * refusal), pods nominated by preemption holding their node's room, the number of nodes to find and the rotation.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fitErrorMessage, numFeasibleNodesToFind, schedulePod, selectHost, type FitError, type ScheduleResult } from "../../../src/scheduler/framework.js";
import { defaultProfile } from "../../../src/scheduler/profile.js";
import { choose, node, pod, snapshot } from "./fixtures.js";

const scheduled = (r: ReturnType<typeof choose>): ScheduleResult => {
  assert.equal(r.kind, "scheduled", JSON.stringify(r.kind === "unschedulable" ? fitErrorMessage(r) : r.kind));
  return r;
};
const unschedulable = (r: ReturnType<typeof choose>): FitError => {
  assert.equal(r.kind, "unschedulable");
  return r;
};

test("the least allocated node wins by default; MostAllocated packs onto the busiest node that fits", () => {
  const snap = snapshot([node("busy"), node("idle"), node("half")], [pod("a", { node: "busy", cpu: "3", memory: "6Gi" }), pod("b", { node: "half", cpu: "2", memory: "4Gi" })]);
  const p = pod("new", { cpu: "500m", memory: "512Mi" });
  const r = scheduled(choose(p, snap));
  assert.equal(r.node, "idle");
  assert.equal(r.feasible, 3);
  const byName = Object.fromEntries(r.scores.map((s) => [s.name, s]));
  // idle: cpu 87 (3500/4000 free), memory 93 (7680/8192): 90; busy: cpu 12, memory 18: 15.
  assert.equal(byName.idle.plugins.NodeResourcesFit, 90);
  assert.equal(byName.busy.plugins.NodeResourcesFit, 15);
  assert.equal(byName.idle.total, 3 * 100 + 90 + byName.idle.plugins.NodeResourcesBalancedAllocation, "TaintToleration 100·3, fit, balance");
  assert.equal(scheduled(choose(p, snap, defaultProfile({ scoringStrategy: "MostAllocated" }))).node, "busy");
});

test("preferred node affinity (weight 2) and PreferNoSchedule taints (weight 3) steer the choice", () => {
  const snap = snapshot([node("plain"), node("ssd", { labels: { disk: "ssd" } }), node("soft", { labels: { disk: "ssd" }, taints: [{ key: "x", effect: "PreferNoSchedule" }] })]);
  const p = pod("p", { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } }] } } });
  assert.equal(scheduled(choose(p, snap)).node, "ssd");
});

test("replicas of a ReplicaSet spread over nodes by the default topology constraints", () => {
  const owner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "rs", controller: true };
  const controllers = [{ kind: "ReplicaSet", metadata: { namespace: "default", name: "rs" }, spec: { selector: { matchLabels: { app: "web" } } } }];
  const nodes = [node("a"), node("b"), node("c")];
  const placed: ReturnType<typeof pod>[] = [];
  for (let i = 0; i < 6; i++) {
    const p = pod(`web-${i}`, { labels: { app: "web" } });
    p.metadata.ownerReferences = [owner];
    const r = scheduled(choose(p, snapshot(nodes, placed, { controllers })));
    placed.push({ ...p, spec: { ...p.spec, nodeName: r.node } });
  }
  const counts = ["a", "b", "c"].map((n) => placed.filter((p) => p.spec.nodeName === n).length);
  assert.deepEqual(counts, [2, 2, 2]);
});

test("FailedScheduling message: reasons counted over nodes and sorted; a PreFilter refusal is said once", () => {
  const snap = snapshot([node("small", { cpu: "1" }), node("x", { labels: { zone: "b" } }), node("y", { labels: { zone: "b" } })]);
  const p = pod("p", { cpu: "2", affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["b"] }] }] } } } });
  const err = unschedulable(choose(p, snap));
  assert.equal(fitErrorMessage(err), "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.");
  assert.equal(err.statuses.get("small")?.code, "Unschedulable");
  assert.equal(err.statuses.get("x")?.code, "UnschedulableAndUnresolvable");
  const noClaim = unschedulable(choose(pod("p", { volumes: [{ name: "v", persistentVolumeClaim: { claimName: "data" } }] }), snap));
  assert.equal(fitErrorMessage(noClaim, "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling"), '0/3 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  assert.deepEqual(schedulePod(pod("p"), snapshot([]), defaultProfile()), { kind: "noNodes" });
});

test("pods nominated to a node hold its room against pods of lower or equal priority, not higher", () => {
  const nominee = pod("big", { cpu: "3", priority: 100 });
  nominee.status = { nominatedNodeName: "n1" };
  const snap = snapshot([node("n1")], [nominee]);
  assert.equal(snap.nominated.length, 1);
  assert.equal(fitErrorMessage(unschedulable(choose(pod("p", { cpu: "2", priority: 100 }), snap))), "0/1 nodes are available: 1 Insufficient cpu.");
  assert.equal(scheduled(choose(pod("p", { cpu: "2", priority: 1000 }), snap)).node, "n1");
  assert.equal(scheduled(choose({ ...nominee }, snap)).node, "n1", "the nominee itself is not counted twice");
});

test("a single feasible node is chosen without scoring; numFeasibleNodesToFind and the rotating start", () => {
  const r = scheduled(choose(pod("p", { nodeName: "b" }), snapshot([node("a"), node("b"), node("c")])));
  assert.equal(r.node, "b");
  assert.deepEqual(r.scores, []);
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(100), 100);
  assert.equal(numFeasibleNodesToFind(1000), 420);
  assert.equal(numFeasibleNodesToFind(5000), 500);
  assert.equal(numFeasibleNodesToFind(10000), 500);
  assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
  // 200 nodes: 50 − 1 = 49% → 100 found, so the next cycle starts where this one stopped.
  const many = snapshot(Array.from({ length: 200 }, (_, i) => node(`n${i}`)));
  const first = scheduled(schedulePod(pod("p"), many, defaultProfile(), { random: () => 0.99 }));
  assert.equal(first.evaluated, 100);
  assert.equal(first.nextStartIndex, 100);
  const second = scheduled(schedulePod(pod("q"), many, defaultProfile(), { startIndex: first.nextStartIndex, random: () => 0.99 }));
  assert.ok(Number(second.node.slice(1)) >= 100, second.node);
});

test("selectHost: the highest total, ties broken by the random source", () => {
  const tie = [
    { name: "x", total: 10, plugins: {} },
    { name: "y", total: 10, plugins: {} },
    { name: "z", total: 3, plugins: {} },
  ];
  assert.equal(selectHost(tie, () => 0.9), "x");
  assert.equal(selectHost(tie, () => 0.1), "y");
  assert.equal(selectHost([]), undefined);
});
