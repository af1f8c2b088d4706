/** The eviction manager's decisions (pure, fake time) and its loop over fakes. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Container, Node, Pod } from "../../../src/api/types.js";
import { FakeClock } from "../../../src/kubelet/clock.js";
import {
  admitUnderPressure,
  emptyEvictionState,
  evaluate,
  evictionGracePeriod,
  evictionMessage,
  isCriticalPod,
  rankForEviction,
  type PodUsage,
} from "../../../src/kubelet/eviction.js";
import { EvictionManager } from "../../../src/kubelet/eviction-manager.js";
import { NodeReclaimers } from "../../../src/kubelet/node-reclaim.js";
import { parseEvictionConfig, parseThresholds, type Observations } from "../../../src/kubelet/node-pressure.js";
import { buildNode, taintsOf } from "../../../src/kubelet/node-status.js";
import { computePodActions, type ObservedPod } from "../../../src/kubelet/plan.js";
import { parseDaemonConfig } from "../../../src/cmd/daemon-config.js";

const Mi = 2 ** 20;
const ctr = (name: string, requests: Record<string, string> = {}, limits: Record<string, string> = {}): Container => ({ name, image: "busybox", resources: { requests, limits } });
let n = 0;
const pod = (name: string, containers: Container[], extra: Partial<Pod["spec"]> = {}, annotations?: Record<string, string>): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", uid: `uid-${name}-${n++}`, ...(annotations ? { annotations } : {}) },
  spec: { containers, ...extra },
});
const obs = (o: Partial<Record<keyof Observations, [number, number]>>): Observations =>
  Object.fromEntries(Object.entries(o).map(([k, [available, capacity]]) => [k, { available, capacity }]));

describe("eviction flags (ParseThresholdConfig)", () => {
  test("hard, soft with grace periods, minimum reclaim", () => {
    const all = parseEvictionConfig({
      hard: "memory.available<100Mi,nodefs.available<10%",
      soft: "memory.available<300Mi,imagefs.available<20%",
      softGracePeriod: "memory.available=1m30s,imagefs.available=30s",
      minimumReclaim: "memory.available=50Mi,nodefs.available=5%",
    });
    assert.deepEqual(all, [
      { signal: "memory.available", quantity: 100 * Mi, minReclaim: { quantity: 50 * Mi } },
      { signal: "nodefs.available", percent: 10, minReclaim: { percent: 5 } },
      { signal: "memory.available", quantity: 300 * Mi, gracePeriodMs: 90_000, minReclaim: { quantity: 50 * Mi } },
      { signal: "imagefs.available", percent: 20, gracePeriodMs: 30_000 },
    ]);
  });

  test("counts for inodes and pids; 0% and 100% ignored as the kubelet does", () => {
    assert.deepEqual(parseThresholds("--eviction-hard", "nodefs.inodesFree<1k,pid.available<500,imagefs.inodesFree<0%,nodefs.available<100%"), [
      { signal: "nodefs.inodesFree", quantity: 1000 },
      { signal: "pid.available", quantity: 500 },
    ]);
  });

  test("mistakes name the flag and the part", () => {
    assert.throws(() => parseEvictionConfig({ hard: "", soft: "memory.available<1Gi" }), /grace period must be specified for the soft eviction threshold memory.available/);
    assert.throws(() => parseEvictionConfig({ hard: "cpu.available<1" }), /--eviction-hard: "cpu.available<1": unsupported eviction signal "cpu.available"/);
    assert.throws(() => parseEvictionConfig({ hard: "memory.available<0" }), /must be positive/);
    assert.throws(() => parseEvictionConfig({ hard: "memory.available<120%" }), /percentage must be between/);
    assert.throws(() => parseEvictionConfig({ hard: "memory.available=1Gi" }), /expected SIGNAL<QUANTITY/);
    assert.throws(() => parseEvictionConfig({ hard: "", softGracePeriod: "memory.available=soon" }), /--eviction-soft-grace-period: "memory.available=soon": "soon" is not a duration/);
    assert.throws(() => parseEvictionConfig({ hard: "", minimumReclaim: "nodefs.available" }), /--eviction-minimum-reclaim: "nodefs.available": expected SIGNAL=VALUE/);
    assert.throws(() => parseEvictionConfig({ hard: "memory.available<1Gi,memory.available<2Gi" }), /given twice/);
  });

  test("daemon flags carry them; only hard thresholds come off allocatable", () => {
    const cfg = parseDaemonConfig(["--eviction-hard", "memory.available<200Mi", "--eviction-soft", "nodefs.available<20%", "--eviction-soft-grace-period", "nodefs.available=1m", "--eviction-pressure-transition-period", "30s", "--eviction-max-pod-grace-period", "10"]);
    assert.deepEqual(cfg.evictionHard, [{ signal: "memory.available", quantity: 200 * Mi }]);
    assert.equal(cfg.evictionThresholds.length, 2);
    assert.equal(cfg.evictionPressureTransitionSeconds, 30);
    assert.equal(cfg.evictionMaxPodGraceSeconds, 10);
    assert.throws(() => parseDaemonConfig(["--eviction-soft", "nodefs.available<20%"]), /grace period must be specified/);
    assert.deepEqual(parseDaemonConfig([]).evictionPressureTransitionSeconds, 300);
  });
});

describe("thresholds, conditions and grace periods over time", () => {
  const hard = parseEvictionConfig({ hard: "memory.available<100Mi,nodefs.available<10%,pid.available<100", minimumReclaim: "nodefs.available=10%" });
  const calm = obs({ "memory.available": [500 * Mi, 1024 * Mi], "nodefs.available": [50, 100], "pid.available": [1000, 4000] });

  test("nothing met: no condition, nothing to reclaim", () => {
    const ev = evaluate(hard, calm, emptyEvictionState(), 0, 300_000);
    assert.deepEqual(ev.conditions, []);
    assert.equal(ev.reclaim, undefined);
  });

  test("a hard threshold acts at once; memory is reclaimed before disk", () => {
    const ev = evaluate(hard, obs({ "memory.available": [50 * Mi, 1024 * Mi], "nodefs.available": [5, 100], "pid.available": [50, 4000] }), emptyEvictionState(), 0, 300_000);
    assert.deepEqual(ev.conditions, ["MemoryPressure", "DiskPressure", "PIDPressure"]);
    assert.equal(ev.reclaim?.signal, "memory.available");
  });

  test("at 100% full (nothing available) DiskPressure holds", () => {
    const ev = evaluate(hard, obs({ "nodefs.available": [0, 100] }), emptyEvictionState(), 0, 300_000);
    assert.deepEqual(ev.conditions, ["DiskPressure"]);
    assert.equal(ev.reclaim?.signal, "nodefs.available");
  });

  test("a met threshold stays met until its minimum reclaim is free; the condition outlasts it by the transition period", () => {
    let ev = evaluate(hard, obs({ "nodefs.available": [5, 100] }), emptyEvictionState(), 0, 60_000);
    ev = evaluate(hard, obs({ "nodefs.available": [15, 100] }), ev.state, 10_000, 60_000);
    assert.equal(ev.reclaim?.signal, "nodefs.available", "15% free < 10% + 10% minimum reclaim");
    ev = evaluate(hard, obs({ "nodefs.available": [25, 100] }), ev.state, 20_000, 60_000);
    assert.equal(ev.reclaim, undefined);
    assert.deepEqual(ev.conditions, ["DiskPressure"], "still within the transition period after last seen at 10 s");
    ev = evaluate(hard, obs({ "nodefs.available": [25, 100] }), ev.state, 69_999, 60_000);
    assert.deepEqual(ev.conditions, ["DiskPressure"]);
    ev = evaluate(hard, obs({ "nodefs.available": [25, 100] }), ev.state, 70_000, 60_000);
    assert.deepEqual(ev.conditions, []);
  });

  test("a soft threshold reports the condition at once but acts only after its grace period, counted from first seen", () => {
    const soft = parseEvictionConfig({ hard: "", soft: "memory.available<300Mi", softGracePeriod: "memory.available=30s" });
    const low = obs({ "memory.available": [200 * Mi, 1024 * Mi] });
    let ev = evaluate(soft, low, emptyEvictionState(), 1000, 300_000);
    assert.deepEqual(ev.conditions, ["MemoryPressure"]);
    assert.equal(ev.reclaim, undefined);
    ev = evaluate(soft, low, ev.state, 30_999, 300_000);
    assert.equal(ev.reclaim, undefined);
    ev = evaluate(soft, low, ev.state, 31_000, 300_000);
    assert.equal(ev.reclaim?.gracePeriodMs, 30_000);
    // Recovered, then low again: the grace period starts over.
    ev = evaluate(soft, obs({ "memory.available": [400 * Mi, 1024 * Mi] }), ev.state, 32_000, 300_000);
    ev = evaluate(soft, low, ev.state, 33_000, 300_000);
    assert.equal(ev.reclaim, undefined);
  });

  test("a signal that was not observed meets nothing", () => {
    assert.deepEqual(evaluate(hard, {}, emptyEvictionState(), 0, 1).conditions, []);
  });
});

describe("ranking (rankMemoryPressure, rankDiskPressureFunc, rankPIDPressure)", () => {
  const best = pod("best", [ctr("a")]);
  const burstUnder = pod("burst-under", [ctr("a", { memory: "100Mi" })]);
  const burstOver = pod("burst-over", [ctr("a", { memory: "10Mi" })]);
  const guaranteed = pod("guaranteed", [ctr("a", { memory: "50Mi", cpu: "100m" }, { memory: "50Mi", cpu: "100m" })]);
  const use = new Map<Pod, PodUsage>([
    [best, { memoryBytes: 20 * Mi, containers: [] }],
    [burstUnder, { memoryBytes: 90 * Mi, containers: [] }],
    [burstOver, { memoryBytes: 30 * Mi, containers: [] }],
    [guaranteed, { memoryBytes: 49 * Mi, containers: [] }],
  ]);

  test("memory: over-request first, then by usage above request (QoS class plays no part)", () => {
    const ranked = rankForEviction("memory.available", [guaranteed, burstUnder, best, burstOver], (p) => use.get(p));
    // best: 20Mi over, burst-over: 20Mi over; then guaranteed 1Mi under its request before burst-under 10Mi under.
    assert.deepEqual(ranked.map((p) => p.metadata.name), ["best", "burst-over", "guaranteed", "burst-under"]);
  });

  test("priority outranks usage among pods over their requests; pods without stats go first", () => {
    const high = pod("high", [ctr("a")], { priority: 1000 });
    const low = pod("low", [ctr("a")], { priority: -5 });
    const unknown = pod("unknown", [ctr("a")], { priority: 5000 });
    const stats = (p: Pod) => (p === unknown ? undefined : { memoryBytes: p === high ? 500 * Mi : 1 * Mi, containers: [] });
    assert.deepEqual(rankForEviction("memory.available", [high, low, unknown], stats).map((p) => p.metadata.name), ["unknown", "low", "high"]);
  });

  test("disk: ephemeral-storage use above its request", () => {
    const writer = pod("writer", [ctr("a", { "ephemeral-storage": "1Gi" })]);
    const filler = pod("filler", [ctr("a", { "ephemeral-storage": "10Mi" })]);
    const quiet = pod("quiet", [ctr("a")]);
    const disk = new Map([[writer, 900 * Mi], [filler, 200 * Mi], [quiet, 1 * Mi]]);
    const stats = (p: Pod): PodUsage => ({ diskBytes: disk.get(p), inodes: 10, containers: [] });
    assert.deepEqual(rankForEviction("nodefs.available", [writer, quiet, filler], stats).map((p) => p.metadata.name), ["filler", "quiet", "writer"]);
    const inodes = (p: Pod): PodUsage => ({ inodes: p === quiet ? 5000 : 10, containers: [] });
    assert.equal(rankForEviction("nodefs.inodesFree", [writer, quiet, filler], inodes)[0], quiet);
  });

  test("pids: priority first, then the most processes", () => {
    const a = pod("a", [ctr("a")]);
    const b = pod("b", [ctr("a")]);
    const c = pod("c", [ctr("a")], { priority: 10 });
    const procs = new Map([[a, 5], [b, 50], [c, 500]]);
    assert.deepEqual(rankForEviction("pid.available", [c, a, b], (p) => ({ processes: procs.get(p), containers: [] })).map((p) => p.metadata.name), ["b", "a", "c"]);
  });

  test("static, mirror and system-critical pods are critical", () => {
    assert.equal(isCriticalPod(pod("s", [ctr("a")], {}, { "kubernetes.io/config.source": "file" })), true);
    assert.equal(isCriticalPod(pod("m", [ctr("a")], {}, { "kubernetes.io/config.mirror": "x" })), true);
    assert.equal(isCriticalPod(pod("c", [ctr("a")], { priority: 2_000_000_000 })), true);
    assert.equal(isCriticalPod(best), false);
  });
});

describe("messages, grace periods, admission, taints", () => {
  const [memHard] = parseThresholds("--eviction-hard", "memory.available<100Mi");
  const memObs = obs({ "memory.available": [60 * Mi, 1024 * Mi] });

  test("the Evicted message names the resource, the threshold, what was available and the greedy containers", () => {
    const p = pod("p", [ctr("hog"), ctr("ok", { memory: "64Mi" }), ctr("idle")]);
    const usage: PodUsage = { memoryBytes: 200 * Mi, containers: [{ name: "hog", memoryBytes: 170 * Mi }, { name: "ok", memoryBytes: 30 * Mi }] };
    assert.equal(
      evictionMessage(memHard, memObs, p, usage),
      "The node was low on resource: memory. Threshold quantity: 100Mi, available: 60Mi. Container hog was using 170Mi, request is 0, has larger consumption of memory. ",
    );
    const [diskPct] = parseThresholds("x", "nodefs.available<10%");
    const d = pod("d", [ctr("w", { "ephemeral-storage": "1Mi" })]);
    assert.equal(
      evictionMessage(diskPct, obs({ "nodefs.available": [0, 64 * Mi] }), d, { diskBytes: 50 * Mi, containers: [{ name: "w", diskBytes: 3 * Mi }] }),
      "The node was low on resource: ephemeral-storage. Threshold quantity: 6710886, available: 0. Container w was using 3Mi, request is 1Mi, has larger consumption of ephemeral-storage. ",
    );
    const [pids] = parseThresholds("x", "pid.available<100");
    assert.equal(evictionMessage(pids, obs({ "pid.available": [40, 4000] }), d, undefined), "The node was low on resource: pids. Threshold quantity: 100, available: 40. ");
  });

  test("grace: 0 for a hard threshold; a soft one gives min(max-pod-grace-period, the pod's)", () => {
    const [soft] = parseEvictionConfig({ hard: "", soft: "memory.available<1Gi", softGracePeriod: "memory.available=1m" });
    assert.equal(evictionGracePeriod(memHard, pod("p", [ctr("a")], { terminationGracePeriodSeconds: 60 }), 30), 0);
    assert.equal(evictionGracePeriod(soft, pod("p", [ctr("a")], { terminationGracePeriodSeconds: 60 }), 30), 30);
    assert.equal(evictionGracePeriod(soft, pod("p", [ctr("a")], { terminationGracePeriodSeconds: 5 }), 30), 5);
  });

  test("admission: BestEffort refused under memory pressure unless it tolerates the taint; everything under disk pressure", () => {
    const best = pod("b", [ctr("a")]);
    const burst = pod("u", [ctr("a", { memory: "10Mi" })]);
    const tolerant = pod("t", [ctr("a")], { tolerations: [{ key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" }] });
    const staticPod = pod("s", [ctr("a")], {}, { "kubernetes.io/config.source": "file" });
    assert.equal(admitUnderPressure(best, []), undefined);
    assert.deepEqual(admitUnderPressure(best, ["MemoryPressure"]), { reason: "Evicted", message: "The node had condition: [MemoryPressure]. " });
    assert.equal(admitUnderPressure(burst, ["MemoryPressure"]), undefined);
    assert.equal(admitUnderPressure(tolerant, ["MemoryPressure"]), undefined);
    assert.deepEqual(admitUnderPressure(burst, ["DiskPressure"]), { reason: "Evicted", message: "The node had condition: [DiskPressure]. " });
    assert.deepEqual(admitUnderPressure(tolerant, ["MemoryPressure", "DiskPressure"])?.message, "The node had condition: [MemoryPressure DiskPressure]. ");
    assert.deepEqual(admitUnderPressure(burst, ["PIDPressure"])?.reason, "Evicted");
    assert.equal(admitUnderPressure(staticPod, ["DiskPressure"]), undefined, "critical pods are admitted");
  });

  test("the Node carries a NoSchedule taint per condition and keeps other taints", () => {
    const prev: Node = { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { taints: [{ key: "dedicated", value: "x", effect: "NoSchedule" }, { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" }] } };
    assert.deepEqual(taintsOf(prev, ["DiskPressure"]), {
      taints: [{ key: "dedicated", value: "x", effect: "NoSchedule" }, { key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" }],
    });
    assert.deepEqual(taintsOf(undefined, []), {});
    const facts = { cpuCores: 1, memoryBytes: 2 ** 30, ephemeralBytes: 2 ** 30, swapBytes: 0, kernel: "6", osImage: "x", bootID: "b", machineID: "m", hostname: "h" };
    const node = buildNode(facts, { name: "n", hostIP: "1.1.1.1", maxPods: 10, reserved: { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0 }, evictionHard: [] }, undefined, "t", ["PIDPressure"]);
    assert.deepEqual(node.spec?.taints, [{ key: "node.kubernetes.io/pid-pressure", effect: "NoSchedule" }]);
    const pid = node.status!.conditions!.find((c) => c.type === "PIDPressure")!;
    assert.equal(pid.reason, "KubeletHasInsufficientPID");
  });
});

/** One reclaimer that records that it ran and frees nothing (the observations say what was freed). */
function reclaimersRecording(into: string[]): NodeReclaimers {
  const r = new NodeReclaimers();
  r.register("nodefs", { name: "dead containers", reclaim: async () => (into.push("dead containers"), 0) });
  return r;
}

describe("the eviction manager's round", () => {
  const thresholds = parseEvictionConfig({ hard: "memory.available<100Mi,nodefs.available<10%" });

  function manager(o: { observations: Observations[]; pods: Pod[]; usage: Map<Pod, PodUsage> }) {
    const clock = new FakeClock();
    const evicted: { name: string; grace: number; message: string }[] = [];
    const reclaimed: string[] = [];
    const seen: string[][] = [];
    let i = 0;
    const m = new EvictionManager({
      thresholds,
      transitionMs: 60_000,
      maxPodGraceSeconds: 0,
      intervalMs: 10_000,
      clock,
      observe: async () => o.observations[Math.min(i++, o.observations.length - 1)],
      podUsage: async (p) => o.usage.get(p),
      activePods: () => o.pods,
      reclaimers: reclaimersRecording(reclaimed),
      sharedImageFs: () => true,
      evict: async (p, grace, message) => void evicted.push({ name: p.metadata.name!, grace, message }),
      onConditions: (c) => seen.push(c),
    });
    return { m, clock, evicted, reclaimed, seen };
  }

  test("memory pressure: the BestEffort pod over its request goes first, one pod a round, at once (grace 0)", async () => {
    const best = pod("best", [ctr("hog")]);
    const burst = pod("burst", [ctr("a", { memory: "64Mi" })]);
    const staticPod = pod("static", [ctr("a")], {}, { "kubernetes.io/config.source": "file" });
    const low = obs({ "memory.available": [50 * Mi, 256 * Mi], "nodefs.available": [50, 100] });
    const usage = new Map([[best, { memoryBytes: 150 * Mi, containers: [{ name: "hog", memoryBytes: 150 * Mi }] }], [burst, { memoryBytes: 10 * Mi, containers: [] }], [staticPod, { memoryBytes: 900 * Mi, containers: [] }]]);
    const h = manager({ observations: [low], pods: [burst, staticPod, best], usage });
    const out = await h.m.synchronize();
    assert.deepEqual(out.map((p) => p.metadata.name), ["best"]);
    assert.deepEqual(h.evicted, [{ name: "best", grace: 0, message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container hog was using 150Mi, request is 0, has larger consumption of memory. " }]);
    assert.deepEqual(h.reclaimed, [], "no node-level reclaim for memory");
    assert.deepEqual(h.seen, [["MemoryPressure"]]);
    assert.equal(h.m.admit(pod("new", [ctr("a")]))?.message, "The node had condition: [MemoryPressure]. ");
  });

  test("disk pressure: dead containers are reclaimed first, and no pod is evicted when that was enough", async () => {
    const p = pod("p", [ctr("a")]);
    const full = obs({ "memory.available": [500 * Mi, 1024 * Mi], "nodefs.available": [0, 100] });
    const freed = obs({ "memory.available": [500 * Mi, 1024 * Mi], "nodefs.available": [40, 100] });
    const h = manager({ observations: [full, freed], pods: [p], usage: new Map() });
    assert.deepEqual(await h.m.synchronize(), []);
    assert.deepEqual(h.reclaimed, ["dead containers"]);
    assert.deepEqual(h.m.conditions(), ["DiskPressure"], "the condition holds for the transition period");
  });

  test("disk pressure that reclaim cannot fix evicts; the loop runs on its interval", async () => {
    const p = pod("p", [ctr("a")]);
    const full = obs({ "memory.available": [500 * Mi, 1024 * Mi], "nodefs.available": [0, 100] });
    const h = manager({ observations: [full], pods: [p], usage: new Map([[p, { diskBytes: 90, containers: [] }]]) });
    h.m.start();
    h.clock.advance(10_000);
    await new Promise((r) => setImmediate(r));
    h.m.stop();
    assert.deepEqual(h.evicted.map((e) => e.name), ["p"]);
    assert.match(h.evicted[0].message, /^The node was low on resource: ephemeral-storage\. Threshold quantity: 10, available: 0\. $/);
  });

  test("no thresholds: nothing is ever observed", async () => {
    const m = new EvictionManager({
      thresholds: [], transitionMs: 1, maxPodGraceSeconds: 0, intervalMs: 1, clock: new FakeClock(),
      observe: async () => assert.fail("observed"), podUsage: async () => undefined, activePods: () => [], reclaimers: new NodeReclaimers(), sharedImageFs: () => true, evict: async () => undefined,
    });
    assert.deepEqual(await m.synchronize(), []);
  });
});

describe("an evicted pod in the plan (PodIsEvicted)", () => {
  const observedPod = (state: "running" | "exited", sandbox: "ready" | "notready" | undefined): ObservedPod => ({
    sandbox: sandbox ? { state: sandbox } : undefined,
    containers: [{ id: "a-0", name: "a", attempt: 0, init: false, state, exitCode: state === "exited" ? 137 : undefined, specHash: "h", finishedAt: 1 }],
    unhealthy: new Map(),
    notStarted: new Set(),
    backoffUntil: new Map(),
    specHash: () => "h",
    now: 2,
  });
  const evicted = (policy: "Always" | "OnFailure"): Pod => ({ ...pod("e", [ctr("a")], { restartPolicy: policy }), status: { phase: "Failed", reason: "Evicted", message: "m" } });

  test("everything running stops, and nothing ever starts again, whatever the restart policy", () => {
    for (const policy of ["Always", "OnFailure"] as const) {
      const running = computePodActions(evicted(policy), observedPod("running", "ready"));
      assert.equal(running.killPod, true);
      assert.deepEqual([running.createSandbox, running.containersToStart.length, running.backingOff.length], [false, 0, 0]);
      const stopped = computePodActions(evicted(policy), observedPod("exited", "notready"));
      assert.deepEqual([stopped.killPod, stopped.createSandbox, stopped.containersToStart.length], [false, false, 0]);
    }
  });

  test("a pod failed for another pod-level reason (DeadlineExceeded) stays stopped too; a container's own failure does not count", () => {
    const deadline: Pod = { ...evicted("Always"), status: { phase: "Failed", reason: "DeadlineExceeded" } };
    const a = computePodActions(deadline, observedPod("exited", "notready"));
    assert.deepEqual([a.createSandbox, a.containersToStart.length], [false, 0], "an Always pod past its deadline is not started again");
    const crashed: Pod = { ...evicted("Always"), status: { phase: "Running" } };
    assert.equal(computePodActions(crashed, observedPod("exited", "ready")).containersToStart.length, 1, "a crashed container of a running pod restarts");
  });
});

describe("describe node shows the pressure taints", () => {
  test("one a line, as kubectl prints them; <none> without", async () => {
    const { Section } = await import("../../../src/cli/describe-section.js");
    const { describeNode } = await import("../../../src/cli/describe-kinds.js");
    const client = { request: async () => ({ items: [] }) } as unknown as Parameters<typeof describeNode>[2];
    const show = async (taints?: { key: string; value?: string; effect: string }[]) => {
      const s = new Section();
      await describeNode(s, { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: taints ? { taints } : {}, status: {} } as Node, client);
      return s.text();
    };
    assert.match(await show(), /^Taints:\s+<none>\nUnschedulable:\s+false$/m);
    const text = await show([{ key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" }, { key: "dedicated", value: "db", effect: "NoExecute" }]);
    assert.match(text, /^Taints:\s+node\.kubernetes\.io\/disk-pressure:NoSchedule\n\s+dedicated=db:NoExecute\nUnschedulable:\s+false$/m);
  });
});
