/**
 * Several nodes seen through the real kubectl (in-process API with the workload and node controllers, a fake
 * kubelet; the test renews the nodes' Leases and Ready heartbeats as their kubelets would): `kubectl cordon` and
 * `uncordon` of one node of three (SchedulingDisabled and the unschedulable NoSchedule taint on that node only),
 * `kubectl drain` of one node evicting only its pods, and a node that stops renewing its Lease going NotReady
 * (Ready=Unknown, NodeStatusUnknown) with the unreachable taints, its short-tolerating pod evicted, and back.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { microTime, NODE_LEASE_NAMESPACE, type Lease } from "../../src/api/lease.js";
import type { Node, Pod, Taint } from "../../src/api/types.js";
import { nodeControllers } from "../../src/cmd/node-controllers-wiring.js";
import { ControllerManager } from "../../src/controllers/foundation/controller.js";
import { DEFAULT_NODE_LIFECYCLE } from "../../src/controllers/node-lifecycle/controller.js";
import { realClock } from "../../src/sys/clock.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";
import { startWorkloadsEnv, type WorkloadsEnv } from "./workloads-kubectl-harness.js";

const skip = skipUnless(needsCommand("kubectl"));
const NODES = ["node1", "node2", "node3"];
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("several nodes with real kubectl: cordon, uncordon, drain, a node gone silent", { skip }, () => {
  let env: WorkloadsEnv;
  let manager: ControllerManager;
  let timer: NodeJS.Timeout | undefined;
  const alive = new Set(NODES);

  const heartbeat = (name: string): void => {
    const store = env.t.store;
    const now = Date.now();
    const node = store.get<Node>("Node", "", name);
    if (!node) return;
    const prev = node.status?.conditions?.find((c) => c.type === "Ready");
    const since = prev?.status === "True" ? prev.lastTransitionTime : iso(now);
    store.update<Node>({ ...node, status: { ...node.status, conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: iso(now), lastTransitionTime: since }] } }, { subresource: "status" });
    const lease = store.get<Lease>("Lease", NODE_LEASE_NAMESPACE, name);
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) };
    if (lease) store.update<Lease>({ ...lease, spec });
    else store.create<Lease>({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace: NODE_LEASE_NAMESPACE }, spec });
  };

  before(async () => {
    env = await startWorkloadsEnv();
    for (const name of NODES) {
      env.t.store.create<Node>({ apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name } }, spec: {}, status: { addresses: [{ type: "InternalIP", address: `192.0.2.${NODES.indexOf(name) + 1}` }] } });
      heartbeat(name);
    }
    // The kubelets renew every second; a node silent for 3 s is Unknown (the grace period is a setting for tests).
    timer = setInterval(() => {
      for (const n of alive) {
        try {
          heartbeat(n);
        } catch {
          // a conflicting write: the next second renews
        }
      }
    }, 1000);
    manager = new ControllerManager({ api: env.t.server.objectApi(), clock: realClock, nodeName: "node1" });
    manager.start(nodeControllers({ nodeCidrMaskSize: 24, terminatedPodGcThreshold: 12_500, lifecycle: { ...DEFAULT_NODE_LIFECYCLE, monitorPeriodMs: 500, monitorGraceMs: 3000 } }, undefined));
  });
  after(async () => {
    clearInterval(timer);
    await manager?.stop();
    await env?.close();
  });

  const node = (name: string) => env.t.store.get<Node>("Node", "", name)!;
  const taints = (name: string) => ((node(name).spec?.taints ?? []) as Taint[]).map((t) => `${t.key}:${t.effect}`).sort();
  const statusOf = async (): Promise<Record<string, string>> => Object.fromEntries((await env.ok(["get", "nodes", "--no-headers"])).trim().split("\n").map((l) => l.split(/\s+/).slice(0, 2) as [string, string]));
  const pod = (name: string, nodeName: string, tolerationSeconds?: number) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, labels: {app: spread}}\nspec:\n  nodeName: ${nodeName}\n  containers: [{name: c, image: busybox}]\n` +
    (tolerationSeconds === undefined ? "" : `  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: ${tolerationSeconds}}]\n`);
  const podNames = () => env.t.store.list<Pod>("Pod", { namespace: "default" }).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();

  test("cordon and uncordon one node of three", async () => {
    assert.deepEqual(await statusOf(), { node1: "Ready", node2: "Ready", node3: "Ready" });
    assert.match(await env.ok(["cordon", "node2"]), /node\/node2 cordoned/);
    assert.deepEqual(await statusOf(), { node1: "Ready", node2: "Ready,SchedulingDisabled", node3: "Ready" });
    await waitFor("the unschedulable taint on node2", () => taints("node2").includes("node.kubernetes.io/unschedulable:NoSchedule"), 10_000);
    assert.deepEqual(taints("node1"), []);
    assert.deepEqual(taints("node3"), []);
    assert.match(await env.ok(["describe", "node", "node2"]), /Taints:\s+node\.kubernetes\.io\/unschedulable:NoSchedule\nUnschedulable:\s+true/);
    assert.match(await env.ok(["uncordon", "node2"]), /node\/node2 uncordoned/);
    await waitFor("the taint gone", () => taints("node2").length === 0, 10_000);
    assert.deepEqual(await statusOf(), { node1: "Ready", node2: "Ready", node3: "Ready" });
  });

  test("drain evicts only the drained node's pods", async () => {
    await env.ok(["apply", "-f", env.file("pods.yaml", [pod("a2", "node2"), pod("b2", "node2"), pod("a3", "node3")].join("---\n"))]);
    await waitFor("three pods", () => podNames().length === 3, 10_000);
    const out = await env.ok(["drain", "node2", "--force", "--timeout=60s"], { timeoutMs: 90_000 });
    assert.match(out, /node\/node2 cordoned/);
    assert.match(out, /evicting pod default\/a2/);
    assert.match(out, /node\/node2 drained/);
    assert.deepEqual(podNames(), ["a3"]);
    assert.equal(node("node2").spec?.unschedulable, true);
    assert.notEqual(node("node3").spec?.unschedulable, true);
    await env.ok(["uncordon", "node2"]);
  });

  test("a node that stops renewing its Lease goes NotReady, is tainted unreachable, its pods evicted after tolerationSeconds; back, Ready", async () => {
    await env.ok(["apply", "-f", env.file("silent.yaml", [pod("short", "node3", 2), pod("long", "node3")].join("---\n"))]);
    alive.delete("node3");
    await waitFor("node3 NotReady", async () => (await statusOf()).node3 === "NotReady", 20_000);
    const ready = node("node3").status?.conditions?.find((c) => c.type === "Ready");
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ["Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."]);
    await waitFor("the unreachable taints", () => taints("node3").includes("node.kubernetes.io/unreachable:NoExecute"), 20_000);
    assert.match(await env.ok(["describe", "node", "node3"]), /node\.kubernetes\.io\/unreachable:NoExecute/);
    await waitFor("the 2 s pod evicted", () => !podNames().includes("short"), 20_000);
    assert.ok(podNames().includes("long"), "300 s of default toleration: still there");
    assert.ok(podNames().includes("a3"), "300 s of default toleration: still there");
    const events = await env.ok(["get", "events", "--field-selector", "reason=TaintManagerEviction", "-o", "jsonpath={.items[*].message}"]);
    assert.match(events, /Marking for deletion Pod default\/short/);
    alive.add("node3");
    await waitFor("node3 Ready again", async () => (await statusOf()).node3 === "Ready", 20_000);
    await waitFor("the taints gone", () => taints("node3").length === 0, 20_000);
    assert.ok(podNames().includes("long"));
  });
});
