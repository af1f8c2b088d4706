/**
 * Job tracking with the batch.kubernetes.io/job-tracking finalizer: the pure steps (which pods are counted, which
 * lose the finalizer, how uncountedTerminatedPods moves into the counters), then the loop over a fake store, kubelet
 * and clock, including a daemon restart between each two of the three writes.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Job } from "../../../src/api/batch-types.js";
import type { ObjectApi } from "../../../src/api/object-api.js";
import type { KubeObject, Pod } from "../../../src/api/types.js";
import { ControllerManager } from "../../../src/controllers/foundation/controller.js";
import { jobController } from "../../../src/controllers/job/controller.js";
import { planJob } from "../../../src/controllers/job/reconcile.js";
import { MAX_UNCOUNTED_PODS, settleUncounted } from "../../../src/controllers/job/tracking.js";
import { jobFixture } from "./job-fixture.js";
import { startControllers } from "./workloads-harness.js";

const FINALIZER = "batch.kubernetes.io/job-tracking";
const T0 = Date.parse("2026-12-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function job(spec: Partial<Job["spec"]> = {}, status: Job["status"] = { startTime: iso(T0) }): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "t", namespace: "default", uid: "job-uid" },
    spec: { parallelism: 1, completions: 3, backoffLimit: 6, completionMode: "NonIndexed", template: { spec: { restartPolicy: "Never", containers: [{ name: "main" }] } }, ...spec },
    status,
  };
}

function pod(name: string, phase: "Running" | "Succeeded" | "Failed", o: { finalizer?: boolean; deleted?: boolean } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      creationTimestamp: iso(T0 - 60_000),
      finalizers: o.finalizer === false ? undefined : [FINALIZER],
      deletionTimestamp: o.deleted ? iso(T0) : undefined,
    },
    spec: { nodeName: "node1", containers: [{ name: "main" }] },
    status: { phase },
  };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name).sort();

describe("Job tracking plan", () => {
  it("records ended pods with the finalizer as uncounted uids, and lets their finalizers go", () => {
    const p = planJob(job(), [pod("s", "Succeeded"), pod("f", "Failed"), pod("r", "Running")], T0);
    assert.deepEqual(p.status.uncountedTerminatedPods, { succeeded: ["uid-s"], failed: ["uid-f"] });
    assert.equal(p.status.succeeded, undefined, "the counters wait for the finalizers");
    assert.deepEqual(names(p.removeFinalizers), ["f", "s"], "a running pod keeps it");
  });

  it("never counts a pod twice: not when its uid waits in uncountedTerminatedPods, not once it lost the finalizer", () => {
    const status = { startTime: iso(T0), succeeded: 1, uncountedTerminatedPods: { succeeded: ["uid-s"] } };
    const p = planJob(job({}, status), [pod("s", "Succeeded"), pod("old", "Succeeded", { finalizer: false })], T0);
    assert.deepEqual(p.status.uncountedTerminatedPods, { succeeded: ["uid-s"] });
    assert.equal(p.create.length, 1, "1 counted + 1 uncounted of 3 completions: one more pod");
    assert.deepEqual(names(p.removeFinalizers), ["s"], "restart after step 1: the finalizer still goes");
    assert.deepEqual(settleUncounted(p.status, new Set()), { ...p.status, succeeded: 2, uncountedTerminatedPods: {} });
    assert.equal(settleUncounted(p.status, new Set(["uid-s"])), p.status, "still held: nothing moves");
  });

  it("counts a pod deleted before it ended as failed (unless podReplacementPolicy is Failed)", () => {
    const deleted = pod("d", "Running", { deleted: true });
    const p = planJob(job(), [deleted], T0);
    assert.deepEqual(p.status.uncountedTerminatedPods, { failed: ["uid-d"] });
    assert.equal(p.status.terminating, 1);
    assert.deepEqual(names(p.removeFinalizers), ["d"]);
    const onlyFailed = planJob(job({ podReplacementPolicy: "Failed" }), [deleted], T0);
    assert.deepEqual(onlyFailed.status.uncountedTerminatedPods, {});
    assert.deepEqual(onlyFailed.removeFinalizers, [], "kept until it reaches Failed");
  });

  it("a finished or deleted Job lets every finalizer go", () => {
    const done = job({}, { conditions: [{ type: "Complete", status: "True" }] });
    assert.deepEqual(names(planJob(done, [pod("a", "Running"), pod("b", "Succeeded")], T0).removeFinalizers), ["a", "b"]);
    const deleting = { ...job(), metadata: { ...job().metadata, deletionTimestamp: iso(T0) } };
    assert.deepEqual(names(planJob(deleting, [pod("a", "Running")], T0, false).removeFinalizers), ["a"]);
  });

  it("takes at most MAX_UNCOUNTED_PODS uids and comes back at once for the rest", () => {
    const many = Array.from({ length: MAX_UNCOUNTED_PODS + 3 }, (_, i) => pod(`p${i}`, "Succeeded"));
    const p = planJob(job({ completions: 1000, parallelism: 1 }), many, T0);
    assert.equal(p.status.uncountedTerminatedPods?.succeeded?.length, MAX_UNCOUNTED_PODS);
    assert.equal(p.removeFinalizers.length, MAX_UNCOUNTED_PODS, "the others keep their finalizer until counted");
    assert.equal(p.requeueAfterMs, 0);
  });
});

describe("Job tracking loop", () => {
  const h = startControllers([]);
  after(() => h.close());
  let manager: ControllerManager | undefined;
  /** Steps the (restartable) job controller fails at, to stop the "daemon" between two writes. */
  const crash = { podUpdates: false, statusAfterPodUpdate: false, podUpdated: false };
  const crashing: ObjectApi = {
    ...h.api,
    get: (k, ns, n) => h.api.get(k, ns, n),
    list: (k, o) => h.api.list(k, o),
    watch: (k, o, fn) => h.api.watch(k, o, fn),
    create: (o) => h.api.create(o),
    delete: (k, ns, n, o) => h.api.delete(k, ns, n, o),
    update<T extends KubeObject>(o: T): T {
      if (o.kind === "Pod" && crash.podUpdates) throw new Error("daemon stopped");
      const out = h.api.update(o);
      if (o.kind === "Pod") crash.podUpdated = true;
      return out;
    },
    updateStatus<T extends KubeObject>(o: T): T {
      if (o.kind === "Job" && crash.statusAfterPodUpdate && crash.podUpdated) throw new Error("daemon stopped");
      return h.api.updateStatus(o);
    },
  };
  const startDaemon = () => {
    manager = new ControllerManager({ api: crashing, clock: h.clock, nodeName: "node1" });
    manager.start([jobController]);
  };
  const stopDaemon = async () => {
    await manager?.stop();
    manager = undefined;
  };
  after(() => stopDaemon());

  const jobs = jobFixture(h);
  const { podsOf, finish, make } = jobs;
  const get = (name: string) => jobs.get(name)!;
  const uncounted = (name: string) => get(name).status?.uncountedTerminatedPods;
  const conditions = (name: string) => (get(name).status?.conditions ?? []).map((c) => c.type);

  it("puts the finalizer on its pods, counts an ended pod and lets it go; the Job completes", async () => {
    startDaemon();
    make("plain", { completions: 1 });
    await h.settle();
    const [p] = podsOf("plain");
    assert.deepEqual(p.metadata.finalizers, [FINALIZER]);
    finish(p, "Succeeded");
    await h.settle();
    const j = get("plain");
    assert.equal(j.status?.succeeded, 1);
    assert.deepEqual(j.status?.uncountedTerminatedPods, {});
    assert.ok(conditions("plain").includes("Complete"));
    assert.equal(podsOf("plain")[0].metadata.finalizers, undefined, "the finished pod stays, without the finalizer");
    // kubectl delete pod of a finished Job's pod: gone at once.
    h.api.delete("Pod", "default", p.metadata.name!);
    await h.settle();
    assert.equal(podsOf("plain").length, 0);
    await stopDaemon();
  });

  it("a running pod deleted by a user is held until counted as failed, then goes and is replaced", async () => {
    startDaemon();
    make("deleted", { completions: 1, backoffLimit: 3 });
    await h.settle();
    const [p] = podsOf("deleted");
    h.api.delete("Pod", "default", p.metadata.name!);
    await h.settle();
    assert.equal(get("deleted").status?.failed, 1);
    assert.ok(!podsOf("deleted").some((x) => x.metadata.uid === p.metadata.uid), "gone once counted");
    h.clock.advance(10_000);
    await h.settle();
    assert.equal(podsOf("deleted").length, 1, "replaced after the back-off");
    await stopDaemon();
  });

  it("survives a restart after the uids were recorded, before the finalizers went (and a delete meanwhile)", async () => {
    startDaemon();
    make("r1", { completions: 2, parallelism: 2 });
    await h.settle();
    crash.podUpdates = true;
    for (const p of podsOf("r1")) finish(p, "Succeeded");
    await h.settle();
    await stopDaemon();
    crash.podUpdates = false;
    assert.equal(uncounted("r1")?.succeeded?.length, 2, "step 1 done");
    assert.ok(podsOf("r1").every((p) => p.metadata.finalizers?.includes(FINALIZER)), "step 2 not done");
    // While no controller runs, one of them is deleted: the finalizer keeps it.
    const victim = podsOf("r1")[0];
    h.api.delete("Pod", "default", victim.metadata.name!);
    await h.settle();
    assert.ok(h.store.get<Pod>("Pod", "default", victim.metadata.name!)?.metadata.deletionTimestamp);
    startDaemon();
    await h.settle();
    const j = get("r1");
    assert.equal(j.status?.succeeded, 2, "each counted once");
    assert.deepEqual(j.status?.uncountedTerminatedPods, {});
    assert.ok(conditions("r1").includes("Complete"));
    assert.equal(h.store.get<Pod>("Pod", "default", victim.metadata.name!), undefined, "the deleted one went once its finalizer did");
    await stopDaemon();
  });

  it("survives a restart after the finalizers went, before the counters moved", async () => {
    startDaemon();
    make("r2", { completions: 1, backoffLimit: 0 });
    await h.settle();
    crash.podUpdated = false;
    crash.statusAfterPodUpdate = true;
    finish(podsOf("r2")[0], "Failed");
    await h.settle();
    await stopDaemon();
    crash.statusAfterPodUpdate = false;
    assert.deepEqual(uncounted("r2"), { failed: [podsOf("r2")[0].metadata.uid] }, "steps 1 and 2 done, 3 not");
    assert.equal(podsOf("r2")[0].metadata.finalizers, undefined);
    assert.equal(get("r2").status?.failed, undefined);
    // The pod is deleted meanwhile (no finalizer holds it now): its uid still counts.
    h.api.delete("Pod", "default", podsOf("r2")[0].metadata.name!);
    await h.settle();
    assert.equal(podsOf("r2").length, 0);
    startDaemon();
    await h.settle();
    assert.equal(get("r2").status?.failed, 1);
    assert.deepEqual(get("r2").status?.uncountedTerminatedPods, {});
    assert.ok(conditions("r2").includes("Failed"), "backoffLimit 0: failed");
    await stopDaemon();
  });

  it("a pod that ended and was deleted while no controller ran is still counted", async () => {
    startDaemon();
    make("r0", { completions: 1 });
    await h.settle();
    await stopDaemon();
    const [p] = podsOf("r0");
    finish(p, "Succeeded");
    h.api.delete("Pod", "default", p.metadata.name!);
    await h.settle();
    assert.ok(h.store.get<Pod>("Pod", "default", p.metadata.name!)?.metadata.deletionTimestamp, "held by the finalizer");
    startDaemon();
    await h.settle();
    assert.equal(get("r0").status?.succeeded, 1);
    assert.equal(h.store.get<Pod>("Pod", "default", p.metadata.name!), undefined);
    await stopDaemon();
  });

  it("orphans lose the finalizer: a pod released by its Job, the pods of a deleted Job", async () => {
    startDaemon();
    make("orph", { completions: 3, parallelism: 3 });
    await h.settle();
    const [a, b] = podsOf("orph");
    // Relabelled out of the selector: released, then no Job counts it.
    h.api.update<Pod>({ ...a, metadata: { ...a.metadata, labels: { other: "x" } } });
    await h.settle();
    const released = h.store.get<Pod>("Pod", "default", a.metadata.name!)!;
    assert.equal(released.metadata.ownerReferences, undefined);
    assert.equal(released.metadata.finalizers, undefined);
    // The Job deleted (its pods left for the garbage collector): their finalizers go, running or not.
    const uid = get("orph").metadata.uid;
    h.api.delete("Job", "default", "orph");
    await h.settle();
    assert.equal(h.store.get<Pod>("Pod", "default", b.metadata.name!)?.metadata.finalizers, undefined);
    const left = h.store.list<Pod>("Pod", { namespace: "default" }).items.filter((p) => p.metadata.ownerReferences?.[0]?.uid === uid);
    assert.equal(left.length, 3, "two of the first pods and the one that replaced the released pod");
    assert.ok(left.every((p) => !p.metadata.finalizers), "none keeps the finalizer");
    await stopDaemon();
  });
});
