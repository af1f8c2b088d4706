/** The shape of policy/v1 PodDisruptionBudget (k8s.io/api policy/v1/types.go): JSON types for the decoder checks. */
import { i32, i64, ios, kind, labelSelector, list, map, str, strings, struct, type Schema } from "./schema-dsl.js";

export const POLICY_SCHEMAS: Readonly<Record<string, Schema>> = {
  PodDisruptionBudget: kind("PodDisruptionBudget", {
    spec: struct("PodDisruptionBudgetSpec", { minAvailable: ios, selector: labelSelector, maxUnavailable: ios, unhealthyPodEvictionPolicy: str }),
    status: struct("PodDisruptionBudgetStatus", {
      observedGeneration: i64,
      disruptedPods: map(str),
      disruptionsAllowed: i32,
      currentHealthy: i32,
      desiredHealthy: i32,
      expectedPods: i32,
      conditions: list(struct("Condition", { ...strings("type status lastTransitionTime reason message"), observedGeneration: i64 })),
    }),
  }),
};
