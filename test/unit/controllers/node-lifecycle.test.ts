/**
 * The node lifecycle and taint eviction controllers: pure parts (health from heartbeats and leases, Unknown
 * conditions, zone states and rates, the token bucket queue, taints by condition, the eviction plan), then both
 * controllers over the in-process API on a fake clock: a node that stops renewing its Lease goes Ready=Unknown after
 * the grace period with upstream's reason and message, gets the unreachable NoExecute and NoSchedule taints, its
 * pods Ready=False, and its pods are evicted after their tolerationSeconds (300 s by DefaultTolerationSeconds);
 * when it comes back the taints go and pending evictions are cancelled; tainting is rate-limited per zone (0.1/s),
 * stopped in a partially disrupted small zone and when every node is down.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { microTime, NODE_LEASE_NAMESPACE, type Lease } from "../../../src/api/lease.js";
import type { Event, Node, NodeCondition, Pod, Taint } from "../../../src/api/types.js";
import { evictionPlan } from "../../../src/controllers/node-lifecycle/eviction-plan.js";
import { DEFAULT_NODE_LIFECYCLE, nodeLifecycleController, type NodeLifecycleSettings } from "../../../src/controllers/node-lifecycle/controller.js";
import { observeHealth, unknownConditions } from "../../../src/controllers/node-lifecycle/health.js";
import { taintEvictionController } from "../../../src/controllers/node-lifecycle/taint-eviction-controller.js";
import { noScheduleTaintDiff, swapTaints } from "../../../src/controllers/node-lifecycle/taints.js";
import { RateLimitedTimedQueue, TokenBucket } from "../../../src/controllers/node-lifecycle/timed-queue.js";
import { computeZoneState, DEFAULT_EVICTION_RATES, disruptionStep, zoneKey, zoneQps } from "../../../src/controllers/node-lifecycle/zones.js";
import { startControllers, type ControllerHarness } from "./workloads-harness.js";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const ready = (status: NodeCondition["status"], hb: number, tr = T0): NodeCondition => ({ type: "Ready", status, lastHeartbeatTime: iso(hb), lastTransitionTime: iso(tr), reason: "KubeletReady" });
const nodeWith = (conditions: NodeCondition[], extra: Partial<Node> = {}): Node => ({ apiVersion: "v1", kind: "Node", metadata: { name: "n", creationTimestamp: iso(T0) }, status: { conditions }, ...extra });
const lease = (renew: number): Lease => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n", namespace: NODE_LEASE_NAMESPACE }, spec: { renewTime: microTime(renew) } });

describe("node health, zones, queue, taints and eviction plan (pure)", () => {
  it("a new heartbeat or a newer lease renewal moves the probe timestamp to the controller's now", () => {
    let h = observeHealth(undefined, nodeWith([ready("True", T0)]), undefined, T0 + 1000);
    assert.equal(h.probeTimestamp, T0, "first sight: the creation time");
    h = observeHealth(h, nodeWith([ready("True", T0)]), undefined, T0 + 5000);
    assert.equal(h.probeTimestamp, T0, "same heartbeat: no sign of life");
    h = observeHealth(h, nodeWith([ready("True", T0 + 4000)]), undefined, T0 + 10_000);
    assert.equal(h.probeTimestamp, T0 + 10_000);
    h = observeHealth(h, nodeWith([ready("True", T0 + 4000)]), lease(T0 + 11_000), T0 + 20_000);
    assert.equal(h.probeTimestamp, T0 + 20_000, "lease renewed");
    h = observeHealth(h, nodeWith([ready("True", T0 + 4000)]), lease(T0 + 11_000), T0 + 30_000);
    assert.equal(h.probeTimestamp, T0 + 20_000, "same lease: nothing");
  });

  it("after the grace period the checked conditions turn Unknown with upstream's reasons; the rest stay", () => {
    const node = nodeWith([ready("True", T0), { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory" }, { type: "NetworkUnavailable", status: "False" }]);
    const h = { probeTimestamp: T0, readyTransitionTimestamp: T0 };
    assert.equal(unknownConditions(node, h, T0 + 50_000, 50_000, "now"), undefined, "not past the grace period yet");
    const c = unknownConditions(node, h, T0 + 50_001, 50_000, "now")!;
    const by = (t: string) => c.find((x) => x.type === t)!;
    assert.deepEqual([by("Ready").status, by("Ready").reason, by("Ready").message, by("Ready").lastTransitionTime], ["Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", "now"]);
    assert.equal(by("Ready").lastHeartbeatTime, iso(T0), "the last heartbeat is kept");
    assert.equal(by("MemoryPressure").status, "Unknown");
    assert.deepEqual([by("DiskPressure").status, by("DiskPressure").reason, by("DiskPressure").message], ["Unknown", "NodeStatusNeverUpdated", "Kubelet never posted node status."]);
    assert.equal(by("NetworkUnavailable").status, "False", "not a checked condition");
    const again = unknownConditions({ ...node, status: { conditions: c } }, h, T0 + 60_000, 50_000, "later")!;
    assert.equal(again.find((x) => x.type === "Ready")!.lastTransitionTime, "now", "already Unknown: no new transition");
  });

  it("zone states, rates and the master disruption steps", () => {
    const r = (s: string) => ({ type: "Ready", status: s }) as NodeCondition;
    assert.equal(computeZoneState([r("True"), r("False")], 0.55), "Normal");
    assert.equal(computeZoneState([r("Unknown"), undefined], 0.55), "FullDisruption");
    assert.equal(computeZoneState([r("True"), r("Unknown"), r("Unknown"), r("False")], 0.55), "PartialDisruption");
    assert.equal(computeZoneState([r("True"), r("True"), r("Unknown"), r("Unknown"), r("False")], 0.55), "PartialDisruption", "3 of 5 = 0.6");
    assert.equal(computeZoneState([r("True"), r("True"), r("True"), r("Unknown"), r("Unknown"), r("False")], 0.55), "Normal", "3 of 6 = 0.5");
    assert.equal(zoneQps("Normal", 5, DEFAULT_EVICTION_RATES), 0.1);
    assert.equal(zoneQps("FullDisruption", 5, DEFAULT_EVICTION_RATES), 0.1);
    assert.equal(zoneQps("PartialDisruption", 50, DEFAULT_EVICTION_RATES), 0, "small cluster: no evictions");
    assert.equal(zoneQps("PartialDisruption", 51, DEFAULT_EVICTION_RATES), 0.01);
    const m = (o: Record<string, string>) => new Map(Object.entries(o)) as Map<string, "Normal" | "FullDisruption">;
    assert.deepEqual(disruptionStep(m({ a: "Normal", b: "Normal" }), m({ a: "FullDisruption", b: "FullDisruption" })), { kind: "enterMasterDisruption" });
    assert.deepEqual(disruptionStep(m({ a: "FullDisruption", b: "FullDisruption" }), m({ a: "FullDisruption", b: "FullDisruption" })), { kind: "none" });
    assert.deepEqual(disruptionStep(m({ a: "FullDisruption", b: "FullDisruption" }), m({ a: "Normal", b: "FullDisruption" })), { kind: "exitMasterDisruption" });
    assert.deepEqual(disruptionStep(m({ a: "Normal", b: "Normal" }), m({ a: "FullDisruption", b: "Normal" })), { kind: "zonesChanged", zones: ["a"] });
    assert.equal(zoneKey(nodeWith([], { metadata: { name: "x", labels: { "topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": "z" } } })), "r:\x00:z");
    assert.equal(zoneKey(nodeWith([])), "");
  });

  it("the per-zone queue releases one node per token (burst 1), none at rate 0", () => {
    const b = new TokenBucket(0.1, T0);
    assert.equal(b.tryAccept(T0), true);
    assert.equal(b.tryAccept(T0 + 9_999), false);
    assert.equal(b.tryAccept(T0 + 10_000), true);
    const q = new RateLimitedTimedQueue(0.1, T0);
    for (const n of ["a", "b", "c"]) q.add(n, T0);
    assert.equal(q.add("a", T0), false, "queued once");
    const done: string[] = [];
    const take = (now: number) => q.try(now, (v) => (done.push(v), { done: true }));
    take(T0);
    take(T0 + 5_000);
    assert.deepEqual(done, ["a"]);
    take(T0 + 10_000);
    take(T0 + 20_000);
    assert.deepEqual(done, ["a", "b", "c"]);
    q.add("d", T0 + 20_000);
    q.swapLimiter(0, T0 + 20_000);
    take(T0 + 100_000);
    assert.deepEqual(done, ["a", "b", "c"], "rate 0 releases nothing");
    q.swapLimiter(0.1, T0 + 100_000);
    take(T0 + 100_000);
    assert.deepEqual(done, ["a", "b", "c"], "swapped from an empty bucket: the new one starts empty (upstream's drain)");
    take(T0 + 110_000);
    assert.deepEqual(done, ["a", "b", "c", "d"]);
  });

  it("NoSchedule taints follow the conditions and cordon; swapping keeps other taints and stamps added ones", () => {
    const node = nodeWith([{ type: "Ready", status: "Unknown" }, { type: "MemoryPressure", status: "True" }], {
      spec: { unschedulable: true, taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }, { key: "gpu", value: "x", effect: "NoSchedule" }] },
    });
    const d = noScheduleTaintDiff(node);
    assert.deepEqual(d.add.map((t) => t.key).sort(), ["node.kubernetes.io/memory-pressure", "node.kubernetes.io/unreachable", "node.kubernetes.io/unschedulable"]);
    assert.deepEqual(d.remove.map((t) => t.key), ["node.kubernetes.io/not-ready"]);
    const swapped = swapTaints(node, d.add, d.remove, "now")!;
    assert.deepEqual(swapped.map((t) => `${t.key}:${t.timeAdded ?? "-"}`).sort(), ["gpu:-", "node.kubernetes.io/memory-pressure:now", "node.kubernetes.io/unreachable:now", "node.kubernetes.io/unschedulable:now"]);
    assert.equal(swapTaints({ ...node, spec: { taints: swapped } }, d.add, d.remove, "later"), undefined, "nothing to change");
    // While the kubelet posts Ready it owns its pressure taints: the controller neither adds nor removes them.
    const posting = nodeWith([{ type: "Ready", status: "True" }, { type: "DiskPressure", status: "True" }], { spec: { taints: [{ key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" }] } });
    assert.deepEqual(noScheduleTaintDiff(posting), { add: [], remove: [] });
  });

  it("eviction plan: untolerated now, smallest tolerationSeconds, forever, none", () => {
    const unreachable: Taint[] = [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }];
    assert.deepEqual(evictionPlan([], []), { kind: "none" });
    assert.deepEqual(evictionPlan([{ key: "x", effect: "NoSchedule" }], []), { kind: "none" });
    assert.deepEqual(evictionPlan(unreachable, []), { kind: "after", ms: 0 });
    assert.deepEqual(evictionPlan(unreachable, [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }]), { kind: "after", ms: 300_000 });
    assert.deepEqual(evictionPlan(unreachable, [{ operator: "Exists" }]), { kind: "forever" });
    assert.deepEqual(evictionPlan(unreachable, [{ key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: -5 }]), { kind: "after", ms: 0 });
    const two: Taint[] = [...unreachable, { key: "maint", effect: "NoExecute" }];
    assert.deepEqual(evictionPlan(two, [{ key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 }, { key: "maint", operator: "Exists", tolerationSeconds: 30 }]), { kind: "after", ms: 30_000 });
    assert.deepEqual(evictionPlan(two, [{ key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 }]), { kind: "after", ms: 0 }, "maint not tolerated");
  });
});

/** A cluster of fake nodes whose kubelets the test plays: heartbeat() renews the Lease and the Ready condition. */
function cluster(names: string[], settings: Partial<NodeLifecycleSettings> = {}, labels: Record<string, string> = {}) {
  const h = startControllers([nodeLifecycleController({ ...DEFAULT_NODE_LIFECYCLE, ...settings }), taintEvictionController], { hold: (p) => p.metadata.labels?.held === "true" });
  const alive = new Set(names);
  const heartbeat = (name: string) => {
    const now = h.clock.now();
    const node = h.api.get<Node>("Node", "", name)!;
    const prev = node.status?.conditions?.find((c) => c.type === "Ready");
    const tr = prev?.status === "True" ? prev.lastTransitionTime : iso(now);
    h.api.updateStatus<Node>({ ...node, status: { ...node.status, conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: iso(now), lastTransitionTime: tr }] } });
    const l = h.api.get<Lease>("Lease", NODE_LEASE_NAMESPACE, name);
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) };
    if (l) h.api.update<Lease>({ ...l, spec });
    else h.api.create<Lease>({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace: NODE_LEASE_NAMESPACE }, spec });
  };
  for (const name of names) {
    h.api.create<Node>({ apiVersion: "v1", kind: "Node", metadata: { name, labels } });
    heartbeat(name);
  }
  /** Advances `ms` in 1 s steps; live kubelets renew every 10 s. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 1000) {
      h.clock.advance(1000);
      if ((h.clock.now() - T0) % 10_000 === 0) for (const n of alive) heartbeat(n);
      await h.settle();
    }
  };
  const node = (name: string) => h.api.get<Node>("Node", "", name)!;
  const taintKeys = (name: string) => ((node(name).spec?.taints ?? []) as Taint[]).map((t) => `${t.key}:${t.effect}`).sort();
  return { h, alive, heartbeat, run, node, taintKeys };
}

function pod(name: string, nodeName: string, tolerations?: Pod["spec"]["tolerations"]): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { nodeName, containers: [{ name: "c", image: "busybox" }], ...(tolerations ? { tolerations } : {}) } };
}

const events = (h: ControllerHarness, reason: string) => h.api.list<Event>("Event", { namespace: "default" }).items.filter((e) => e.reason === reason).map((e) => e.message);

describe("node lifecycle controller (fake clock)", () => {
  it("a silent node goes Unknown after the grace period, is tainted, its pods marked not ready and evicted after tolerationSeconds; back again, the taints go", async () => {
    const c = cluster(["n1", "n2", "n3"], { monitorGraceMs: 20_000 });
    const { h } = c;
    try {
      await c.run(1000);
      h.api.create(pod("default-tol", "n3")); // DefaultTolerationSeconds: 300 s for not-ready and unreachable
      h.api.create(pod("short", "n3", [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }]));
      // The fake kubelet leaves a held pod alone: the test plays its kubelet and reports it Ready.
      const forever = h.api.create({ ...pod("forever", "n3", [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }]), metadata: { name: "forever", namespace: "default", labels: { held: "true" } } });
      h.api.updateStatus<Pod>({ ...forever, status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: iso(T0) }] } });
      h.api.create(pod("elsewhere", "n1"));
      await c.run(2000);
      assert.equal(h.api.get<Pod>("Pod", "default", "default-tol")?.spec.tolerations?.find((t) => t.key === "node.kubernetes.io/unreachable")?.tolerationSeconds, 300);
      c.alive.delete("n3");
      await c.run(20_000);
      assert.equal(c.node("n3").status?.conditions?.find((x) => x.type === "Ready")?.status, "True", "within the grace period");
      await c.run(10_000);
      const r = c.node("n3").status?.conditions?.find((x) => x.type === "Ready");
      assert.deepEqual([r?.status, r?.reason, r?.message], ["Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."]);
      assert.deepEqual(c.taintKeys("n3"), ["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]);
      assert.deepEqual(c.taintKeys("n1"), []);
      assert.ok(((c.node("n3").spec?.taints ?? []) as Taint[]).every((t) => t.timeAdded), "taints carry timeAdded");
      assert.ok(events(h, "NodeNotReady").includes("Node n3 status is now: NodeNotReady"));
      assert.equal(h.api.get<Pod>("Pod", "default", "forever")?.status?.conditions?.find((x) => x.type === "Ready")?.status, "False", "MarkPodsNotReady");
      assert.ok(events(h, "NodeNotReady").includes("Node is not ready"));
      const taintedAt = h.clock.now();
      await c.run(35_000);
      assert.equal(h.api.get<Pod>("Pod", "default", "short"), undefined, "30 s toleration: evicted");
      assert.ok(h.api.get<Pod>("Pod", "default", "default-tol"));
      assert.ok(events(h, "TaintManagerEviction").includes("Marking for deletion Pod default/short"));
      await c.run(300_000 - (h.clock.now() - taintedAt) + 6000);
      assert.equal(h.api.get<Pod>("Pod", "default", "default-tol"), undefined, "evicted after the default 300 s");
      assert.ok(h.api.get<Pod>("Pod", "default", "forever"), "tolerates for ever");
      assert.ok(h.api.get<Pod>("Pod", "default", "elsewhere"), "a pod on a healthy node stays");

      // n3 is back: its taints go at the next monitor pass.
      c.alive.add("n3");
      c.heartbeat("n3");
      await c.run(6000);
      assert.deepEqual(c.taintKeys("n3"), []);
    } finally {
      await c.h.close();
    }
  });

  it("a pending eviction is cancelled when the node comes back in time", async () => {
    const c = cluster(["a", "b", "c"], { monitorGraceMs: 20_000 });
    try {
      await c.run(1000);
      c.h.api.create(pod("p", "c"));
      c.alive.delete("c");
      await c.run(40_000);
      assert.deepEqual(c.taintKeys("c"), ["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]);
      c.alive.add("c");
      c.heartbeat("c");
      await c.run(6000);
      assert.deepEqual(c.taintKeys("c"), []);
      assert.ok(events(c.h, "TaintManagerEviction").includes("Cancelling deletion of Pod default/p"));
      await c.run(300_000);
      assert.ok(c.h.api.get<Pod>("Pod", "default", "p"), "not evicted");
    } finally {
      await c.h.close();
    }
  });

  it("tainting is rate-limited per zone: two silent nodes of five are tainted 10 s apart at 0.1/s", async () => {
    const c = cluster(["a", "b", "c", "d", "e"], { monitorGraceMs: 20_000 });
    try {
      await c.run(1000);
      c.alive.delete("d");
      c.alive.delete("e");
      const seen: Record<string, number> = {};
      for (let i = 0; i < 60; i++) {
        await c.run(1000);
        for (const n of ["d", "e"]) if (seen[n] === undefined && c.taintKeys(n).includes("node.kubernetes.io/unreachable:NoExecute")) seen[n] = c.h.clock.now();
      }
      assert.ok(seen.d !== undefined && seen.e !== undefined, JSON.stringify(seen));
      const gap = Math.abs(seen.d - seen.e);
      assert.ok(gap >= 9_000 && gap <= 11_000, `10 s between the two taints, got ${gap} ms`);
    } finally {
      await c.h.close();
    }
  });

  it("a partially disrupted small zone and a cluster with every node down get no NoExecute taints", async () => {
    const partial = cluster(["a", "b", "c", "d", "e"], { monitorGraceMs: 20_000 });
    try {
      await partial.run(1000);
      for (const n of ["c", "d", "e"]) partial.alive.delete(n);
      await partial.run(60_000);
      for (const n of ["c", "d", "e"]) {
        assert.equal(partial.node(n).status?.conditions?.find((x) => x.type === "Ready")?.status, "Unknown");
        assert.deepEqual(partial.taintKeys(n), ["node.kubernetes.io/unreachable:NoSchedule"], `${n}: NoSchedule only (zone of 5 <= 50 in PartialDisruption: rate 0)`);
      }
    } finally {
      await partial.h.close();
    }
    const all = cluster(["a", "b"], { monitorGraceMs: 20_000 });
    try {
      await all.run(1000);
      all.alive.clear();
      await all.run(60_000);
      for (const n of ["a", "b"]) assert.ok(!all.taintKeys(n).some((t) => t.endsWith(":NoExecute")), `${n}: no NoExecute taint in master disruption mode`);
    } finally {
      await all.h.close();
    }
  });

  it("cordon adds the unschedulable NoSchedule taint and uncordon removes it", async () => {
    const c = cluster(["a"]);
    try {
      await c.run(1000);
      const n = c.node("a");
      c.h.api.update<Node>({ ...n, spec: { ...n.spec, unschedulable: true } });
      await c.h.settle();
      assert.deepEqual(c.taintKeys("a"), ["node.kubernetes.io/unschedulable:NoSchedule"]);
      const m = c.node("a");
      c.h.api.update<Node>({ ...m, spec: { ...m.spec, unschedulable: false } });
      await c.h.settle();
      assert.equal(c.node("a").spec?.taints, undefined, "no taint left: the field is gone, as upstream leaves an empty list out");
    } finally {
      await c.h.close();
    }
  });
});
