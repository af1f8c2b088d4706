/**
 * ReadWriteOncePod through the daemon's own kubelet wiring (startNodeAgent, not the test harness's copy of it): the
 * waiting pod gets FailedScheduling and no Scheduled event (the Scheduled event is held until it is admitted), and
 * when the pod holding the claim goes the waiting one is retried at once — the resync period here is an hour, so
 * only the retry on a pod's removal can start it. Over the fake runtime and clock.
 */
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admitCreate } from "../../../src/api/admission.js";
import type { Event, PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { startNodeAgent, type NodeAgent } from "../../../src/kubelet/node-agent.js";
import { NodeReclaimers } from "../../../src/kubelet/node-reclaim.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { HostRunner } from "../../../src/sys/runner.js";
import { FakeRuntime } from "../../helpers/fake-runtime.js";

const NODE = "node1";
const HOUR = 3_600_000;
const MESSAGE =
  "0/1 nodes are available: 1 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";

let clock: FakeClock;
let store: Store;
let agent: NodeAgent;
let dir: string;

beforeEach(async () => {
  clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
  store = openStore(":memory:", { now: () => new Date(clock.now()) });
  store.create({ apiVersion: "v1", kind: "Node", metadata: { name: NODE } });
  dir = mkdtempSync(join(tmpdir(), "nodelet-rwop-agent-"));
  agent = await startNodeAgent({
    nodeName: NODE,
    store,
    runtime: new FakeRuntime(clock),
    runner: new HostRunner(),
    clock,
    heartbeat: { allocatable: () => ({ cpuMilli: 4000, memoryBytes: 8 * 2 ** 30, pods: 110 }) },
    hostIP: () => "10.0.0.1",
    stateDir: dir,
    manifests: join(dir, "manifests"),
    resyncMs: HOUR,
    log: () => undefined,
    eviction: {
      thresholds: [],
      transitionMs: 0,
      maxPodGraceSeconds: 0,
      intervalMs: HOUR,
      observe: () => Promise.resolve({}),
      podUsage: () => Promise.resolve(undefined),
      reclaimers: new NodeReclaimers(),
      sharedImageFs: () => true,
    },
    images: { present: () => Promise.resolve({ id: "x", size: 1, local: true }), pull: (ref) => Promise.reject(new Error(`manifest unknown: ${ref}`)) },
  });
});

afterEach(async () => {
  await agent.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Lets the workers' async steps run without moving time. */
async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

async function advance(ms: number, step = 500): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await settle();
  }
}

const get = (name: string) => store.get<Pod>("Pod", "default", name);
const events = (name: string, reason: string) => store.list<Event>("Event").items.filter((e) => e.involvedObject.name === name && e.reason === reason);
const scheduled = (name: string) => get(name)?.status?.conditions?.find((c) => c.type === "PodScheduled");

function podOn(name: string, claimName: string): Pod {
  return store.create(
    admitCreate(
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{ name: "a", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/data" }] }],
          volumes: [{ name: "data", persistentVolumeClaim: { claimName } }],
        },
      },
      { nodeName: NODE },
    ),
  );
}

test("the daemon's kubelet holds Scheduled for a pod waiting on a ReadWriteOncePod claim and retries it when the holder goes", async () => {
  store.create<PersistentVolumeClaim>({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "solo", namespace: "default" },
    spec: { accessModes: ["ReadWriteOncePod"], resources: { requests: { storage: "1Mi" } } },
  });
  podOn("first", "solo");
  await settle();
  assert.equal(get("first")?.status?.phase, "Running");
  assert.equal(events("first", "Scheduled").length, 1);

  podOn("second", "solo");
  await settle();
  assert.equal(get("second")?.status?.phase, "Pending");
  assert.deepEqual([scheduled("second")?.status, scheduled("second")?.reason, scheduled("second")?.message], ["False", "Unschedulable", MESSAGE]);
  const failed = events("second", "FailedScheduling");
  assert.deepEqual(failed.map((e) => [e.type, e.message, e.source?.component]), [["Warning", MESSAGE, "default-scheduler"]]);
  assert.equal(events("second", "Scheduled").length, 0, "no Scheduled event while the scheduler would not have placed it");

  // The first goes through its grace period (5 s) and the kubelet's final delete; nothing resyncs within the hour.
  const first = get("first")!;
  store.update({ ...first, metadata: { ...first.metadata, deletionTimestamp: new Date(clock.now() + 5000).toISOString(), deletionGracePeriodSeconds: 5 } });
  await advance(2000);
  assert.equal(get("second")?.status?.phase, "Pending", "not while the first is terminating");
  await advance(6000);
  assert.equal(get("first"), undefined, "the first pod is gone");
  assert.equal(get("second")?.status?.phase, "Running", "retried when the first went, not at a resync");
  assert.equal(scheduled("second")?.status, "True");
  const ok = events("second", "Scheduled");
  assert.deepEqual(ok.map((e) => [e.type, e.message, e.source?.component]), [["Normal", "Successfully assigned default/second to node1", "default-scheduler"]]);
  assert.equal(events("second", "FailedScheduling").length, 1, "one FailedScheduling for the wait");
});
