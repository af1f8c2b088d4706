/** The CronJob controller: its decisions as pure functions, then the loop over a fake store, kubelet and clock. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { CronJob, Job } from "../../../src/api/batch-types.js";
import { parseCron } from "../../../src/api/cron.js";
import type { Event, Pod } from "../../../src/api/types.js";
import { cronJobController } from "../../../src/controllers/cronjob/controller.js";
import { decideSchedule, historyToDelete, jobFromTemplate, mostRecentScheduleTime, reconcileActive } from "../../../src/controllers/cronjob/reconcile.js";
import { garbageCollector } from "../../../src/controllers/gc/controller.js";
import { jobController } from "../../../src/controllers/job/controller.js";
import { startControllers } from "./workloads-harness.js";
import { rfc3339 } from "../../../src/api/time.js";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const iso = rfc3339;
const MIN = 60_000;

function cj(spec: Partial<CronJob["spec"]> = {}, status: CronJob["status"] = {}, created = T0): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "hello", namespace: "default", uid: "cj-uid", creationTimestamp: iso(created) },
    spec: {
      schedule: "*/1 * * * *",
      concurrencyPolicy: "Allow",
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "hello", image: "busybox" }] } } } },
      ...spec,
    },
    status,
  };
}

function job(name: string, o: { done?: "Complete" | "Failed"; start?: number; completion?: number } = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default", uid: `uid-${name}`, ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: "hello", uid: "cj-uid", controller: true }] },
    spec: { template: { spec: { containers: [] } } },
    status: {
      startTime: o.start !== undefined ? iso(o.start) : undefined,
      completionTime: o.completion !== undefined ? iso(o.completion) : undefined,
      conditions: o.done ? [{ type: o.done, status: "True" }] : undefined,
    },
  };
}

describe("CronJob decisions", () => {
  it("starts the most recent unmet time, names the Job NAME-<minutes since the epoch>, looks again after the next", () => {
    const d = decideSchedule(cj(), T0 + 90_000);
    assert.equal(d.kind, "start");
    assert.equal(d.kind === "start" && d.scheduled, T0 + MIN);
    assert.equal(d.requeueAfterMs, 30_100, "next start (T0+2m) + 100 ms");
    const j = jobFromTemplate(cj(), T0 + MIN);
    assert.equal(j.metadata.name, `hello-${(T0 + MIN) / MIN}`);
    assert.equal(j.metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"], "2026-12-01T00:01:00Z");
    assert.deepEqual(j.metadata.ownerReferences, [{ apiVersion: "batch/v1", kind: "CronJob", name: "hello", uid: "cj-uid", controller: true, blockOwnerDeletion: true }]);
    const berlin = jobFromTemplate(cj({ timeZone: "Europe/Berlin" }), T0 + MIN);
    assert.equal(berlin.metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"], "2026-12-01T01:01:00+01:00", "in the CronJob's zone");
    assert.equal(decideSchedule(cj(), T0 + 30_000).kind, "skip", "nothing due before the first minute");
    assert.equal(decideSchedule(cj({}, { lastScheduleTime: iso(T0 + MIN) }), T0 + 90_000).kind, "skip", "already started");
    assert.equal(decideSchedule(cj({ suspend: true }), T0 + 90_000).kind, "skip");
  });

  it("startingDeadlineSeconds: a start time missed by more is not started; within it, it starts late", () => {
    const late = decideSchedule(cj({ schedule: "0 * * * *", startingDeadlineSeconds: 10 }, {}, T0 - MIN), T0 + 30_000);
    assert.equal(late.kind, "skip");
    assert.equal(late.requeueAfterMs, 3600_000 - 30_000 + 100, "waits for the next hour");
    assert.equal(decideSchedule(cj({ schedule: "0 * * * *", startingDeadlineSeconds: 60 }, {}, T0 - MIN), T0 + 30_000).kind, "start");
    assert.equal(decideSchedule(cj({ schedule: "0 * * * *" }, {}, T0 - MIN), T0 + 30 * MIN).kind, "start", "no deadline: any lateness");
  });

  it("too many missed start times: warns, starts only the most recent; a deadline bounds the search", () => {
    const r = mostRecentScheduleTime(cj(), parseCron("*/1 * * * *"), T0 + 500 * MIN + 5000, "UTC", true);
    assert.equal(r.missed, "many");
    assert.equal(r.recent, T0 + 500 * MIN);
    const d = decideSchedule(cj(), T0 + 500 * MIN + 5000);
    assert.equal(d.kind, "start");
    assert.deepEqual(d.events.map((e) => e.reason), ["TooManyMissedTimes"]);
    assert.equal(mostRecentScheduleTime(cj({ startingDeadlineSeconds: 200 }), parseCron("*/1 * * * *"), T0 + 500 * MIN + 5000, "UTC", true).missed, "few");
  });

  it("concurrencyPolicy: Forbid waits for the active Job, Replace replaces it, Allow runs both", () => {
    const active = { active: [{ kind: "Job", name: "hello-1", uid: "uid-1", namespace: "default", apiVersion: "batch/v1" }] };
    const forbid = decideSchedule(cj({ concurrencyPolicy: "Forbid" }, active), T0 + 90_000);
    assert.equal(forbid.kind, "skip");
    assert.deepEqual(forbid.events.map((e) => e.reason), ["JobAlreadyActive"]);
    const replace = decideSchedule(cj({ concurrencyPolicy: "Replace" }, active), T0 + 90_000);
    assert.ok(replace.kind === "start" && replace.replace.length === 1);
    const allow = decideSchedule(cj({}, active), T0 + 90_000);
    assert.ok(allow.kind === "start" && allow.replace.length === 0);
  });

  it("runs in the time zone: 02:30 daily in Berlin skips the day DST removes it", () => {
    const c = cj({ schedule: "30 2 * * *", timeZone: "Europe/Berlin" }, { lastScheduleTime: "2026-03-28T01:30:00Z" });
    const d = decideSchedule(c, Date.parse("2026-03-29T12:00:00Z"));
    assert.equal(d.kind, "skip", "no 02:30 on 2026-03-29 in Berlin");
    assert.equal(d.requeueAfterMs, Date.parse("2026-03-30T00:30:00Z") + 100 - Date.parse("2026-03-29T12:00:00Z"));
    const ny = decideSchedule(cj({ schedule: "0 9 * * *", timeZone: "America/New_York" }, {}, Date.parse("2026-12-01T00:00:00Z")), Date.parse("2026-12-01T14:00:30Z"));
    assert.ok(ny.kind === "start" && ny.scheduled === Date.parse("2026-12-01T14:00:00Z"), "9:00 EST is 14:00 UTC");
    assert.deepEqual(decideSchedule(cj({ timeZone: "Nowhere/Atlantis" }), T0 + MIN).events.map((e) => e.reason), ["UnknownTimeZone"]);
  });

  it("active list: finished Jobs leave it, lastSuccessfulTime follows completions, unknown running Jobs are reported", () => {
    const c = cj({}, { active: [{ name: "a", uid: "uid-a" }, { name: "gone", uid: "uid-gone" }] });
    const r = reconcileActive(c, [job("a", { done: "Complete", completion: T0 }), job("b", { done: "Complete", completion: T0 + MIN }), job("c")]);
    assert.deepEqual(r.active.map((a) => a.name), ["gone"]);
    assert.equal(r.lastSuccessfulTime, iso(T0 + MIN));
    assert.deepEqual(r.events.map((e) => `${e.reason}: ${e.message}`), ["SawCompletedJob: Saw completed job: a, condition: Complete", "UnexpectedJob: Saw a job that the controller did not create or forgot: c"]);
    assert.deepEqual(r.unseen.map((a) => a.name), ["gone"]);
  });

  it("history limits delete the oldest finished Jobs beyond them", () => {
    const jobs = [1, 2, 3, 4, 5].map((i) => job(`ok-${i}`, { done: "Complete", start: T0 + i * MIN })).concat([job("bad-1", { done: "Failed", start: T0 }), job("bad-2", { done: "Failed", start: T0 + MIN }), job("running")]);
    assert.deepEqual(historyToDelete(cj(), jobs).map((j) => j.metadata.name), ["ok-1", "ok-2", "bad-1"]);
    assert.deepEqual(historyToDelete(cj({ successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 }), jobs).length, 7);
  });
});

describe("CronJob controller loop", () => {
  let exitCode: number | undefined = 0;
  const h = startControllers([jobController, cronJobController, garbageCollector], { exit: () => exitCode }, { storeOnClock: true });
  after(() => h.close());

  const jobs = () => h.store.list<Job>("Job", { namespace: "default" }).items.filter((j) => !j.metadata.deletionTimestamp);
  const get = (name: string) => h.store.get<CronJob>("CronJob", "default", name);
  const tick = async (ms: number) => {
    h.clock.advance(ms);
    await h.settle();
  };
  const make = (name: string, spec: Record<string, unknown>) =>
    h.api.create<CronJob>({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name, namespace: "default" },
      spec: { schedule: "*/1 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "hello", image: "busybox" }] } } } }, ...spec },
    } as unknown as CronJob);

  it("creates a Job each minute on the clock, records lastScheduleTime and lastSuccessfulTime, keeps 3 successful", async () => {
    make("hello", {});
    await h.settle();
    assert.equal(jobs().length, 0);
    await tick(MIN - 1);
    assert.equal(jobs().length, 0, "not before the minute");
    await tick(101); // looked at again 100 ms after the start time
    const first = jobs();
    assert.deepEqual(first.map((j) => j.metadata.name), [`hello-${(T0 + MIN) / MIN}`]);
    assert.equal(first[0].metadata.ownerReferences?.[0].kind, "CronJob");
    assert.equal(get("hello")?.status?.lastScheduleTime, iso(T0 + MIN));
    for (let i = 0; i < 4; i++) await tick(MIN);
    const names = jobs().map((j) => j.metadata.name).sort();
    assert.deepEqual(names, [2, 3, 4, 5].map((i) => `hello-${(T0 + i * MIN) / MIN}`).slice(1), "history: the 3 newest successful Jobs");
    const status = get("hello")?.status;
    assert.equal(status?.active, undefined, "all finished");
    assert.equal(status?.lastScheduleTime, iso(T0 + 5 * MIN));
    assert.ok(status?.lastSuccessfulTime);
    const reasons = new Set(h.store.list<Event>("Event", { namespace: "default" }).items.filter((e) => e.involvedObject.kind === "CronJob").map((e) => e.reason));
    for (const r of ["SuccessfulCreate", "SawCompletedJob", "SuccessfulDelete"]) assert.ok(reasons.has(r), r);
    h.api.delete("CronJob", "default", "hello");
    await h.settle();
  });

  it("Forbid skips a start while a Job runs; Replace deletes the running Job and starts a new one", async () => {
    exitCode = undefined; // pods keep running
    make("forbid", { concurrencyPolicy: "Forbid" });
    make("replace", { concurrencyPolicy: "Replace" });
    await h.settle();
    await tick(MIN);
    const owned = (n: string) => jobs().filter((j) => j.metadata.ownerReferences?.[0]?.name === n);
    assert.equal(owned("forbid").length, 1);
    assert.equal(owned("replace").length, 1);
    const replaced = owned("replace")[0].metadata.name;
    await tick(MIN);
    assert.equal(owned("forbid").length, 1, "Forbid: still the first");
    assert.equal(get("forbid")?.status?.active?.length, 1);
    assert.equal(owned("replace").length, 1);
    assert.notEqual(owned("replace")[0].metadata.name, replaced, "Replace: a new Job");
    assert.deepEqual(get("replace")?.status?.active?.map((a) => a.name), [owned("replace")[0].metadata.name]);
    const pods = h.store.list<Pod>("Pod", { namespace: "default" }).items;
    assert.equal(pods.filter((p) => p.metadata.labels?.["job-name"] === replaced).length, 0, "the replaced Job's pods go");
  });
});
