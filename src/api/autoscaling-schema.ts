/** The shape of autoscaling/v2 HorizontalPodAutoscaler (k8s.io/api autoscaling/v2/types.go): JSON types for the decoder checks. */
import { ANY, byKey, i32, i64, kind, list, qty, str, strings, struct, type Schema } from "./schema-dsl.js";

const target = struct("MetricTarget", { type: str, value: qty, averageValue: qty, averageUtilization: i32 });
const current = struct("MetricValueStatus", { value: qty, averageValue: qty, averageUtilization: i32 });
const rules = struct("HPAScalingRules", {
  stabilizationWindowSeconds: i32,
  selectPolicy: str,
  policies: list(struct("HPAScalingPolicy", { type: str, value: i32, periodSeconds: i32 })),
});

export const AUTOSCALING_SCHEMAS: Readonly<Record<string, Schema>> = {
  HorizontalPodAutoscaler: kind("HorizontalPodAutoscaler", {
    spec: struct("HorizontalPodAutoscalerSpec", {
      scaleTargetRef: struct("CrossVersionObjectReference", strings("kind name apiVersion")),
      minReplicas: i32,
      maxReplicas: i32,
      metrics: list(
        struct("MetricSpec", {
          type: str,
          resource: struct("ResourceMetricSource", { name: str, target }),
          containerResource: struct("ContainerResourceMetricSource", { name: str, container: str, target }),
          object: ANY,
          pods: ANY,
          external: ANY,
        }),
      ),
      behavior: struct("HorizontalPodAutoscalerBehavior", { scaleUp: rules, scaleDown: rules }),
    }),
    status: struct("HorizontalPodAutoscalerStatus", {
      observedGeneration: i64,
      lastScaleTime: str,
      currentReplicas: i32,
      desiredReplicas: i32,
      currentMetrics: list(
        struct("MetricStatus", {
          type: str,
          resource: struct("ResourceMetricStatus", { name: str, current }),
          containerResource: struct("ContainerResourceMetricStatus", { name: str, container: str, current }),
          object: ANY,
          pods: ANY,
          external: ANY,
        }),
      ),
      conditions: byKey(struct("HorizontalPodAutoscalerCondition", strings("type status lastTransitionTime reason message")), "type"),
    }),
  }),
};
