/**
 * Defaulting and validation of batch/v1 Job and CronJob (SetDefaults_Job / SetDefaults_CronJob in
 * pkg/apis/batch/v1/defaults.go; ValidateJob(Update), ValidateCronJob(Update) in pkg/apis/batch/validation; the
 * selector generation of pkg/registry/batch/job/strategy.go), with Kubernetes' field errors.
 */
import type { PodTemplateSpec } from "./apps-types.js";
import { goLabelSelector, goStringMap, invalidGo } from "./apps.js";
import { JOB_LABELS, type CronJob, type Job, type JobSpec, type JobTemplateSpec, type PodFailurePolicy } from "./batch-types.js";
import { CronParseError, isTimeZone, parseCron } from "./cron.js";
import { child, duplicate, index, invalid, notSupported, required, tooMany, type ErrorList } from "./field.js";
import { deepEqual } from "./json.js";
import { selects } from "./labels.js";
import { validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import { setPodSpecDefaults } from "./pod-defaults.js";
import { validatePodSpec } from "./pod-validation.js";
import { strategy } from "./strategy.js";

/** maxParallelismForIndexedJob / maxCompletionsForIndexedJob... (validation.go). */
const MAX_INDEXED = 100_000;
/** A CronJob's name leaves room for the 11-character `-<minutes>` suffix of its Jobs' names. */
const CRONJOB_NAME_MAX = 52;

// ---------------------------------------------------------------------------------------------------------------
// Defaults

const unset = (v: unknown): boolean => v === undefined || v === null;

function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (t && typeof t === "object") setPodSpecDefaults((t.spec ??= { containers: [] }));
}

/** SetDefaults_Job. */
export function setJobSpecDefaults(spec: JobSpec): void {
  if (unset(spec.completions) && unset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (unset(spec.parallelism)) spec.parallelism = 1;
  if (unset(spec.backoffLimit)) spec.backoffLimit = 6;
  if (unset(spec.completionMode)) spec.completionMode = "NonIndexed";
  if (unset(spec.suspend)) spec.suspend = false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const p of rule.onPodConditions ?? []) p.status ??= "True";
  if (unset(spec.podReplacementPolicy)) spec.podReplacementPolicy = spec.podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  defaultTemplate(spec.template);
}

export function setJobDefaults(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  setJobSpecDefaults(spec);
  const labels = spec.template?.metadata?.labels;
  if (labels && !Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...labels };
}

/** SetDefaults_CronJob: Allow, not suspended, history 3 successful / 1 failed; the template's pod spec defaults. */
export function setCronJobDefaults(cj: CronJob): void {
  const spec = (cj.spec ??= {} as CronJob["spec"]);
  if (unset(spec.concurrencyPolicy)) spec.concurrencyPolicy = "Allow";
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.successfulJobsHistoryLimit)) spec.successfulJobsHistoryLimit = 3;
  if (unset(spec.failedJobsHistoryLimit)) spec.failedJobsHistoryLimit = 1;
  const jt = spec.jobTemplate;
  if (jt && typeof jt === "object" && jt.spec && typeof jt.spec === "object") defaultTemplate(jt.spec.template);
}

/**
 * generateSelector (job strategy PrepareForCreate): unless manualSelector, the template gets the job-name and
 * controller-uid labels (new and legacy keys) and the selector matches the controller-uid. A job created without
 * labels carries its template's (as the defaulter does when the stored object is read back).
 */
export function generateJobSelector(job: Job): void {
  const spec = job.spec;
  if (!spec || typeof spec !== "object" || spec.manualSelector === true) return;
  const t = (spec.template ??= { spec: { containers: [] } });
  const meta = (t.metadata ??= {});
  const labels = (meta.labels ??= {});
  const name = job.metadata.name ?? "";
  const uid = job.metadata.uid ?? "";
  for (const k of [JOB_LABELS.legacyJobName, JOB_LABELS.jobName]) labels[k] ??= name;
  for (const k of [JOB_LABELS.legacyControllerUid, JOB_LABELS.controllerUid]) labels[k] ??= uid;
  const sel = (spec.selector ??= {});
  const ml = (sel.matchLabels ??= {});
  ml[JOB_LABELS.controllerUid] ??= uid;
  if (!Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...labels };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const NON_NEGATIVE = "must be greater than or equal to 0";

function nonNegative(v: number | undefined, path: string): ErrorList {
  return !unset(v) && (v as number) < 0 ? [invalid(path, v, NON_NEGATIVE)] : [];
}

/**
 * validateGeneratedSelector: the generated labels are on the template with the Job's uid and name, and the selector
 * selects them (it was not replaced by another).
 */
function validateGeneratedSelector(job: Job): ErrorList {
  const spec = job.spec;
  if (spec.manualSelector === true) return [];
  const errs: ErrorList = [];
  const uid = job.metadata.uid ?? "";
  const name = job.metadata.name ?? "";
  const labels = spec.template?.metadata?.labels ?? {};
  const expected: Record<string, string> = {
    [JOB_LABELS.controllerUid]: uid,
    [JOB_LABELS.jobName]: name,
    [JOB_LABELS.legacyControllerUid]: uid,
    [JOB_LABELS.legacyJobName]: name,
  };
  for (const [k, want] of Object.entries(expected)) {
    const path = `spec.template.metadata.labels[${k}]`;
    if (labels[k] === undefined) errs.push(required(path, want));
    else if (labels[k] !== want) errs.push(invalidGo(path, goStringMap(labels), `must be '${want}'`));
  }
  if (spec.selector && !selects(spec.selector, expected)) {
    errs.push(invalidGo("spec.selector", goLabelSelector(spec.selector), "`selector` not auto-generated"));
  }
  return errs;
}

const RULE_ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"];

function validatePodFailurePolicy(pfp: PodFailurePolicy, restartPolicy: string | undefined, restartPolicyPath: string, path: string): ErrorList {
  const errs: ErrorList = [];
  if (restartPolicy !== "Never") {
    errs.push(invalid(restartPolicyPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  const rulesPath = child(path, "rules");
  if ((pfp.rules ?? []).length > 20) errs.push(tooMany(rulesPath, pfp.rules.length, 20));
  for (const [i, rule] of (pfp.rules ?? []).entries()) {
    const rp = index(rulesPath, i);
    if (!RULE_ACTIONS.includes(rule.action)) errs.push(notSupported(child(rp, "action"), rule.action, RULE_ACTIONS));
    if (rule.onExitCodes && rule.onPodConditions) errs.push(invalid(rp, "", "specifying both OnExitCodes and OnPodConditions is not supported"));
    else if (!rule.onExitCodes && !rule.onPodConditions) errs.push(invalid(rp, "", "specifying one of OnExitCodes and OnPodConditions is required"));
    const ec = rule.onExitCodes;
    if (ec) {
      const ep = child(rp, "onExitCodes");
      if (ec.operator !== "In" && ec.operator !== "NotIn") errs.push(notSupported(child(ep, "operator"), ec.operator, ["In", "NotIn"]));
      const values = ec.values ?? [];
      if (!values.length) errs.push(required(child(ep, "values"), "at least one value is required"));
      if (values.length > 255) errs.push(tooMany(child(ep, "values"), values.length, 255));
      let prev: number | undefined;
      for (const [j, v] of values.entries()) {
        const vp = index(child(ep, "values"), j);
        if (ec.operator === "In" && v === 0) errs.push(invalid(vp, v, "must not be 0 for the In operator"));
        if (prev !== undefined && v === prev) errs.push(duplicate(vp, v));
        else if (prev !== undefined && v < prev) errs.push(invalid(vp, v, "must be ordered"));
        prev = v;
      }
    }
    for (const [j, pat] of (rule.onPodConditions ?? []).entries()) {
      const pp = index(child(rp, "onPodConditions"), j);
      if (!pat.type) errs.push(required(child(pp, "type")));
      if (pat.status && !["True", "False", "Unknown"].includes(pat.status)) errs.push(notSupported(child(pp, "status"), pat.status, ["True", "False", "Unknown"]));
    }
  }
  return errs;
}

/** validateJobSpec (with the pod template: restartPolicy OnFailure or Never). `path` is "spec" or a template's. */
export function validateJobSpec(spec: JobSpec | undefined, path: string, requireSelector: boolean): ErrorList {
  if (!spec || typeof spec !== "object") return [required(path)];
  const errs: ErrorList = [];
  errs.push(...nonNegative(spec.parallelism, child(path, "parallelism")));
  errs.push(...nonNegative(spec.completions, child(path, "completions")));
  errs.push(...nonNegative(spec.activeDeadlineSeconds, child(path, "activeDeadlineSeconds")));
  errs.push(...nonNegative(spec.backoffLimit, child(path, "backoffLimit")));
  errs.push(...nonNegative(spec.ttlSecondsAfterFinished, child(path, "ttlSecondsAfterFinished")));
  const mode = spec.completionMode;
  if (!unset(mode) && mode !== "NonIndexed" && mode !== "Indexed") errs.push(notSupported(child(path, "completionMode"), mode, ["NonIndexed", "Indexed"]));
  if (mode === "Indexed") {
    if (unset(spec.completions)) errs.push(required(child(path, "completions"), "when completion mode is Indexed"));
    else if ((spec.completions as number) > MAX_INDEXED) errs.push(invalid(child(path, "completions"), spec.completions, `must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`));
    if ((spec.parallelism ?? 0) > MAX_INDEXED) errs.push(invalid(child(path, "parallelism"), spec.parallelism, `must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`));
  }
  const prp = spec.podReplacementPolicy;
  if (!unset(prp) && prp !== "TerminatingOrFailed" && prp !== "Failed") errs.push(notSupported(child(path, "podReplacementPolicy"), prp, ["Failed", "TerminatingOrFailed"]));
  if (requireSelector) {
    if (!spec.selector) errs.push(required(child(path, "selector")));
    else errs.push(...validateLabelSelector(spec.selector, child(path, "selector")));
  }
  const tPath = child(path, "template");
  const t = spec.template;
  if (!t || typeof t !== "object" || !t.spec) return [...errs, required(tPath)];
  const labels = t.metadata?.labels;
  const labelErrs = validateLabels(labels, child(tPath, "metadata", "labels"));
  errs.push(...labelErrs);
  if (requireSelector && spec.selector && !labelErrs.length && !selects(spec.selector, labels)) {
    errs.push(invalidGo(child(tPath, "metadata", "labels"), goStringMap(labels), "`selector` does not match template `labels`"));
  }
  errs.push(...validatePodSpec(t.spec, child(tPath, "spec")));
  const rp = t.spec.restartPolicy;
  if (rp !== "OnFailure" && rp !== "Never") errs.push(notSupported(child(tPath, "spec", "restartPolicy"), rp, ["OnFailure", "Never"]));
  if (spec.podFailurePolicy) errs.push(...validatePodFailurePolicy(spec.podFailurePolicy, rp, child(tPath, "spec", "restartPolicy"), child(path, "podFailurePolicy")));
  return errs;
}

export function validateJob(job: Job): ErrorList {
  if (!job.spec || typeof job.spec !== "object") return [required("spec")];
  return [...validateGeneratedSelector(job), ...validateJobSpec(job.spec, "spec", true)];
}

/** ValidateJobSpecUpdate: what may not change once a Job exists. */
function validateJobSpecUpdate(spec: JobSpec, old: JobSpec): ErrorList {
  const errs: ErrorList = [];
  const same = (a: unknown, b: unknown) => deepEqual(a ?? null, b ?? null);
  if (!same(spec.selector, old.selector)) errs.push(invalidGo("spec.selector", goLabelSelector(spec.selector ?? {}), "field is immutable"));
  if (!same(spec.template, old.template)) errs.push(invalidGo("spec.template", "core.PodTemplateSpec{...}", "field is immutable"));
  if (!same(spec.completionMode, old.completionMode)) errs.push(invalid("spec.completionMode", spec.completionMode, "field is immutable"));
  if (!same(spec.podFailurePolicy, old.podFailurePolicy)) errs.push(invalidGo("spec.podFailurePolicy", "batch.PodFailurePolicy{...}", "field is immutable"));
  // Indexed jobs may scale completions together with parallelism (elastic indexed jobs).
  const elastic = spec.completionMode === "Indexed" && spec.completions === spec.parallelism;
  if (!same(spec.completions, old.completions) && !elastic) errs.push(invalid("spec.completions", spec.completions, "field is immutable"));
  return errs;
}

// ---------------------------------------------------------------------------------------------------------------
// CronJob

const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(tz: string | undefined, path: string): ErrorList {
  if (unset(tz)) return [];
  const value = tz as string;
  if (value === "") return [invalid(path, value, "timeZone must be nil or non-empty string")];
  for (const part of value.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !TZ_PART.test(part)) return [invalid(path, value, `unknown time zone ${value}`)];
  }
  if (value.toLowerCase() === "local") return [invalid(path, value, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")];
  if (!isTimeZone(value)) return [invalid(path, value, `unknown time zone ${value}`)];
  return [];
}

/** validateScheduleFormat: robfig's ParseStandard, and no TZ= prefix (the timeZone field says it). */
export function validateSchedule(schedule: string | undefined, path: string): ErrorList {
  if (unset(schedule) || schedule === "") return [required(path)];
  const s = schedule as string;
  const errs: ErrorList = [];
  try {
    parseCron(s);
  } catch (err) {
    if (!(err instanceof CronParseError)) throw err;
    errs.push(invalid(path, s, err.message));
  }
  if (s.includes("TZ")) errs.push(invalid(path, s, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  return errs;
}

/** ValidateJobTemplateSpec: a job spec whose selector the controller generates. */
function validateJobTemplate(jt: JobTemplateSpec | undefined, path: string): ErrorList {
  if (!jt || typeof jt !== "object") return [required(path)];
  const sp = child(path, "spec");
  const errs = validateJobSpec(jt.spec, sp, false);
  if (jt.spec?.selector) errs.push(invalidGo(child(sp, "selector"), goLabelSelector(jt.spec.selector), "`selector` will be auto-generated"));
  if (jt.spec?.manualSelector === true) errs.push(notSupported(child(sp, "manualSelector"), true, ["nil", "false"]));
  return errs;
}

export function validateCronJob(cj: CronJob): ErrorList {
  const spec = cj.spec;
  if (!spec || typeof spec !== "object") return [required("spec")];
  const errs: ErrorList = [];
  const name = cj.metadata.name ?? "";
  if (name.length > CRONJOB_NAME_MAX) errs.push(invalid("metadata.name", name, `must be no more than ${CRONJOB_NAME_MAX} characters`));
  errs.push(...validateSchedule(spec.schedule, "spec.schedule"));
  errs.push(...validateTimeZone(spec.timeZone, "spec.timeZone"));
  const cp = spec.concurrencyPolicy;
  if (cp !== "Allow" && cp !== "Forbid" && cp !== "Replace") {
    errs.push(unset(cp) ? required("spec.concurrencyPolicy") : notSupported("spec.concurrencyPolicy", cp, ["Allow", "Forbid", "Replace"]));
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
  errs.push(...validateJobTemplate(spec.jobTemplate, "spec.jobTemplate"));
  return errs;
}

// ---------------------------------------------------------------------------------------------------------------
// Strategies

export const jobStrategy = strategy<Job>({
  hasStatus: true,
  defaults: setJobDefaults,
  prepareForCreate: (job) => {
    job.status = {};
    generateJobSelector(job);
  },
  validateCreate: (job) => [...validateObjectMeta(job.metadata, true, nameIsDNSSubdomain), ...validateJob(job)],
  validateUpdate: (job, old) => [
    ...validateObjectMetaUpdate(job.metadata, old.metadata),
    ...validateJob(job),
    ...(job.spec && old.spec ? validateJobSpecUpdate(job.spec, old.spec) : []),
  ],
});

export const cronJobStrategy = strategy<CronJob>({
  hasStatus: true,
  defaults: setCronJobDefaults,
  prepareForCreate: (cj) => {
    cj.status = {};
  },
  validateCreate: (cj) => [...validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain), ...validateCronJob(cj)],
  validateUpdate: (cj, old) => [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJob(cj)],
});
