/** Node-level pure logic: admission, reserved/eviction settings, pressure, allocatable, GC selection, event TTL. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Container, Pod } from "../../../src/api/types.js";
import { checkFit, podRequests } from "../../../src/kubelet/node-admission.js";
import { parseEvictionHard, parseReserved, type Observations } from "../../../src/kubelet/node-pressure.js";
import { emptyEvictionState, evaluate } from "../../../src/kubelet/eviction.js";
import { allocatable, buildNode, type NodeFacts } from "../../../src/kubelet/node-status.js";
import { collectableContainers } from "../../../src/kubelet/container-gc.js";
import type { ContainerRecord } from "../../../src/runtime/pod-runtime.js";
import { parseDaemonConfig } from "../../../src/cmd/daemon-config.js";

const c = (name: string, cpu?: string, memory?: string, extra: Partial<Container> = {}): Container => ({
  name,
  image: "busybox",
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
  ...extra,
});
const pod = (containers: Container[], inits: Container[] = []): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", uid: Math.random().toString() }, spec: { containers, initContainers: inits } });

describe("admission", () => {
  test("requests: app containers plus sidecars, or the biggest init container if more", () => {
    assert.deepEqual(podRequests(pod([c("a", "100m", "64Mi"), c("b", "200m")])), { cpuMilli: 300, memoryBytes: 64 * 2 ** 20 });
    assert.deepEqual(podRequests(pod([c("a", "100m")], [c("init", "2")])), { cpuMilli: 2000, memoryBytes: 0 });
    const side = c("side", "500m", undefined, { restartPolicy: "Always" });
    assert.deepEqual(podRequests(pod([c("a", "100m")], [side, c("init", "1")])), { cpuMilli: 1500, memoryBytes: 0 });
    assert.deepEqual(podRequests(pod([c("a", "100m")], [side])), { cpuMilli: 600, memoryBytes: 0 });
  });

  test("a pod that does not fit is refused with the kubelet's reason and message", () => {
    const alloc = { cpuMilli: 2000, memoryBytes: 2 ** 30, pods: 3 };
    assert.equal(checkFit(pod([c("a", "1")]), [pod([c("b", "500m")])], alloc), undefined);
    assert.deepEqual(checkFit(pod([c("a", "1600m")]), [pod([c("b", "500m")])], alloc), {
      reason: "OutOfcpu",
      message: "Node didn't have enough resource: cpu, requested: 1600, used: 500, capacity: 2000",
    });
    assert.equal(checkFit(pod([c("a", undefined, "2Gi")]), [], alloc)?.reason, "OutOfmemory");
    assert.equal(checkFit(pod([c("a")]), [pod([c("x")]), pod([c("y")]), pod([c("z")])], alloc)?.reason, "OutOfpods");
    assert.equal(checkFit(pod([c("a")]), [pod([c("x", "2")])], alloc), undefined, "a pod without requests always fits");
  });
});

describe("node settings and status", () => {
  test("--system-reserved / --eviction-hard parse, and name the flag when wrong", () => {
    assert.deepEqual(parseReserved("--system-reserved", "cpu=500m,memory=1Gi"), { cpuMilli: 500, memoryBytes: 2 ** 30, ephemeralBytes: 0 });
    assert.throws(() => parseReserved("--kube-reserved", "gpu=1"), /--kube-reserved: "gpu=1": unknown resource "gpu"/);
    assert.deepEqual(parseEvictionHard("--eviction-hard", "memory.available<100Mi,nodefs.available<10%"), [
      { signal: "memory.available", quantity: 100 * 2 ** 20 },
      { signal: "nodefs.available", percent: 10 },
    ]);
    assert.throws(() => parseEvictionHard("--eviction-hard", "cpu.available<1"), /--eviction-hard: "cpu.available<1"/);
  });

  test("daemon flags: defaults and the new kubelet settings", () => {
    const d = parseDaemonConfig([]);
    assert.equal(d.manifests, "/etc/nodelet/manifests");
    assert.equal(d.eventTtlSeconds, 3600);
    assert.equal(d.failSwapOn, false);
    const cfg = parseDaemonConfig(["--system-reserved", "cpu=100m", "--kube-reserved", "cpu=100m,memory=100Mi", "--event-ttl", "1h30m", "--resync", "2"]);
    assert.deepEqual(cfg.reserved, { cpuMilli: 200, memoryBytes: 100 * 2 ** 20, ephemeralBytes: 0 });
    assert.equal(cfg.eventTtlSeconds, 5400);
    assert.equal(cfg.resyncSeconds, 2);
    assert.throws(() => parseDaemonConfig(["--event-ttl", "soon"]), /--event-ttl: "soon" is not a duration/);
    assert.equal(d.maxWatchesPerClient, 100);
    assert.equal(parseDaemonConfig(["--max-watches-per-client", "150"]).maxWatchesPerClient, 150);
    assert.throws(() => parseDaemonConfig(["--max-watches-per-client", "0"]), /--max-watches-per-client/);
  });

  const facts: NodeFacts = { cpuCores: 2, memoryBytes: 4 * 2 ** 30, ephemeralBytes: 100 * 2 ** 30, swapBytes: 2 ** 30, kernel: "6", osImage: "Debian", bootID: "b", machineID: "m", hostname: "h" };
  const settings = {
    name: "n", hostIP: "10.0.0.1", maxPods: 110,
    reserved: { cpuMilli: 250, memoryBytes: 2 ** 30, ephemeralBytes: 0 },
    evictionHard: parseEvictionHard("x", "memory.available<100Mi,nodefs.available<10%"),
  };

  test("allocatable is capacity minus reserved minus the hard eviction threshold", () => {
    assert.deepEqual(allocatable(facts, settings), { cpuMilli: 1750, memoryBytes: 3 * 2 ** 30 - 100 * 2 ** 20, ephemeralBytes: 90 * 2 ** 30, pods: 110 });
    const node = buildNode(facts, settings, undefined, "2026-01-01T00:00:00Z");
    assert.deepEqual(node.status!.capacity, { cpu: "2", memory: "4194304Ki", "ephemeral-storage": "104857600Ki", pods: "110" });
    assert.equal(node.status!.allocatable!.cpu, "1750m");
    assert.equal(node.status!.nodeInfo!.swap!.capacity, 2 ** 30);
    assert.match(node.status!.conditions!.find((x) => x.type === "Ready")!.message!, /swap is on/);
  });

  test("pressure conditions follow the thresholds", () => {
    const obs: Observations = {
      "memory.available": { available: 50 * 2 ** 20, capacity: 2 ** 32 },
      "nodefs.available": { available: 50, capacity: 100 },
      "nodefs.inodesFree": { available: 10, capacity: 100 },
      "pid.available": { available: 10, capacity: 100 },
    };
    const p = evaluate(parseEvictionHard("x", "memory.available<100Mi,nodefs.available<10%,pid.available<20%"), obs, emptyEvictionState(), 0, 300_000).conditions;
    assert.deepEqual(p, ["MemoryPressure", "PIDPressure"]);
    const node = buildNode(facts, settings, undefined, "2026-01-01T00:00:00Z", p);
    const cond = (t: string) => node.status!.conditions!.find((x) => x.type === t)!;
    assert.equal(cond("MemoryPressure").status, "True");
    assert.equal(cond("MemoryPressure").reason, "KubeletHasInsufficientMemory");
    assert.equal(cond("DiskPressure").status, "False");
    assert.equal(cond("PIDPressure").status, "True");
  });
});

describe("housekeeping", () => {
  const rec = (name: string, attempt: number, state: ContainerRecord["state"], init = false) => ({ id: `${name}${attempt}`, name, attempt, state, init }) as ContainerRecord;

  test("GC keeps the current and previous instance of each container, never a running one", () => {
    const records = [rec("a", 0, "exited"), rec("a", 1, "exited"), rec("a", 2, "exited"), rec("a", 3, "running"), rec("b", 0, "exited"), rec("i", 0, "exited", true), rec("i", 1, "exited", true)];
    assert.deepEqual(collectableContainers(records).sort(), ["a0", "a1"]);
    assert.deepEqual(collectableContainers([rec("a", 0, "running"), rec("a", 1, "running"), rec("a", 2, "exited")], 1), []);
  });
});
