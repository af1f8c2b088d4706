/**
 * The node-local plugins on worked examples of upstream's formulas: NodeName, NodeUnschedulable, TaintToleration
 * (filter and PreferNoSchedule score), NodeAffinity (required and preferred), NodePorts, NodeResourcesFit (filter,
 * LeastAllocated and MostAllocated with the 100m / 200 MiB defaults), BalancedAllocation and ImageLocality.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { balancedAllocation } from "../../../src/scheduler/plugins/balanced-allocation.js";
import { imageLocality } from "../../../src/scheduler/plugins/image-locality.js";
import { nodeAffinity } from "../../../src/scheduler/plugins/node-affinity.js";
import { nodeName } from "../../../src/scheduler/plugins/node-name.js";
import { nodePorts } from "../../../src/scheduler/plugins/node-ports.js";
import { leastRequestedScore, mostRequestedScore, nodeResourcesFit } from "../../../src/scheduler/plugins/node-resources-fit.js";
import { nodeUnschedulable } from "../../../src/scheduler/plugins/node-unschedulable.js";
import { defaultNormalizeScore } from "../../../src/scheduler/plugins/normalize.js";
import { taintToleration } from "../../../src/scheduler/plugins/taint-toleration.js";
import type { PodSpec } from "../../../src/api/types.js";
import { filterOf, Mi, node, pod, scoresOf, snapshot } from "./fixtures.js";

test("NodeName: a pod naming a node fits there only", () => {
  const snap = snapshot([node("a"), node("b")]);
  assert.deepEqual(filterOf(nodeName, pod("p", { nodeName: "b" }), snap), ["node(s) didn't match the requested node name", ""]);
  assert.deepEqual(filterOf(nodeName, pod("p"), snap), ["", ""]);
});

test("NodeUnschedulable: cordoned nodes refuse pods that do not tolerate node.kubernetes.io/unschedulable", () => {
  const snap = snapshot([node("a", { unschedulable: true }), node("b")]);
  assert.deepEqual(filterOf(nodeUnschedulable, pod("p"), snap), ["node(s) were unschedulable", ""]);
  const tolerant = pod("p", { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] });
  assert.deepEqual(filterOf(nodeUnschedulable, tolerant, snap), ["", ""]);
});

test("TaintToleration: NoSchedule/NoExecute refuse; PreferNoSchedule only lowers the score (reverse-normalized)", () => {
  const soft = (key: string) => ({ key, value: "x", effect: "PreferNoSchedule" });
  const hard = snapshot([node("a", { taints: [{ key: "gpu", value: "yes", effect: "NoSchedule" }] }), node("b", { taints: [{ key: "x", effect: "NoExecute" }] }), node("c", { taints: [soft("s")] })]);
  assert.deepEqual(filterOf(taintToleration, pod("p"), hard), ["node(s) had untolerated taint {gpu: yes}", "node(s) had untolerated taint {x: }", ""]);
  assert.deepEqual(filterOf(taintToleration, pod("p", { tolerations: [{ operator: "Exists" }] }), hard), ["", "", ""]);
  const snap = snapshot([node("clean"), node("one", { taints: [soft("a")] }), node("two", { taints: [soft("a"), soft("b")] })]);
  assert.deepEqual(scoresOf(taintToleration, pod("p"), snap), [100, 50, 0]);
  assert.deepEqual(scoresOf(taintToleration, pod("t", { tolerations: [{ key: "a", operator: "Exists" }] }), snap), [100, 100, 0]);
  // A toleration with effect NoSchedule does not count for PreferNoSchedule taints.
  assert.deepEqual(scoresOf(taintToleration, pod("t", { tolerations: [{ key: "a", operator: "Exists", effect: "NoSchedule" }] }), snap), [100, 50, 0]);
});

test("NodeAffinity: nodeSelector and required terms filter; preferred terms' weights score, normalized to 100", () => {
  const zoned = (name: string, zone: string) => node(name, { labels: { zone } });
  const snap = snapshot([zoned("na", "a"), zoned("nb", "b"), zoned("nc", "c")]);
  assert.deepEqual(filterOf(nodeAffinity, pod("p", { nodeSelector: { zone: "b" } }), snap), ["node(s) didn't match Pod's node affinity/selector", "", "node(s) didn't match Pod's node affinity/selector"]);
  const required: Partial<PodSpec> = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }] } } } };
  assert.deepEqual(filterOf(nodeAffinity, pod("p", required), snap).map(Boolean), [true, false, false]);
  const prefers = pod("p", {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 80, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
          { weight: 20, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] } },
        ],
      },
    },
  });
  assert.deepEqual(scoresOf(nodeAffinity, prefers, snap), [100, 20, 0]);
  assert.deepEqual(scoresOf(nodeAffinity, pod("p"), snap), [0, 0, 0], "no preferred terms: skipped");
});

test("NodePorts: a host port taken on the node (same protocol, overlapping address) refuses it", () => {
  const withPort = (name: string, port: number, protocol?: string, hostIP?: string) =>
    pod(name, { containers: [{ name: "c", image: "busybox", ports: [{ containerPort: 80, hostPort: port, protocol: protocol as "TCP" | "UDP" | undefined, hostIP }] }] });
  const snap = snapshot([node("a"), node("b")], [{ ...withPort("web", 8080), spec: { ...withPort("web", 8080).spec, nodeName: "a" } }]);
  assert.deepEqual(filterOf(nodePorts, withPort("p", 8080, "TCP"), snap), ["node(s) didn't have free ports for the requested pod ports", ""]);
  assert.deepEqual(filterOf(nodePorts, withPort("p", 8080, "UDP"), snap), ["", ""], "another protocol is another port");
  assert.deepEqual(filterOf(nodePorts, withPort("p", 8080, "TCP", "10.0.0.1"), snap)[0], "node(s) didn't have free ports for the requested pod ports", "the wildcard overlaps any address");
  assert.deepEqual(filterOf(nodePorts, withPort("p", 9090), snap), ["", ""]);
});

test("NodeResourcesFit filter: every resource short is a reason, pods counted against max pods", () => {
  const snap = snapshot([node("a", { cpu: "2", memory: "1Gi", pods: "1" }), node("b", { cpu: "2", memory: "4Gi" })], [pod("x", { node: "a", cpu: "1" })]);
  assert.deepEqual(filterOf(nodeResourcesFit(), pod("p", { cpu: "1500m", memory: "2Gi" }), snap), ["Too many pods, Insufficient cpu, Insufficient memory", ""]);
  assert.deepEqual(filterOf(nodeResourcesFit(), pod("p", { cpu: "2500m" }), snap), ["Too many pods, Insufficient cpu", "Insufficient cpu"]);
});

test("LeastAllocated / MostAllocated per resource: integer shares; over capacity 0 (least) or full (most)", () => {
  assert.equal(leastRequestedScore(1000, 4000), 75);
  assert.equal(leastRequestedScore(3333, 10000), 66);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  assert.equal(leastRequestedScore(1, 0), 0);
  assert.equal(mostRequestedScore(1000, 4000), 25);
  assert.equal(mostRequestedScore(5000, 4000), 100);
  assert.equal(mostRequestedScore(1, 0), 0);
});

test("NodeResourcesFit score: mean of cpu and memory, pods without requests counted as 100m and 200 MiB", () => {
  const snap = snapshot([node("busy"), node("idle")], [pod("a", { node: "busy", cpu: "2", memory: "4Gi" })]);
  const p = pod("new", { cpu: "1", memory: "2Gi" });
  // busy: cpu (4000-3000)/4000 = 25, memory (8192-6144)/8192 = 25; idle: 75 and 75.
  assert.deepEqual(scoresOf(nodeResourcesFit("LeastAllocated"), p, snap), [25, 75]);
  assert.deepEqual(scoresOf(nodeResourcesFit("MostAllocated"), p, snap), [75, 25]);
  // A best-effort pod still counts: 100m of 4000 → 97 (97.5), 200 MiB of 8 GiB → 97 (97.56).
  assert.deepEqual(scoresOf(nodeResourcesFit(), pod("be"), snapshot([node("idle")])), [97]);
  // A best-effort pod already on the node counts with the defaults too: cpu 200m → 95, memory 400Mi → 95.
  assert.deepEqual(scoresOf(nodeResourcesFit(), pod("be"), snapshot([node("n")], [pod("old", { node: "n" })])), [95]);
  // An explicit zero request is not replaced by the default: cpu 0 → 100, memory 200 MiB → 97: 98.
  assert.deepEqual(scoresOf(nodeResourcesFit(), pod("z", { cpu: "0" }), snapshot([node("n")])), [98]);
});

test("BalancedAllocation: (1 − |f_cpu − f_mem|/2)·100, fractions capped at 1, best-effort pods skipped", () => {
  const snap = snapshot([node("n")]);
  // cpu 2000/4000 = 0.5, memory 1024/8192 = 0.125: std 0.1875 → 81.
  assert.deepEqual(scoresOf(balancedAllocation, pod("p", { cpu: "2", memory: "1Gi" }), snap), [81]);
  assert.deepEqual(scoresOf(balancedAllocation, pod("p", { cpu: "2", memory: "4Gi" }), snap), [100]);
  // Over capacity on cpu: f_cpu capped at 1; memory 0.5 → 75.
  assert.deepEqual(scoresOf(balancedAllocation, pod("p", { cpu: "8", memory: "4Gi" }), snap), [75]);
  assert.deepEqual(scoresOf(balancedAllocation, pod("be"), snapshot([node("a"), node("b")])), [0, 0]);
  // Existing pods' requests as written (no defaults): a best-effort pod on the node changes nothing.
  assert.deepEqual(scoresOf(balancedAllocation, pod("p", { cpu: "2", memory: "1Gi" }), snapshot([node("n")], [pod("be", { node: "n" })])), [81]);
});

test("DefaultNormalizeScore: highest to 100, reversed where fewer is better, all zero stays 0 (reversed 100)", () => {
  assert.deepEqual(defaultNormalizeScore([0, 5, 10], false), [0, 50, 100]);
  assert.deepEqual(defaultNormalizeScore([0, 1, 2], true), [100, 50, 0]);
  assert.deepEqual(defaultNormalizeScore([0, 0], false), [0, 0]);
  assert.deepEqual(defaultNormalizeScore([0, 0], true), [100, 100]);
  assert.deepEqual(defaultNormalizeScore([1, 3], false), [33, 100]);
});

test("ImageLocality: image sizes scaled by the share of all nodes holding them, 23 MB to 1000 MB per container", () => {
  const busybox = (size: number) => [{ names: ["docker.io/library/busybox:latest", "busybox:latest"], sizeBytes: size }];
  // 523 MB held by one node of two: 261.5 MB counted → (261.5 − 23)/(1000 − 23) of 100 = 24.
  assert.deepEqual(scoresOf(imageLocality, pod("p"), snapshot([node("has", { images: busybox(523 * Mi) }), node("none")])), [24, 0]);
  // Held by both: the whole 523 MB → 51 each.
  assert.deepEqual(scoresOf(imageLocality, pod("p"), snapshot([node("a", { images: busybox(523 * Mi) }), node("b", { images: busybox(523 * Mi) })])), [51, 51]);
  assert.deepEqual(scoresOf(imageLocality, pod("p"), snapshot([node("small", { images: busybox(10 * Mi) })])), [0]);
  // A tagged reference is matched as written; an untagged one as :latest.
  const tagged = pod("p", { containers: [{ name: "c", image: "nginx:1.25" }] });
  assert.deepEqual(scoresOf(imageLocality, tagged, snapshot([node("a", { images: [{ names: ["nginx:1.25"], sizeBytes: 1000 * Mi }] })])), [100]);
});
