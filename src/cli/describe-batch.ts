/**
 * `describe` for Jobs and CronJobs, in kubectl's layout (describe.go DescribeJob / DescribeCronJob): the spec's
 * counts and policies, times, pod counts, the pod template; the Events follow (describe.ts).
 */
import type { PodTemplateSpec } from "../api/apps-types.js";
import type { CronJob, Job, JobSpec } from "../api/batch-types.js";
import { labelSelectorToString } from "../api/labels.js";
import { humanDuration } from "../api/tables/format.js";
import type { KubeObject, LabelSelector } from "../api/types.js";
import { withoutLastApplied } from "./describe-pod.js";
import { describeTime, type Section } from "./describe-section.js";

const unsetOr = (v: number | boolean | string | undefined | null): string => (v === undefined || v === null ? "<unset>" : String(v));

function selectorText(sel: LabelSelector | undefined): string {
  try {
    return sel ? labelSelectorToString(sel) || "<none>" : "<unset>";
  } catch {
    return "<invalid>";
  }
}

function header(s: Section, obj: KubeObject, withSelector?: LabelSelector): void {
  const md = obj.metadata;
  s.line(0, "Name", md.name);
  s.line(0, "Namespace", md.namespace);
  if (withSelector !== undefined) s.line(0, "Selector", selectorText(withSelector));
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  const owner = md.ownerReferences?.find((r) => r.controller);
  if (owner) s.line(0, "Controlled By", `${owner.kind}/${owner.name}`);
}

/** DescribePodTemplate, for the fields Jobs' pods usually set. */
function podTemplate(s: Section, level: number, t: PodTemplateSpec | undefined): void {
  s.line(level, "Pod Template", "");
  s.map(level + 1, "Labels", t?.metadata?.labels);
  s.line(level + 1, "Containers", "");
  for (const c of t?.spec?.containers ?? []) {
    s.line(level + 2, ` ${c.name}`, "");
    s.line(level + 3, "Image", c.image ?? "");
    if (c.command?.length) {
      s.line(level + 3, "Command", "");
      for (const a of c.command) s.raw(`${"  ".repeat(level + 4)}${a}`);
    }
    if (c.args?.length) {
      s.line(level + 3, "Args", "");
      for (const a of c.args) s.raw(`${"  ".repeat(level + 4)}${a}`);
    }
    const env = c.env ?? [];
    if (!env.length) s.line(level + 3, "Environment", "<none>");
    else {
      s.line(level + 3, "Environment", "");
      for (const e of env) s.line(level + 4, e.name, e.value ?? (e.valueFrom?.fieldRef ? ` (v1:${e.valueFrom.fieldRef.fieldPath})` : "<set from a source>"));
    }
  }
  s.line(level + 1, "Restart Policy", t?.spec?.restartPolicy ?? "");
}

function jobSpecLines(s: Section, level: number, spec: JobSpec | undefined): void {
  s.line(level, "Parallelism", unsetOr(spec?.parallelism));
  s.line(level, "Completions", unsetOr(spec?.completions));
}

export function describeJob(s: Section, obj: KubeObject): void {
  const job = obj as Job;
  const spec = job.spec;
  const st = job.status ?? {};
  header(s, job, spec.selector ?? {});
  jobSpecLines(s, 0, spec);
  s.line(0, "Completion Mode", spec.completionMode ?? "NonIndexed");
  s.line(0, "Suspend", String(spec.suspend ?? false));
  s.line(0, "Backoff Limit", unsetOr(spec.backoffLimit));
  if (spec.ttlSecondsAfterFinished !== undefined && spec.ttlSecondsAfterFinished !== null) s.line(0, "TTL Seconds After Finished", spec.ttlSecondsAfterFinished);
  if (st.startTime) s.line(0, "Start Time", describeTime(st.startTime));
  if (st.completionTime) {
    s.line(0, "Completed At", describeTime(st.completionTime));
    if (st.startTime) s.line(0, "Duration", humanDuration(Date.parse(st.completionTime) - Date.parse(st.startTime)));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) s.line(0, "Active Deadline Seconds", `${spec.activeDeadlineSeconds}s`);
  s.line(0, "Pods Statuses", `${st.active ?? 0} Active (${st.ready ?? 0} Ready) / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed`);
  if (spec.completionMode === "Indexed") s.line(0, "Completed Indexes", st.completedIndexes || "<none>");
  podTemplate(s, 0, spec.template);
}

export function describeCronJob(s: Section, obj: KubeObject): void {
  const cj = obj as CronJob;
  const spec = cj.spec;
  const st = cj.status ?? {};
  header(s, cj);
  s.line(0, "Schedule", spec.schedule);
  if (spec.timeZone) s.line(0, "Time Zone", spec.timeZone);
  s.line(0, "Concurrency Policy", spec.concurrencyPolicy ?? "Allow");
  s.line(0, "Suspend", spec.suspend ? "True" : "False");
  s.line(0, "Successful Job History Limit", unsetOr(spec.successfulJobsHistoryLimit));
  s.line(0, "Failed Job History Limit", unsetOr(spec.failedJobsHistoryLimit));
  s.line(0, "Starting Deadline Seconds", spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null ? `${spec.startingDeadlineSeconds}s` : "<unset>");
  const jt = spec.jobTemplate?.spec;
  s.line(0, "Selector", jt?.selector ? selectorText(jt.selector) : "<unset>");
  jobSpecLines(s, 0, jt);
  podTemplate(s, 0, jt?.template);
  s.line(0, "Last Schedule Time", st.lastScheduleTime ? describeTime(st.lastScheduleTime) : "<unset>");
  s.line(0, "Active Jobs", (st.active ?? []).map((a) => a.name).join(", ") || "<none>");
}
