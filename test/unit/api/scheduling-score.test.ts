/**
 * The scheduler's score plugins and framework as pure functions, on worked examples of the reference formulas:
 * LeastAllocated and MostAllocated (with the 100m/200 MiB defaults for pods without requests), BalancedAllocation
 * (best-effort pods skipped), TaintToleration and NodeAffinity normalized, ImageLocality's thresholds, weights summed,
 * ties broken at random; and the NodeName and NodePorts filters feeding the FailedScheduling message.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fitErrorMessage, nodeResourcesFit, PLACEMENT_FILTERS, runFilters, type FilterStatus, type NodeInfo } from "../../../src/api/scheduling.js";
import {
  balancedAllocation,
  defaultNormalizeScore,
  defaultScorePlugins,
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  imageLocality,
  leastRequestedScore,
  mostRequestedScore,
  nodeAffinityScore,
  nodeName,
  nodePorts,
  nodeResourcesFitScore,
  scoreNodes,
  selectHost,
  taintTolerationScore,
  type RequestsFor,
  type Resources,
} from "../../../src/api/scheduling-score.js";
import type { Node, Pod } from "../../../src/api/types.js";

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

/** Requests read from an annotation-free stand-in: cpu/memory on the pod's first container, as the tests set them. */
function reqOf(pod: Pod): Resources {
  const r = pod.spec.containers[0].resources?.requests ?? {};
  return { cpuMilli: r.cpu ? Number(String(r.cpu).replace("m", "")) : 0, memoryBytes: r.memory ? Number(String(r.memory).replace("Mi", "")) * Mi : 0 };
}
const requests: RequestsFor = {
  requested: reqOf,
  nonZero: (p) => {
    const r = reqOf(p);
    return { cpuMilli: r.cpuMilli || DEFAULT_MILLI_CPU_REQUEST, memoryBytes: r.memoryBytes || DEFAULT_MEMORY_REQUEST };
  },
};

function pod(name: string, cpu?: string, memory?: string, extra: Partial<Pod["spec"]> = {}): Pod {
  const req: Record<string, string> = {};
  if (cpu) req.cpu = cpu;
  if (memory) req.memory = memory;
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { containers: [{ name: "c", image: "busybox", resources: { requests: req } }], ...extra } };
}

function node(name: string, extra: Partial<Node> = {}): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name } }, ...extra };
}

function info(n: Node, pods: Pod[] = [], cpuMilli = 4000, memoryBytes = 8 * Gi): NodeInfo {
  return { node: n, pods, allocatable: { cpuMilli, memoryBytes, pods: 110 } };
}

test("LeastAllocated and MostAllocated per resource: integer shares, 0 when over or no capacity", () => {
  assert.equal(leastRequestedScore(1000, 4000), 75);
  assert.equal(leastRequestedScore(3333, 10000), 66);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  assert.equal(leastRequestedScore(1, 0), 0);
  assert.equal(mostRequestedScore(1000, 4000), 25);
  assert.equal(mostRequestedScore(5000, 4000), 0);
});

test("NodeResourcesFit scores the mean of cpu and memory, counting pods without requests as 100m and 200 MiB", () => {
  const busy = info(node("busy"), [pod("a", "2000m", "4096Mi")]);
  const idle = info(node("idle"));
  const p = pod("new", "1000m", "2048Mi");
  // busy: cpu (4000-3000)/4000 = 25, memory (8192-6144)/8192 = 25; idle: 75 and 75.
  assert.deepEqual(nodeResourcesFitScore("LeastAllocated", requests).score(p, [busy, idle]), [25, 75]);
  assert.deepEqual(nodeResourcesFitScore("MostAllocated", requests).score(p, [busy, idle]), [75, 25]);
  // A best-effort pod still counts: 100m of 4000 → 97 (floor of 97.5), 200 MiB of 8 GiB → 97 (97.56).
  assert.deepEqual(nodeResourcesFitScore("LeastAllocated", requests).score(pod("be"), [idle]), [97]);
});

test("BalancedAllocation: (1 − |f_cpu − f_mem|/2)·100, fractions capped at 1, best-effort pods skipped", () => {
  const n = info(node("n"));
  // cpu 2000/4000 = 0.5, memory 1024/8192 = 0.125: std 0.1875 → 81.
  assert.deepEqual(balancedAllocation(requests).score(pod("p", "2000m", "1024Mi"), [n]), [81]);
  // Even use: 100.
  assert.deepEqual(balancedAllocation(requests).score(pod("p", "2000m", "4096Mi"), [n]), [100]);
  // Over capacity on cpu: f_cpu capped at 1; memory 0.5 → 75.
  assert.deepEqual(balancedAllocation(requests).score(pod("p", "8000m", "4096Mi"), [n]), [75]);
  assert.deepEqual(balancedAllocation(requests).score(pod("be"), [n, n]), [0, 0]);
});

test("normalization: highest to 100, reversed for counts where fewer is better, all zero stays (or becomes 100 reversed)", () => {
  assert.deepEqual(defaultNormalizeScore([0, 5, 10], false), [0, 50, 100]);
  assert.deepEqual(defaultNormalizeScore([0, 1, 2], true), [100, 50, 0]);
  assert.deepEqual(defaultNormalizeScore([0, 0], false), [0, 0]);
  assert.deepEqual(defaultNormalizeScore([0, 0], true), [100, 100]);
});

test("TaintToleration scores untolerated PreferNoSchedule taints; NodeAffinity the preferred terms' weights", () => {
  const soft = (key: string) => ({ key, value: "x", effect: "PreferNoSchedule" });
  const clean = info(node("clean"));
  const one = info(node("one", { spec: { taints: [soft("a")] } }));
  const two = info(node("two", { spec: { taints: [soft("a"), soft("b")] } }));
  assert.deepEqual(taintTolerationScore.score(pod("p"), [clean, one, two]), [100, 50, 0]);
  const tolerant = pod("t", undefined, undefined, { tolerations: [{ key: "a", operator: "Exists" }] });
  assert.deepEqual(taintTolerationScore.score(tolerant, [clean, one, two]), [100, 100, 0]);

  const zoned = (name: string, zone: string) => info(node(name, { metadata: { name, labels: { zone } } }));
  const prefers = pod("p", undefined, undefined, {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 80, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
          { weight: 20, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] } },
        ],
      },
    },
  } as Partial<Pod["spec"]>);
  assert.deepEqual(nodeAffinityScore.score(prefers, [zoned("na", "a"), zoned("nb", "b"), zoned("nc", "c")]), [100, 20, 0]);
});

test("ImageLocality: image sizes scaled by how many nodes hold them, between 23 MB and 1000 MB per container", () => {
  const withImage = (name: string, size: number) => info(node(name, { status: { images: [{ names: ["docker.io/library/busybox:latest", "busybox:latest"], sizeBytes: size }] } } as Partial<Node>));
  const p = pod("p");
  // 523 MB held by one node of two: 261.5 MB counted → (261.5 − 23)/(1000 − 23) of 100 = 24.
  assert.deepEqual(imageLocality.score(p, [withImage("has", 523 * Mi), info(node("none"))]), [24, 0]);
  // Below the minimum threshold: 0.
  assert.deepEqual(imageLocality.score(p, [withImage("small", 10 * Mi)]), [0]);
});

test("scores weighted and summed, the best node chosen, ties broken by the random source", () => {
  const busy = info(node("busy"), [pod("a", "3000m", "6144Mi")]);
  const idle = info(node("idle"));
  const scores = scoreNodes(pod("new", "500m", "512Mi"), [busy, idle], defaultScorePlugins(requests));
  const byName = Object.fromEntries(scores.map((s) => [s.name, s]));
  // idle: cpu 87 (3500/4000 free), memory 93 (7680/8192): 90; busy: cpu 12, memory 18: 15.
  assert.equal(byName.idle.plugins.NodeResourcesFit, 90);
  assert.equal(byName.busy.plugins.NodeResourcesFit, 15);
  // TaintToleration (100·3) and NodeAffinity (0·2) equal on both; idle wins on fit and balance.
  assert.equal(selectHost(scores), "idle");
  const tie = [
    { name: "x", total: 10, plugins: {} },
    { name: "y", total: 10, plugins: {} },
    { name: "z", total: 3, plugins: {} },
  ];
  assert.equal(selectHost(tie, () => 0.9), "x");
  assert.equal(selectHost(tie, () => 0.1), "y");
  assert.equal(selectHost([]), undefined);
  assert.equal(byName.idle.total, Object.entries(byName.idle.plugins).reduce((sum, [name, s]) => sum + s * ({ TaintToleration: 3, NodeAffinity: 2 }[name] ?? 1), 0));
});

test("NodeName and NodePorts filters feed the FailedScheduling message in the scheduler's words", () => {
  const nodes = [info(node("n1"), [pod("web", undefined, undefined, { containers: [{ name: "c", image: "busybox", ports: [{ containerPort: 80, hostPort: 8080 }] }] })]), info(node("n2")), info(node("n3"))];
  const wantsPort = pod("p", undefined, undefined, { containers: [{ name: "c", image: "busybox", ports: [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }] }] });
  assert.deepEqual(nodePorts(wantsPort, nodes[0]), { plugin: "NodePorts", code: "Unschedulable", reasons: ["node(s) didn't have free ports for the requested pod ports"] });
  assert.equal(nodePorts(wantsPort, nodes[1]), undefined);
  const udp = pod("u", undefined, undefined, { containers: [{ name: "c", image: "busybox", ports: [{ containerPort: 80, hostPort: 8080, protocol: "UDP" }] }] });
  assert.equal(nodePorts(udp, nodes[0]), undefined, "another protocol is another port");

  const pinned = { ...wantsPort, spec: { ...wantsPort.spec, nodeName: "n1" } };
  const filters = [PLACEMENT_FILTERS[0], nodeName, ...PLACEMENT_FILTERS.slice(1), nodePorts, nodeResourcesFit(requests.requested)];
  const statuses = nodes.map((n) => runFilters(filters, pinned, n)).filter((s): s is FilterStatus => s !== undefined);
  assert.equal(
    fitErrorMessage(statuses),
    "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 2 node(s) didn't match the requested node name. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
  );
});
