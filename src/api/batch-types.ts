/**
 * batch/v1 Job and CronJob as k8s.io/api batch/v1/types.go declares them. Only the fields nodelet reads or writes are
 * typed; unknown fields are kept by the store.
 */
import type { PodTemplateSpec } from "./apps-types.js";
import type { KubeObject, LabelSelector, ObjectMeta, ObjectReference } from "./types.js";

/** The labels and annotation the Job API and controller put on pods (batch/v1 types.go). */
export const JOB_LABELS = {
  controllerUid: "batch.kubernetes.io/controller-uid",
  legacyControllerUid: "controller-uid",
  jobName: "batch.kubernetes.io/job-name",
  legacyJobName: "job-name",
  completionIndex: "batch.kubernetes.io/job-completion-index",
} as const;

/** The finalizer that keeps a pod until the Job controller has counted it (JobTrackingFinalizer). */
export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";

export type CompletionMode = "NonIndexed" | "Indexed";

export type PodFailurePolicyAction = "FailJob" | "FailIndex" | "Ignore" | "Count";

export interface PodFailurePolicyOnExitCodesRequirement {
  containerName?: string;
  operator: "In" | "NotIn";
  values: number[];
}

export interface PodFailurePolicyOnPodConditionsPattern {
  type: string;
  status?: "True" | "False" | "Unknown";
}

export interface PodFailurePolicyRule {
  action: PodFailurePolicyAction;
  onExitCodes?: PodFailurePolicyOnExitCodesRequirement;
  onPodConditions?: PodFailurePolicyOnPodConditionsPattern[];
}

export interface PodFailurePolicy {
  rules: PodFailurePolicyRule[];
}

export interface JobSpec {
  parallelism?: number;
  completions?: number;
  activeDeadlineSeconds?: number;
  podFailurePolicy?: PodFailurePolicy;
  backoffLimit?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
  completionMode?: CompletionMode;
  suspend?: boolean;
  podReplacementPolicy?: "TerminatingOrFailed" | "Failed";
}

export interface JobCondition {
  /** Complete, Failed, Suspended, FailureTarget, SuccessCriteriaMet. */
  type: string;
  status: "True" | "False" | "Unknown";
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
  ready?: number;
}

export interface Job extends KubeObject {
  spec: JobSpec;
  status?: JobStatus;
}

export interface JobTemplateSpec {
  metadata?: ObjectMeta;
  spec: JobSpec;
}

export type ConcurrencyPolicy = "Allow" | "Forbid" | "Replace";

export interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: ConcurrencyPolicy;
  suspend?: boolean;
  jobTemplate: JobTemplateSpec;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
}

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export interface CronJob extends KubeObject {
  spec: CronJobSpec;
  status?: CronJobStatus;
}
