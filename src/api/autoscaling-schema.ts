/** The shape of autoscaling/v2 HorizontalPodAutoscaler (k8s.io/api autoscaling/v2/types.go): JSON types for the decoder checks. */
import { ANY, byKey, i32, i64, kind, list, qty, str, strings, struct, type Schema } from "./schema-dsl.js";

const values = { value: qty, averageValue: qty, averageUtilization: i32 };
const target = struct("MetricTarget", { type: str, ...values });
const current = struct("MetricValueStatus", values);
const rules = struct("HPAScalingRules", {
  stabilizationWindowSeconds: i32,
  selectPolicy: str,
  policies: list(struct("HPAScalingPolicy", { type: str, value: i32, periodSeconds: i32 })),
});

/**
 * A metric of the spec (MetricSpec, its sources …MetricSource with a `target`) or of the status (MetricStatus,
 * …MetricStatus with `current`): upstream gives both the same shape. Object, Pods and External metrics are not
 * served by this node's metrics and pass undecoded.
 */
function metric(go: "MetricSpec" | "MetricStatus", part: "Source" | "Status", field: "target" | "current", value: Schema): Schema {
  return struct(go, {
    type: str,
    resource: struct(`ResourceMetric${part}`, { name: str, [field]: value }),
    containerResource: struct(`ContainerResourceMetric${part}`, { name: str, container: str, [field]: value }),
    object: ANY,
    pods: ANY,
    external: ANY,
  });
}

export const AUTOSCALING_SCHEMAS: Readonly<Record<string, Schema>> = {
  HorizontalPodAutoscaler: kind("HorizontalPodAutoscaler", {
    spec: struct("HorizontalPodAutoscalerSpec", {
      scaleTargetRef: struct("CrossVersionObjectReference", strings("kind name apiVersion")),
      minReplicas: i32,
      maxReplicas: i32,
      metrics: list(metric("MetricSpec", "Source", "target", target)),
      behavior: struct("HorizontalPodAutoscalerBehavior", { scaleUp: rules, scaleDown: rules }),
    }),
    status: struct("HorizontalPodAutoscalerStatus", {
      observedGeneration: i64,
      lastScaleTime: str,
      currentReplicas: i32,
      desiredReplicas: i32,
      currentMetrics: list(metric("MetricStatus", "Status", "current", current)),
      conditions: byKey(struct("HorizontalPodAutoscalerCondition", strings("type status lastTransitionTime reason message")), "type"),
    }),
  }),
};
