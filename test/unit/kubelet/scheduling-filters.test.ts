/**
 * The scheduler's filters (api/scheduling.ts) and the FailedScheduling message built from their verdicts, then node
 * admission playing the one-node scheduler with them: a pod whose nodeSelector/affinity the node does not match,
 * whose taints it does not tolerate, or that meets a cordoned node stays Pending and unscheduled with the
 * scheduler's FailedScheduling event, and starts as soon as the node changes to allow it. Static pods are exempt.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { fitErrorMessage, nodeResourcesFit, PLACEMENT_FILTERS, runFilters, type NodeInfo } from "../../../src/api/scheduling.js";
import type { Node, Pod } from "../../../src/api/types.js";
import { podRequests } from "../../../src/kubelet/node-admission.js";
import { makeKubelet, type Harness } from "../../helpers/kubelet-harness.js";

const node = (spec: Node["spec"] = {}, labels: Record<string, string> = {}): Node => ({ apiVersion: "v1", kind: "Node", metadata: { name: "node1", labels }, spec });
const pod = (spec: Partial<Pod["spec"]> = {}): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }], ...spec } });
const verdict = (p: Pod, n: Node) => runFilters(PLACEMENT_FILTERS, p, { node: n, pods: [] });
const message = (p: Pod, n: Node) => {
  const v = verdict(p, n);
  return v && fitErrorMessage([v]);
};
const NOT_HELPFUL = "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";

describe("scheduler filters", () => {
  test("a cordoned node refuses pods that do not tolerate node.kubernetes.io/unschedulable", () => {
    assert.equal(message(pod(), node({ unschedulable: true })), `0/1 nodes are available: 1 node(s) were unschedulable. ${NOT_HELPFUL}`);
    assert.equal(verdict(pod({ tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] }), node({ unschedulable: true })), undefined);
    assert.equal(verdict(pod({ tolerations: [{ operator: "Exists" }] }), node({ unschedulable: true })), undefined, "tolerate everything");
  });

  test("NoSchedule and NoExecute taints must be tolerated; PreferNoSchedule never refuses", () => {
    const gpu = node({ taints: [{ key: "gpu", value: "yes", effect: "NoSchedule" }] });
    assert.equal(message(pod(), gpu), `0/1 nodes are available: 1 node(s) had untolerated taint {gpu: yes}. ${NOT_HELPFUL}`);
    assert.equal(verdict(pod({ tolerations: [{ key: "gpu", value: "yes", effect: "NoSchedule" }] }), gpu), undefined, "operator Equal by default");
    assert.ok(verdict(pod({ tolerations: [{ key: "gpu", value: "no", effect: "NoSchedule" }] }), gpu));
    assert.equal(verdict(pod({ tolerations: [{ key: "gpu", operator: "Exists" }] }), gpu), undefined);
    assert.equal(verdict(pod(), node({ taints: [{ key: "x", effect: "PreferNoSchedule" }] })), undefined);
    assert.match(message(pod(), node({ taints: [{ key: "dedicated", effect: "NoExecute" }] })) ?? "", /untolerated taint \{dedicated: \}/);
  });

  test("nodeSelector and required node affinity must match the node's labels (and metadata.name fields)", () => {
    const ssd = node({}, { disk: "ssd", zone: "a" });
    assert.equal(message(pod({ nodeSelector: { disk: "hdd" } }), ssd), `0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL}`);
    assert.equal(verdict(pod({ nodeSelector: { disk: "ssd" } }), ssd), undefined);
    const affinity = (exprs: unknown[], fields: unknown[] = []) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs, matchFields: fields }] } } } }) as Partial<Pod["spec"]>;
    assert.equal(verdict(pod(affinity([{ key: "zone", operator: "In", values: ["a", "b"] }])), ssd), undefined);
    assert.ok(verdict(pod(affinity([{ key: "zone", operator: "NotIn", values: ["a"] }])), ssd));
    assert.ok(verdict(pod(affinity([{ key: "gpu", operator: "Exists" }])), ssd));
    assert.equal(verdict(pod(affinity([], [{ key: "metadata.name", operator: "In", values: ["node1"] }])), ssd), undefined);
    assert.ok(verdict(pod(affinity([])), ssd), "an empty term matches nothing");
  });

  test("the filters run in the scheduler's order: a cordoned node is reported before its taints", () => {
    const both = node({ unschedulable: true, taints: [{ key: "gpu", effect: "NoSchedule" }] });
    assert.equal(verdict(pod(), both)?.plugin, "NodeUnschedulable");
  });

  test("NodeResourcesFit reports every resource short; counts per reason over nodes, sorted", () => {
    const fit = nodeResourcesFit(podRequests);
    const big = pod({ containers: [{ name: "c", resources: { requests: { cpu: "3", memory: "3Gi" } } }] });
    const info: NodeInfo = { node: node(), pods: [big], allocatable: { cpuMilli: 4000, memoryBytes: 4 * 2 ** 30, pods: 1 } };
    const v = fit(big, info)!;
    assert.deepEqual(v.reasons, ["Too many pods", "Insufficient cpu", "Insufficient memory"]);
    assert.equal(fit(pod(), { ...info, allocatable: { ...info.allocatable!, pods: 110 } }), undefined, "a pod without requests only needs a slot");
    assert.equal(
      fitErrorMessage([v, { plugin: "NodeAffinity", code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't match Pod's node affinity/selector"] }]),
      "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods, 1 node(s) didn't match Pod's node affinity/selector. " +
        "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    );
  });
});

describe("node admission as the one-node scheduler", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await makeKubelet();
  });
  afterEach(async () => {
    await h.close();
  });

  const scheduled = (name: string) => h.get(name)!.status?.conditions?.find((c) => c.type === "PodScheduled");
  const setNode = (change: (n: Node) => Node) => h.store.update(change(h.store.get<Node>("Node", "", "node1")!));

  test("a pod selecting labels the node lacks waits unscheduled, and starts when the node is labelled", async () => {
    h.create({ metadata: { name: "picky" }, spec: { nodeSelector: { disk: "ssd" }, containers: [{ name: "a", image: "busybox" }] } });
    await h.settle();
    const st = h.get("picky")!.status!;
    assert.equal(st.phase, "Pending");
    assert.deepEqual([scheduled("picky")?.status, scheduled("picky")?.reason], ["False", "Unschedulable"]);
    const want = `0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL}`;
    assert.equal(scheduled("picky")?.message, want);
    const failed = h.events("picky").filter((e) => e.reason === "FailedScheduling");
    assert.equal(failed[0]?.message, want);
    assert.equal(failed[0]?.source?.component, "default-scheduler");
    assert.equal(h.runtime.sandbox(h.get("picky")!.metadata.uid!), undefined, "nothing started");
    setNode((n) => ({ ...n, metadata: { ...n.metadata, labels: { disk: "ssd" } } }));
    await h.settle();
    await h.settle();
    assert.equal(h.get("picky")!.status!.phase, "Running");
    assert.equal(scheduled("picky")?.status, "True");
  });

  test("a cordoned node takes no new pod until uncordoned; running pods stay", async () => {
    h.create({ metadata: { name: "before" }, spec: { containers: [{ name: "a", image: "busybox" }] } });
    await h.settle();
    setNode((n) => ({ ...n, spec: { ...n.spec, unschedulable: true } }));
    h.create({ metadata: { name: "after" }, spec: { containers: [{ name: "a", image: "busybox" }] } });
    await h.settle();
    assert.equal(h.get("before")!.status!.phase, "Running");
    assert.equal(h.get("after")!.status!.phase, "Pending");
    assert.match(scheduled("after")?.message ?? "", /1 node\(s\) were unschedulable/);
    setNode((n) => ({ ...n, spec: { ...n.spec, unschedulable: false } }));
    await h.settle();
    await h.settle();
    assert.equal(h.get("after")!.status!.phase, "Running");
  });

  test("an untolerated NoSchedule taint keeps a pod off; a pod tolerating it runs", async () => {
    setNode((n) => ({ ...n, spec: { ...n.spec, taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] } }));
    h.create({ metadata: { name: "plain" }, spec: { containers: [{ name: "a", image: "busybox" }] } });
    h.create({ metadata: { name: "db" }, spec: { tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }], containers: [{ name: "a", image: "busybox" }] } });
    await h.settle();
    assert.equal(h.get("plain")!.status!.phase, "Pending");
    assert.match(scheduled("plain")?.message ?? "", /untolerated taint \{dedicated: db\}/);
    assert.equal(h.get("db")!.status!.phase, "Running");
  });

  test("the node's own pressure taints are left to the eviction manager's admission", async () => {
    setNode((n) => ({ ...n, spec: { ...n.spec, taints: [{ key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" }] } }));
    h.create({ metadata: { name: "burstable" }, spec: { containers: [{ name: "a", image: "busybox", resources: { requests: { memory: "1Mi" } } }] } });
    await h.settle();
    assert.equal(h.get("burstable")!.status!.phase, "Running");
  });
});
