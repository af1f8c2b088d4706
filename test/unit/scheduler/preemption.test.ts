/**
 * DefaultPreemption over fake nodes and pods (pure): the victims on a node (lower priority only, most important
 * reprieved first, PDB-protected pods reprieved before the others), the node chosen among candidates (fewest PDB
 * violations, lowest top victim, smallest sum, fewest victims, latest start), eligibility (preemptionPolicy Never, a
 * victim still terminating on the nominated node), the FailedScheduling message's "preemption:" verdicts from the
 * victim search, and a nominated pod trying its node first.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PodDisruptionBudget } from "../../../src/api/policy-types.js";
import type { Pod } from "../../../src/api/types.js";
import { fitErrorMessage, schedulePod, type FitError } from "../../../src/scheduler/framework.js";
import { pickOneNodeForPreemption, preempt, selectVictimsOnNode, splitByPdbViolation, type Candidate } from "../../../src/scheduler/preemption.js";
import { defaultProfile } from "../../../src/scheduler/profile.js";
import { ctxFor, node, pod, snapshot, type PodOpts } from "./fixtures.js";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const profile = defaultProfile();
const on = (name: string, nodeName: string, priority: number, o: PodOpts = {}) => pod(name, { node: nodeName, priority, cpu: "1", ...o });
const names = (pods: readonly Pod[]) => pods.map((p) => p.metadata.name);
const pdb = (name: string, labels: Record<string, string>, allowed: number): PodDisruptionBudget => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name, namespace: "default" },
  spec: { selector: { matchLabels: labels } },
  status: { disruptionsAllowed: allowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
});

function fitError(p: Pod, snap: ReturnType<typeof snapshot>): FitError {
  const r = schedulePod(p, snap, profile, { random: () => 0.99 });
  if (r.kind !== "unschedulable") assert.fail(`the pod fits somewhere: ${r.kind}`);
  return r;
}

test("victims on a node: only lower priority; the most important reprieved first; the fewest removed", () => {
  const snap = snapshot([node("n1", { cpu: "4" })], [on("low-a", "n1", 10), on("low-b", "n1", 20), on("mid", "n1", 100, { cpu: "2" })]);
  const vip = pod("vip", { priority: 50, cpu: "1" });
  const r = selectVictimsOnNode(ctxFor(vip, snap), profile, snap.nodes[0], [], NOW);
  assert.ok("pods" in r);
  assert.deepEqual([names(r.pods), r.numPDBViolations], [["low-a"], 0]);
  // Needing 2 cpu, both lower pods go, most important first; the higher-priority pod is never a victim.
  const big = selectVictimsOnNode(ctxFor(pod("vip", { priority: 50, cpu: "2" }), snap), profile, snap.nodes[0], [], NOW);
  assert.ok("pods" in big);
  assert.deepEqual(names(big.pods), ["low-b", "low-a"]);
  // Removing every lower pod is not enough: the filters' own reason.
  const huge = selectVictimsOnNode(ctxFor(pod("vip", { priority: 50, cpu: "3" }), snap), profile, snap.nodes[0], [], NOW);
  assert.deepEqual("status" in huge && huge.status.reasons, ["Insufficient cpu"]);
  // Nothing of lower priority: no victims.
  const peer = selectVictimsOnNode(ctxFor(pod("peer", { priority: 10, cpu: "2" }), snap), profile, snap.nodes[0], [], NOW);
  assert.deepEqual("status" in peer && [peer.status.code, peer.status.reasons], ["UnschedulableAndUnresolvable", ["No preemption victims found for incoming pod"]]);
});

test("PodDisruptionBudgets: protected pods are reprieved first and counted when they must go anyway", () => {
  const snap = snapshot([node("n1", { cpu: "4" })], [on("low-a", "n1", 10, { labels: { app: "a" } }), on("low-b", "n1", 20, { labels: { app: "b" } }), on("mid", "n1", 100, { cpu: "2" })]);
  const guard = [pdb("a", { app: "a" }, 0)];
  const one = selectVictimsOnNode(ctxFor(pod("vip", { priority: 50, cpu: "1" }), snap), profile, snap.nodes[0], guard, NOW);
  assert.ok("pods" in one);
  assert.deepEqual([names(one.pods), one.numPDBViolations], [["low-b"], 0], "low-a is protected, so low-b goes though it is more important");
  const two = selectVictimsOnNode(ctxFor(pod("vip", { priority: 50, cpu: "2" }), snap), profile, snap.nodes[0], guard, NOW);
  assert.ok("pods" in two);
  assert.deepEqual([names(two.pods), two.numPDBViolations], [["low-b", "low-a"], 1]);
  // Budgets spend as pods are taken; pods the eviction API already counted, other namespaces and unlabelled pods spend nothing.
  const p = (n: string, labels?: Record<string, string>, namespace?: string) => pod(n, { labels, namespace });
  const counted = { ...pdb("a", { app: "a" }, 1), status: { ...pdb("a", { app: "a" }, 1).status!, disruptedPods: { done: "2026-12-01T00:00:00Z" } } };
  const split = splitByPdbViolation([p("x", { app: "a" }), p("done", { app: "a" }), p("y", { app: "a" }), p("z", { app: "a" }, "other"), p("bare")], [counted]);
  assert.deepEqual([names(split.violating), names(split.nonViolating)], [["y"], ["x", "done", "z", "bare"]]);
  // An empty selector protects nothing.
  assert.deepEqual(names(splitByPdbViolation([p("x", { app: "a" })], [{ ...pdb("all", {}, 0) }]).violating), []);
});

test("the node chosen: fewest PDB violations, lowest top victim, smallest sum, fewest victims, latest start", () => {
  const v = (node: string, pods: Pod[], numPDBViolations = 0): Candidate => ({ node, victims: { pods, numPDBViolations } });
  const started = (name: string, priority: number, at: string) => ({ ...pod(name, { priority }), status: { startTime: at } }) as Pod;
  const pick = (...c: Candidate[]) => pickOneNodeForPreemption(c, NOW)?.node;
  assert.equal(pick(v("a", [pod("x", { priority: 1 })], 1), v("b", [pod("y", { priority: 99 })])), "b");
  assert.equal(pick(v("a", [pod("x", { priority: 50 })]), v("b", [pod("y", { priority: 10 }), pod("z", { priority: 10 })])), "b");
  assert.equal(pick(v("a", [pod("x", { priority: 10 }), pod("y", { priority: 5 })]), v("b", [pod("z", { priority: 10 }), pod("w", { priority: 1 })])), "b");
  // A node with fewer pods of a negative priority weighs less than one with more of them (priorities shifted ≥ 0).
  assert.equal(pick(v("a", [pod("x", { priority: -5 }), pod("y", { priority: -5 })]), v("b", [pod("z", { priority: -5 })])), "b");
  assert.equal(pick(v("a", [started("x", 10, "2026-12-01T10:00:00Z")]), v("b", [started("y", 10, "2026-12-01T11:00:00Z")])), "b");
  assert.equal(pick(v("a", [pod("x", { priority: 10 })]), v("b", [pod("y", { priority: 10 })])), "a", "a tie: the first");
  assert.equal(pick(), undefined);
});

test("preempt: the candidate with the cheapest victims; lower-priority pods nominated there lose their nomination", () => {
  const pods = [on("busy-a", "a", 100, { cpu: "2" }), on("busy-b", "b", 10, { cpu: "2" }), { ...pod("waiting", { priority: 5, cpu: "1" }), status: { nominatedNodeName: "b" } }];
  const snap = snapshot([node("a", { cpu: "2" }), node("b", { cpu: "2" }), node("c", { cpu: "2", labels: { gpu: "none" } })], pods);
  const vip = pod("vip", { priority: 1000, cpu: "2", affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "gpu", operator: "DoesNotExist" }] }] } } } });
  const r = preempt(fitError(vip, snap), profile, { pdbs: [], now: NOW, random: () => 0 });
  assert.equal(r.kind, "preempt");
  assert.ok(r.kind === "preempt");
  assert.deepEqual([r.node, names(r.victims), names(r.lowerNominated)], ["b", ["busy-b"], ["waiting"]]);
});

test("the FailedScheduling message's preemption part comes from the victim search, node by node", () => {
  const snap = snapshot(
    [node("small", { cpu: "2" }), node("x", { labels: { zone: "b" } }), node("y", { labels: { zone: "b" } })],
    [on("peer", "small", 0), on("low", "small", -1)],
  );
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "NotIn" as const, values: ["b"] }] }] } } };
  // 3 cpu: even without the lower-priority pod the small node is short; its reason is the filter's.
  const err = fitError(pod("big", { cpu: "3", affinity }), snap);
  const r = preempt(err, profile, { pdbs: [], now: NOW });
  assert.ok(r.kind === "none");
  assert.equal(
    fitErrorMessage(err, r.message),
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 Preemption is not helpful for scheduling.",
  );
  assert.equal(r.clearNomination, true);
  // Priority -1 has nothing below it on the node.
  const low = fitError(pod("big", { cpu: "2", priority: -1, affinity }), snap);
  assert.equal(
    fitErrorMessage(low, (preempt(low, profile, { pdbs: [], now: NOW }) as { message: string }).message),
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
  );
  // preemptionPolicy Never: not eligible, one period at the end, the nomination kept.
  const never = fitError(pod("big", { cpu: "2", preemptionPolicy: "Never", affinity }), snap);
  const nr = preempt(never, profile, { pdbs: [], now: NOW });
  assert.ok(nr.kind === "none" && !nr.clearNomination);
  assert.equal(fitErrorMessage(never, nr.message), "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: not eligible due to preemptionPolicy=Never.");
});

test("a pod nominated where its victim is still terminating waits; its nominated node is tried first", () => {
  const victim: Pod = {
    ...on("victim", "n1", 10, { cpu: "2" }),
    metadata: { name: "victim", namespace: "default", uid: "uid-victim", deletionTimestamp: "2026-12-01T11:59:00Z" },
    status: { conditions: [{ type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler" }] },
  };
  const vip: Pod = { ...pod("vip", { priority: 1000, cpu: "2" }), status: { nominatedNodeName: "n1" } };
  const snap = snapshot([node("n1", { cpu: "2" })], [victim]);
  const r = preempt(fitError(vip, snap), profile, { pdbs: [], now: NOW });
  assert.deepEqual(r, { kind: "none", message: "preemption: not eligible due to a terminating pod on the nominated node.", clearNomination: false });
  // Once the victim is gone the nominated node is chosen without looking further.
  const later = schedulePod(vip, snapshot([node("n0", { cpu: "8" }), node("n1", { cpu: "2" })]), profile, { random: () => 0.99 });
  assert.deepEqual(later.kind === "scheduled" && [later.node, later.evaluated], ["n1", 1]);
});
