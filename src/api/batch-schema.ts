/**
 * The shape of batch/v1 Job and CronJob (k8s.io/api batch/v1/types.go): JSON types for the decoder checks and the
 * strategic-merge metadata `kubectl apply` and `kubectl set` rely on (the template's containers merge by name).
 */
import { podSpec } from "./pod-schema.js";
import { bool, byKey, i32, i64, kind, labelSelector, list, objectMeta, str, strings, struct, type Schema } from "./schema-dsl.js";

const podTemplateSpec = struct("PodTemplateSpec", { metadata: objectMeta, spec: podSpec });

const podFailurePolicy = struct("PodFailurePolicy", {
  rules: list(
    struct("PodFailurePolicyRule", {
      action: str,
      onExitCodes: struct("PodFailurePolicyOnExitCodesRequirement", { containerName: str, operator: str, values: list(i32) }),
      onPodConditions: list(struct("PodFailurePolicyOnPodConditionsPattern", strings("type status"))),
    }),
  ),
});

const jobSpec = struct("JobSpec", {
  parallelism: i32,
  completions: i32,
  activeDeadlineSeconds: i64,
  podFailurePolicy,
  backoffLimit: i32,
  backoffLimitPerIndex: i32,
  maxFailedIndexes: i32,
  selector: labelSelector,
  manualSelector: bool,
  template: podTemplateSpec,
  ttlSecondsAfterFinished: i32,
  completionMode: str,
  suspend: bool,
  podReplacementPolicy: str,
  managedBy: str,
});

const objectReference = struct("ObjectReference", strings("kind namespace name uid apiVersion resourceVersion fieldPath"));

export const BATCH_SCHEMAS: Readonly<Record<string, Schema>> = {
  Job: kind("Job", {
    spec: jobSpec,
    status: struct("JobStatus", {
      conditions: byKey(struct("JobCondition", strings("type status lastProbeTime lastTransitionTime reason message")), "type"),
      startTime: str,
      completionTime: str,
      active: i32,
      succeeded: i32,
      failed: i32,
      terminating: i32,
      completedIndexes: str,
      failedIndexes: str,
      uncountedTerminatedPods: struct("UncountedTerminatedPods", { succeeded: list(str), failed: list(str) }),
      ready: i32,
    }),
  }),
  CronJob: kind("CronJob", {
    spec: struct("CronJobSpec", {
      schedule: str,
      timeZone: str,
      startingDeadlineSeconds: i64,
      concurrencyPolicy: str,
      suspend: bool,
      jobTemplate: struct("JobTemplateSpec", { metadata: objectMeta, spec: jobSpec }),
      successfulJobsHistoryLimit: i32,
      failedJobsHistoryLimit: i32,
    }),
    status: struct("CronJobStatus", { active: list(objectReference), lastScheduleTime: str, lastSuccessfulTime: str }),
  }),
};
