/** batch/v1 Job and CronJob admission (defaults, generated selector, Kubernetes' field errors), cron parsing, Tables. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import type { CronJob, Job } from "../../../src/api/batch-types.js";
import { nextCron, parseCron } from "../../../src/api/cron.js";
import { ApiError } from "../../../src/api/errors.js";
import { printerFor } from "../../../src/api/tables/index.js";

const ctx = { nodeName: "node1" };
const podTemplate = (restartPolicy?: string, labels?: Record<string, string>) => ({ metadata: labels ? { labels } : undefined, spec: { restartPolicy, containers: [{ name: "pi", image: "perl" }] } });

function job(spec: Record<string, unknown> = {}): Job {
  return { apiVersion: "batch/v1", kind: "Job", metadata: { name: "pi", namespace: "default" }, spec: { template: podTemplate("Never"), ...spec } } as unknown as Job;
}

function cronJob(spec: Record<string, unknown> = {}, name = "hello"): CronJob {
  return { apiVersion: "batch/v1", kind: "CronJob", metadata: { name, namespace: "default" }, spec: { schedule: "*/1 * * * *", jobTemplate: { spec: { template: podTemplate("OnFailure") } }, ...spec } } as unknown as CronJob;
}

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError && err.code === 422, String(err));
    return err.message;
  }
  assert.fail("admitted");
}

describe("batch/v1 Job admission", () => {
  it("defaults completions/parallelism 1, backoffLimit 6, NonIndexed, not suspended, and generates the selector", () => {
    const j = admitCreate(job(), ctx);
    const uid = j.metadata.uid!;
    assert.match(uid, /^[0-9a-f-]{36}$/);
    assert.equal(j.spec.completions, 1);
    assert.equal(j.spec.parallelism, 1);
    assert.equal(j.spec.backoffLimit, 6);
    assert.equal(j.spec.completionMode, "NonIndexed");
    assert.equal(j.spec.suspend, false);
    assert.equal(j.spec.podReplacementPolicy, "TerminatingOrFailed");
    assert.deepEqual(j.spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    const labels = { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi", "controller-uid": uid, "job-name": "pi" };
    assert.deepEqual(j.spec.template.metadata?.labels, labels);
    assert.deepEqual(j.metadata.labels, labels, "a job without labels carries its template's");
    // Parallelism alone leaves completions unset (a work queue).
    assert.equal(admitCreate(job({ parallelism: 3 }), ctx).spec.completions, undefined);
    assert.equal(admitCreate(job({ podFailurePolicy: { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] } }), ctx).spec.podReplacementPolicy, "Failed");
  });

  it("refuses restartPolicy Always (the pod default), negative counts, a foreign selector, Indexed without completions", () => {
    assert.match(invalidMessage(() => admitCreate(job({ template: podTemplate() }), ctx)), /spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
    const neg = invalidMessage(() => admitCreate(job({ completions: -1, parallelism: -2, backoffLimit: -3, activeDeadlineSeconds: -4 }), ctx));
    for (const f of ["completions: Invalid value: -1", "parallelism: Invalid value: -2", "backoffLimit: Invalid value: -3", "activeDeadlineSeconds: Invalid value: -4"]) assert.ok(neg.includes(`spec.${f}: must be greater than or equal to 0`), neg);
    assert.match(invalidMessage(() => admitCreate(job({ selector: { matchLabels: { app: "x" } } }), ctx)), /spec\.selector: Invalid value: v1\.LabelSelector\{.*\}: `selector` not auto-generated/);
    assert.match(
      invalidMessage(() => admitCreate(job({ manualSelector: true, selector: { matchLabels: { app: "x" } }, template: podTemplate("Never", { app: "y" }) }), ctx)),
      /spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"y"\}: `selector` does not match template `labels`/,
    );
    assert.match(invalidMessage(() => admitCreate(job({ manualSelector: true, template: podTemplate("Never", { app: "y" }) }), ctx)), /spec\.selector: Required value/);
    assert.match(invalidMessage(() => admitCreate(job({ completionMode: "Indexed", parallelism: 2 }), ctx)), /spec\.completions: Required value: when completion mode is Indexed/);
    assert.match(
      invalidMessage(() => admitCreate(job({ template: podTemplate("OnFailure"), podFailurePolicy: { rules: [{ action: "FailJob", onExitCodes: { operator: "In", values: [0] } }] } }), ctx)),
      /restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified.*values\[0\]: Invalid value: 0: must not be 0 for the In operator/,
    );
  });

  it("accepts a manual selector that matches, and keeps selector and template immutable", () => {
    const j = admitCreate(job({ manualSelector: true, selector: { matchLabels: { app: "y" } }, template: podTemplate("Never", { app: "y" }) }), ctx);
    assert.deepEqual(j.spec.template.metadata?.labels, { app: "y" }, "no generated labels");
    const stored = admitCreate(job(), ctx);
    const changed: Job = { ...stored, spec: { ...stored.spec, template: { ...stored.spec.template, spec: { ...stored.spec.template.spec, containers: [{ name: "pi", image: "other" }] } } } };
    assert.match(invalidMessage(() => admitUpdate(changed, stored, ctx)), /spec\.template: Invalid value: core\.PodTemplateSpec\{\.\.\.\}: field is immutable/);
    assert.equal(admitUpdate({ ...stored, spec: { ...stored.spec, suspend: true } }, stored, ctx).spec.suspend, true, "suspend may change");
  });
});

describe("batch/v1 CronJob admission", () => {
  it("defaults Allow, not suspended, history 3/1", () => {
    const cj = admitCreate(cronJob(), ctx);
    assert.equal(cj.spec.concurrencyPolicy, "Allow");
    assert.equal(cj.spec.suspend, false);
    assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  });

  it("refuses an invalid schedule, TZ in the schedule, an unknown time zone, a bad policy, a long name, a template selector", () => {
    assert.match(invalidMessage(() => admitCreate(cronJob({ schedule: "every minute" }), ctx)), /spec\.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: \[every minute\]/);
    assert.match(invalidMessage(() => admitCreate(cronJob({ schedule: "61 * * * *" }), ctx)), /spec\.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/);
    assert.match(invalidMessage(() => admitCreate(cronJob({ schedule: "@fortnightly" }), ctx)), /unrecognized descriptor: @fortnightly/);
    assert.match(invalidMessage(() => admitCreate(cronJob({ schedule: "TZ=UTC 0 * * * *" }), ctx)), /cannot use TZ or CRON_TZ in schedule, use timeZone field instead/);
    assert.match(invalidMessage(() => admitCreate(cronJob({ timeZone: "Mars/Olympus" }), ctx)), /spec\.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/);
    assert.match(invalidMessage(() => admitCreate(cronJob({ timeZone: "Local" }), ctx)), /timeZone must be an explicit time zone/);
    assert.match(invalidMessage(() => admitCreate(cronJob({ concurrencyPolicy: "Sometimes" }), ctx)), /spec\.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"/);
    assert.match(invalidMessage(() => admitCreate(cronJob({}, "x".repeat(53)), ctx)), /metadata\.name: Invalid value: "x{53}": must be no more than 52 characters/);
    assert.match(invalidMessage(() => admitCreate(cronJob({ successfulJobsHistoryLimit: -1 }), ctx)), /spec\.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0/);
    const withSel = cronJob({ jobTemplate: { spec: { selector: { matchLabels: { a: "b" } }, template: podTemplate("Never") } } });
    assert.match(invalidMessage(() => admitCreate(withSel, ctx)), /spec\.jobTemplate\.spec\.selector: Invalid value: .*`selector` will be auto-generated/);
    assert.match(invalidMessage(() => admitCreate(cronJob({ jobTemplate: { spec: { template: podTemplate() } } }), ctx)), /spec\.jobTemplate\.spec\.template\.spec\.restartPolicy: Unsupported value: "Always"/);
    assert.equal(admitCreate(cronJob({ timeZone: "Europe/Berlin", schedule: "@hourly" }), ctx).spec.timeZone, "Europe/Berlin");
  });
});

describe("cron schedules", () => {
  const at = (s: string) => Date.parse(s);
  const next = (spec: string, after: string, tz?: string) => {
    const t = nextCron(parseCron(spec), at(after), tz);
    return t === undefined ? undefined : new Date(t).toISOString();
  };

  it("standard fields, names, steps, ranges, lists and descriptors", () => {
    assert.equal(next("*/15 * * * *", "2026-12-01T10:07:00Z", "UTC"), "2026-12-01T10:15:00.000Z");
    assert.equal(next("0 9 * * MON-FRI", "2026-12-04T09:00:00Z", "UTC"), "2026-12-07T09:00:00.000Z", "Friday 9:00 → Monday");
    assert.equal(next("30 2 1 jan,jul *", "2026-12-01T00:00:00Z", "UTC"), "2027-01-01T02:30:00.000Z");
    assert.equal(next("5/20 * * * *", "2026-12-01T10:46:00Z", "UTC"), "2026-12-01T11:05:00.000Z", "N/step means N-59/step");
    assert.equal(next("@hourly", "2026-12-01T10:00:00Z", "UTC"), "2026-12-01T11:00:00.000Z");
    assert.equal(next("@weekly", "2026-12-01T10:00:00Z", "UTC"), "2026-12-06T00:00:00.000Z", "Sunday midnight");
    assert.equal(next("@every 90s", "2026-12-01T10:00:00.500Z"), "2026-12-01T10:01:30.000Z");
    // Day of month and day of week both restricted: either matches (cron's OR).
    assert.equal(next("0 0 13 * FRI", "2026-12-01T00:00:00Z", "UTC"), "2026-12-04T00:00:00.000Z");
    assert.equal(next("0 0 31 2 *", "2026-12-01T00:00:00Z", "UTC"), undefined, "never (February 31st)");
    assert.throws(() => parseCron("* * * * * *"), /expected exactly 5 fields, found 6: \[\* \* \* \* \* \*\]/);
    assert.throws(() => parseCron("5-1 * * * *"), /beginning of range \(5\) beyond end of range \(1\): 5-1/);
    assert.throws(() => parseCron("x * * * *"), /failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax/);
  });

  it("evaluates in the time zone, across DST: a skipped wall time never fires, a repeated one fires twice", () => {
    assert.equal(next("0 9 * * *", "2026-12-01T12:00:00Z", "America/New_York"), "2026-12-01T14:00:00.000Z", "9:00 EST");
    assert.equal(next("0 9 * * *", "2026-07-01T12:00:00Z", "America/New_York"), "2026-07-01T13:00:00.000Z", "9:00 EDT");
    // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day.
    assert.equal(next("30 2 * * *", "2026-03-28T02:00:00Z", "Europe/Berlin"), "2026-03-30T00:30:00.000Z");
    // 2026-10-25 in Berlin: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice.
    const first = next("30 2 * * *", "2026-10-24T12:00:00Z", "Europe/Berlin");
    assert.equal(first, "2026-10-25T00:30:00.000Z", "02:30 CEST");
    assert.equal(next("30 2 * * *", first ?? "", "Europe/Berlin"), "2026-10-25T01:30:00.000Z", "02:30 CET");
    assert.equal(next("0 * * * *", "2026-10-25T00:00:00Z", "Europe/Berlin"), "2026-10-25T01:00:00.000Z", "hourly through the repeated hour");
    assert.equal(next("0 * * * *", "2026-10-25T01:00:00Z", "Europe/Berlin"), "2026-10-25T02:00:00.000Z");
  });
});

describe("batch/v1 Tables", () => {
  const now = Date.parse("2026-12-01T00:10:00Z");
  it("Job: Status, Completions, Duration, Age", () => {
    const p = printerFor("Job");
    assert.deepEqual(p.columns.filter((c) => !c.priority).map((c) => c.name), ["Name", "Status", "Completions", "Duration", "Age"]);
    const done: Job = {
      ...job({ completions: 1, parallelism: 1 }),
      metadata: { name: "pi", creationTimestamp: "2026-12-01T00:00:00Z" },
      status: { startTime: "2026-12-01T00:00:00Z", completionTime: "2026-12-01T00:00:42Z", succeeded: 1, conditions: [{ type: "Complete", status: "True" }] },
    };
    assert.deepEqual(p.cells(done, now).slice(0, 5), ["pi", "Complete", "1/1", "42s", "10m"]);
    const running: Job = { ...job({ parallelism: 4 }), metadata: { name: "wq", creationTimestamp: "2026-12-01T00:09:00Z" }, status: { startTime: "2026-12-01T00:09:30Z" } };
    assert.deepEqual(p.cells(running, now).slice(0, 5), ["wq", "Running", "0/1 of 4", "30s", "60s"]);
  });
  it("CronJob: Schedule, Timezone, Suspend, Active, Last Schedule, Age", () => {
    const p = printerFor("CronJob");
    assert.deepEqual(p.columns.filter((c) => !c.priority).map((c) => c.name), ["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"]);
    const cj: CronJob = { ...cronJob({ suspend: false }), metadata: { name: "hello", creationTimestamp: "2026-12-01T00:00:00Z" }, status: { active: [{ name: "hello-1" }], lastScheduleTime: "2026-12-01T00:09:00Z" } };
    assert.deepEqual(p.cells(cj, now).slice(0, 7), ["hello", "*/1 * * * *", "<none>", "False", 1, "60s", "10m"]);
  });
});
