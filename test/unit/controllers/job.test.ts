/** The Job controller: its plan as a pure function, then the loop over a fake store, kubelet and clock. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Job } from "../../../src/api/batch-types.js";
import type { Event, Pod } from "../../../src/api/types.js";
import { formatIntervals, parseIntervals } from "../../../src/controllers/job/indexes.js";
import { jobController } from "../../../src/controllers/job/controller.js";
import { matchPodFailurePolicy, planJob, remainingBackoff, type JobPlan } from "../../../src/controllers/job/reconcile.js";
import { settleUncounted, withoutTrackingFinalizer } from "../../../src/controllers/job/tracking.js";
import { jobFixture } from "./job-fixture.js";
import { startControllers, type ControllerHarness } from "./workloads-harness.js";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function job(spec: Partial<Job["spec"]> = {}, status?: Job["status"]): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", namespace: "default", uid: "job-uid" },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "job-uid" } },
      template: { metadata: { labels: { "batch.kubernetes.io/controller-uid": "job-uid" } }, spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } },
      ...spec,
    },
    status,
  };
}

function pod(name: string, phase: "Running" | "Succeeded" | "Failed" | "Pending", o: { exit?: number; finished?: number; index?: number; ready?: boolean; conditions?: { type: string; status: "True" | "False" }[]; restarts?: number } = {}): Pod {
  const terminated = phase === "Succeeded" || phase === "Failed" ? { exitCode: o.exit ?? (phase === "Failed" ? 1 : 0), finishedAt: iso(o.finished ?? T0) } : undefined;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      creationTimestamp: iso(T0 - 60_000),
      finalizers: ["batch.kubernetes.io/job-tracking"],
      annotations: o.index !== undefined ? { "batch.kubernetes.io/job-completion-index": String(o.index) } : undefined,
    },
    spec: { nodeName: "node1", containers: [{ name: "main" }] },
    status: {
      phase,
      conditions: [{ type: "Ready", status: o.ready ? "True" : "False", lastTransitionTime: iso(T0) }, ...(o.conditions ?? [])],
      containerStatuses: [{ name: "main", ready: !!o.ready, restartCount: o.restarts ?? 0, image: "", imageID: "", state: terminated ? { terminated } : { running: {} }, lastState: {} }],
    },
  };
}

const types = (j: { status?: Job["status"] }) => (j.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);
/** The Job once the plan's finalizer removals are done and its uncountedTerminatedPods moved into the counters. */
const counted = (j: Job, p: JobPlan): Job => ({ ...j, status: settleUncounted(p.status, new Set()) });
/** Pods as the finalizer removals leave them. */
const released = (pods: Pod[]): Pod[] => pods.map(withoutTrackingFinalizer);

describe("Job plan", () => {
  it("starts a job: startTime, parallelism pods, active and ready counts", () => {
    const p = planJob(job({ parallelism: 2, completions: 5 }), [], T0);
    assert.equal(p.create.length, 2);
    assert.deepEqual(p.status, { startTime: iso(T0), active: 2, uncountedTerminatedPods: {}, terminating: 0, ready: 0 });
    const j = job({ parallelism: 3, completions: 4 }, { startTime: iso(T0) });
    const q = planJob(j, [pod("a", "Succeeded"), pod("b", "Succeeded"), pod("c", "Running", { ready: true })], T0);
    assert.equal(q.create.length, 1, "min(completions - succeeded, parallelism) - active");
    assert.deepEqual(q.status.uncountedTerminatedPods, { succeeded: ["uid-a", "uid-b"] }, "counted first as uncounted uids");
    assert.equal(q.status.succeeded, undefined);
    assert.equal(counted(j, q).status?.succeeded, 2);
    assert.equal(q.status.ready, 1);
  });

  it("completes: SuccessCriteriaMet then Complete with completionTime once no pod runs", () => {
    const j = job({}, { startTime: iso(T0 - 5000) });
    const first = planJob(j, [pod("a", "Succeeded")], T0);
    assert.deepEqual(types(first), ["SuccessCriteriaMet=True/CompletionsReached"], "not Complete while a success is uncounted");
    const p = planJob(counted(j, first), released([pod("a", "Succeeded")]), T0);
    assert.deepEqual(types(p), ["SuccessCriteriaMet=True/CompletionsReached", "Complete=True/CompletionsReached"]);
    assert.equal(p.status.completionTime, iso(T0));
    assert.equal(p.status.succeeded, 1);
    assert.equal(p.status.conditions?.[1].message, "Reached expected number of succeeded pods");
    assert.deepEqual(p.events.map((e) => e.reason), ["Completed"]);
    // A work queue (no completions): done once one pod succeeded and none is left running.
    const wq = job({ completions: undefined, parallelism: 2 }, { startTime: iso(T0) });
    assert.equal(planJob(wq, [pod("a", "Succeeded"), pod("b", "Running")], T0).create.length, 0, "no new pods after a success");
    const both = [pod("a", "Succeeded"), pod("b", "Succeeded")];
    assert.ok(types(planJob(counted(wq, planJob(wq, both, T0)), released(both), T0)).includes("Complete=True/CompletionsReached"));
  });

  it("fails past backoffLimit, deleting running pods first and waiting for them", () => {
    const j = job({ backoffLimit: 1, parallelism: 2, completions: 3 }, { startTime: iso(T0) });
    const pods = [pod("a", "Failed"), pod("b", "Failed"), pod("c", "Running")];
    const p = planJob(j, pods, T0);
    assert.deepEqual(types(p), ["FailureTarget=True/BackoffLimitExceeded"]);
    assert.deepEqual(p.delete.map((x) => x.metadata.name), ["c"]);
    assert.deepEqual(p.events, [{ type: "Warning", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }]);
    assert.deepEqual(p.removeFinalizers.map((x) => x.metadata.name), ["a", "b", "c"], "a failing job needs no pod kept");
    const later = planJob(counted(j, p), released([pod("a", "Failed"), pod("b", "Failed")]), T0 + 1000);
    assert.deepEqual(types(later), ["FailureTarget=True/BackoffLimitExceeded", "Failed=True/BackoffLimitExceeded"]);
    assert.equal(later.status.failed, 2);
    assert.equal(later.status.completionTime, undefined, "a failed job has no completionTime");
    // OnFailure: container restarts count against the limit.
    const onFailure = job({ backoffLimit: 2, template: { ...j.spec.template, spec: { ...j.spec.template.spec, restartPolicy: "OnFailure" } } }, { startTime: iso(T0) });
    assert.deepEqual(types(planJob(onFailure, [pod("a", "Running", { restarts: 2 })], T0)), ["FailureTarget=True/BackoffLimitExceeded"]);
  });

  it("backs off before replacing failed pods: 10 s doubling, capped at 6 minutes, over the clock", () => {
    assert.equal(remainingBackoff(0, undefined, T0), 0);
    assert.equal(remainingBackoff(1, T0, T0), 10_000);
    assert.equal(remainingBackoff(3, T0, T0 + 15_000), 25_000);
    assert.equal(remainingBackoff(10, T0, T0), 360_000);
    const j = job({}, { startTime: iso(T0) });
    const early = planJob(j, [pod("a", "Failed", { finished: T0 }), pod("b", "Failed", { finished: T0 - 1000 })], T0 + 5000);
    assert.equal(early.create.length, 0);
    assert.equal(early.requeueAfterMs, 15_000, "two failures: 20 s after the last");
    const late = planJob(j, [pod("a", "Failed", { finished: T0 }), pod("b", "Failed", { finished: T0 - 1000 })], T0 + 20_000);
    assert.equal(late.create.length, 1);
    // A success resets the count.
    const reset = planJob(job({ completions: 2 }, { startTime: iso(T0) }), [pod("a", "Failed", { finished: T0 - 5000 }), pod("b", "Succeeded", { finished: T0 - 1000 })], T0);
    assert.equal(reset.create.length, 1);
  });

  it("fails with DeadlineExceeded after activeDeadlineSeconds, and looks again at the deadline", () => {
    const j = job({ activeDeadlineSeconds: 30 }, { startTime: iso(T0) });
    const before = planJob(j, [pod("a", "Running")], T0 + 10_000);
    assert.equal(before.requeueAfterMs, 20_000);
    assert.deepEqual(types(before), []);
    const afterDeadline = planJob(j, [pod("a", "Running")], T0 + 30_000);
    assert.deepEqual(types(afterDeadline), ["FailureTarget=True/DeadlineExceeded"]);
    assert.equal(afterDeadline.status.conditions?.[0].message, "Job was active longer than specified deadline");
    assert.deepEqual(afterDeadline.delete.map((x) => x.metadata.name), ["a"]);
  });

  it("Indexed: one pod per pending index up to parallelism, completedIndexes as intervals, duplicates removed", () => {
    const j = job({ completionMode: "Indexed", completions: 6, parallelism: 3 }, { startTime: iso(T0) });
    const pods = [pod("i0", "Succeeded", { index: 0 }), pod("i2", "Succeeded", { index: 2 }), pod("i3", "Succeeded", { index: 3 }), pod("r1", "Running", { index: 1 }), pod("r1b", "Running", { index: 1 }), pod("bad", "Running", { index: 9 })];
    const p = planJob(j, pods, T0);
    assert.deepEqual(p.create, [{ index: 4 }, { index: 5 }]);
    const removed = p.delete.map((x) => x.metadata.name);
    assert.equal(removed.length, 2);
    assert.ok(removed.includes("bad"), "an index beyond completions");
    assert.equal(removed.filter((n) => n === "r1" || n === "r1b").length, 1, "one of the two pods of index 1");
    assert.equal(p.status.completedIndexes, "0,2-3");
    assert.equal(p.status.succeeded, 3);
    assert.equal(formatIntervals([7, 1, 2, 3, 5, 2]), "1-3,5,7");
    assert.deepEqual([...parseIntervals("0,2-4,9", 5)], [0, 2, 3, 4]);
    const done = planJob({ ...j, status: { ...j.status, completedIndexes: "0-4" } }, [pod("i5", "Succeeded", { index: 5 })], T0);
    assert.ok(types(done).includes("Complete=True/CompletionsReached"), "completedIndexes in status count too");
  });

  it("podFailurePolicy: FailJob on an exit code, Ignore on DisruptionTarget, Count otherwise", () => {
    const pfp = {
      rules: [
        { action: "FailJob" as const, onExitCodes: { containerName: "main", operator: "In" as const, values: [42] } },
        { action: "Ignore" as const, onPodConditions: [{ type: "DisruptionTarget" }] },
      ],
    };
    const j = job({ podFailurePolicy: pfp, backoffLimit: 0 }, { startTime: iso(T0) });
    assert.deepEqual(matchPodFailurePolicy(j, pod("x", "Failed", { exit: 42 })), { action: "FailJob", message: "Container main for pod default/x failed with exit code 42 matching FailJob rule at index 0" });
    assert.equal(matchPodFailurePolicy(j, pod("y", "Failed", { exit: 1, conditions: [{ type: "DisruptionTarget", status: "True" }] })).action, "Ignore");
    assert.equal(matchPodFailurePolicy(j, pod("z", "Failed", { exit: 3 })).action, "Count");
    const failing = planJob(j, [pod("x", "Failed", { exit: 42 })], T0);
    const failJob = planJob(counted(j, failing), released([pod("x", "Failed", { exit: 42 })]), T0);
    assert.deepEqual(types(failJob), ["FailureTarget=True/PodFailurePolicy", "Failed=True/PodFailurePolicy"]);
    const ignored = planJob(j, [pod("y", "Failed", { exit: 1, conditions: [{ type: "DisruptionTarget", status: "True" }] })], T0);
    assert.deepEqual(types(ignored), [], "an ignored failure is not counted against backoffLimit 0");
    assert.equal(ignored.status.failed, undefined);
    assert.equal(ignored.create.length, 1, "and is replaced at once");
    const z = planJob(j, [pod("z", "Failed", { exit: 3 })], T0);
    assert.deepEqual(types(z), ["FailureTarget=True/BackoffLimitExceeded"]);
    assert.deepEqual(types(planJob(counted(j, z), released([pod("z", "Failed", { exit: 3 })]), T0)), ["FailureTarget=True/BackoffLimitExceeded", "Failed=True/BackoffLimitExceeded"]);
  });

  it("suspend deletes running pods and sets Suspended; resume resets startTime", () => {
    const j = job({ suspend: true, activeDeadlineSeconds: 10 }, { startTime: iso(T0 - 60_000) });
    const p = planJob(j, [pod("a", "Running")], T0);
    assert.deepEqual(types(p), ["Suspended=True/JobSuspended"]);
    assert.deepEqual(p.delete.map((x) => x.metadata.name), ["a"]);
    assert.deepEqual(p.events.map((e) => e.reason), ["Suspended"]);
    const resumed = planJob({ ...j, spec: { ...j.spec, suspend: false }, status: p.status }, [], T0 + 5000);
    assert.deepEqual(types(resumed), ["Suspended=False/JobResumed"]);
    assert.equal(resumed.status.startTime, iso(T0 + 5000));
    assert.equal(resumed.create.length, 1);
    assert.equal(resumed.requeueAfterMs, 10_000, "the deadline counts from the resume");
  });

  it("ttlSecondsAfterFinished: waits, then asks for the job's deletion", () => {
    const done = job({ ttlSecondsAfterFinished: 100 }, { completionTime: iso(T0), conditions: [{ type: "Complete", status: "True", lastTransitionTime: iso(T0) }] });
    assert.equal(planJob(done, [], T0 + 40_000).requeueAfterMs, 60_000);
    assert.equal(planJob(done, [], T0 + 100_000).deleteJob, true);
    assert.equal(planJob(job({}, done.status), [], T0 + 10 ** 9).deleteJob, undefined, "no TTL: kept");
  });
});

describe("Job controller loop", () => {
  const h: ControllerHarness = startControllers([jobController]);
  after(() => h.close());

  const { get, podsOf, finish, make } = jobFixture(h);

  it("runs pods with the generated labels to completion, with events", async () => {
    const created = make("pi", { completions: 2, parallelism: 1 });
    await h.settle();
    const uid = created.metadata.uid!;
    assert.deepEqual(created.spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    let pods = podsOf("pi");
    assert.equal(pods.length, 1);
    assert.equal(pods[0].metadata.labels?.["batch.kubernetes.io/job-name"], "pi");
    assert.equal(pods[0].metadata.labels?.["controller-uid"], uid);
    assert.match(pods[0].metadata.name!, /^pi-[a-z0-9]{5}$/);
    finish(pods[0], "Succeeded", 0);
    await h.settle();
    pods = podsOf("pi").filter((p) => p.status?.phase !== "Succeeded");
    assert.equal(pods.length, 1, "the second completion");
    finish(pods[0], "Succeeded", 0);
    await h.settle();
    const j = get("pi")!;
    assert.deepEqual(types(j), ["SuccessCriteriaMet=True/CompletionsReached", "Complete=True/CompletionsReached"]);
    assert.equal(j.status?.succeeded, 2);
    const reasons = h.store.list<Event>("Event", { namespace: "default" }).items.filter((e) => e.involvedObject.name === "pi").map((e) => e.reason);
    assert.deepEqual([...new Set(reasons)].sort(), ["Completed", "SuccessfulCreate"]);
  });

  it("replaces a failed pod only after the back-off on the clock, then fails at backoffLimit", async () => {
    make("flaky", { backoffLimit: 1 });
    await h.settle();
    finish(podsOf("flaky")[0], "Failed", 1);
    await h.settle();
    assert.equal(podsOf("flaky").length, 1, "no replacement during the back-off");
    h.clock.advance(9_999);
    await h.settle();
    assert.equal(podsOf("flaky").length, 1);
    h.clock.advance(1);
    await h.settle();
    const second = podsOf("flaky").find((p) => p.status?.phase !== "Failed");
    assert.ok(second, "replaced 10 s after the failure");
    finish(second, "Failed", 1);
    await h.settle();
    assert.deepEqual(types(get("flaky")!), ["FailureTarget=True/BackoffLimitExceeded", "Failed=True/BackoffLimitExceeded"]);
    assert.equal(get("flaky")!.status?.failed, 2);
  });

  it("Indexed: pods named NAME-INDEX-xxxxx with hostname, annotation, label and JOB_COMPLETION_INDEX", async () => {
    make("idx", { completionMode: "Indexed", completions: 3, parallelism: 3 });
    await h.settle();
    const pods = podsOf("idx").sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    assert.deepEqual(pods.map((p) => p.spec.hostname), ["idx-0", "idx-1", "idx-2"]);
    for (const [i, p] of pods.entries()) {
      assert.match(p.metadata.name!, new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
      assert.equal(p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"], String(i));
      assert.equal(p.metadata.labels?.["batch.kubernetes.io/job-completion-index"], String(i));
      assert.deepEqual(p.spec.containers[0].env, [{ name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    }
    finish(pods[0], "Succeeded", 0);
    finish(pods[2], "Succeeded", 0);
    await h.settle();
    assert.equal(get("idx")!.status?.completedIndexes, "0,2");
  });

  it("deletes a finished job after ttlSecondsAfterFinished", async () => {
    make("short", { ttlSecondsAfterFinished: 60 });
    await h.settle();
    finish(podsOf("short")[0], "Succeeded", 0);
    await h.settle();
    assert.ok(get("short"), "kept until the TTL");
    h.clock.advance(60_000);
    await h.settle();
    const j = get("short");
    assert.ok(!j || j.metadata.deletionTimestamp, "deleted (foreground)");
  });
});
