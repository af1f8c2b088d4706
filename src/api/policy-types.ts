/**
 * policy/v1 PodDisruptionBudget and Eviction as k8s.io/api policy/v1/types.go declares them. Only the fields nodelet
 * reads or writes are typed; unknown fields are kept by the store.
 */
import type { IntOrPercent } from "./apps-types.js";
import type { KubeObject, LabelSelector } from "./types.js";

/** The condition type, its reasons (policy/v1 types.go) and the cause type of a refused eviction. */
export const DISRUPTION_ALLOWED = "DisruptionAllowed";
export const PDB_REASONS = { sufficient: "SufficientPods", insufficient: "InsufficientPods", syncFailed: "SyncFailed" } as const;
export const DISRUPTION_BUDGET_CAUSE = "DisruptionBudget";

export type UnhealthyPodEvictionPolicy = "IfHealthyBudget" | "AlwaysAllow";

/** metav1.Condition: what PodDisruptionBudgetStatus.conditions holds. */
export interface MetaCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface PodDisruptionBudgetSpec {
  minAvailable?: IntOrPercent;
  selector?: LabelSelector;
  maxUnavailable?: IntOrPercent;
  unhealthyPodEvictionPolicy?: UnhealthyPodEvictionPolicy;
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  /** Pods the eviction API has deleted (name → time) that the controller has not yet seen go. */
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: MetaCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  spec: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}

/** metav1.DeleteOptions as an Eviction carries them. */
export interface EvictionDeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  dryRun?: string[];
}

export interface Eviction extends KubeObject {
  deleteOptions?: EvictionDeleteOptions;
}
