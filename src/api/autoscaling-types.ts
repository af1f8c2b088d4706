/**
 * autoscaling/v2 HorizontalPodAutoscaler as k8s.io/api autoscaling/v2/types.go declares it (the stored version),
 * and autoscaling/v1's, the older view `kubectl autoscale` 1.32 writes (converted by autoscaling-v1.ts).
 */
import type { KubeObject } from "./types.js";

export const HPA_API_VERSION = "autoscaling/v2";
export const HPA_V1_API_VERSION = "autoscaling/v1";

/** CrossVersionObjectReference: the scaled object (Deployment, ReplicaSet, StatefulSet). */
export interface CrossVersionObjectReference {
  kind: string;
  name: string;
  apiVersion?: string;
}

export type MetricSourceType = "Object" | "Pods" | "Resource" | "ContainerResource" | "External";
export type MetricTargetType = "Utilization" | "Value" | "AverageValue";

export interface MetricTarget {
  type: MetricTargetType;
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

export interface ResourceMetricSource {
  name: string;
  target: MetricTarget;
}

export interface ContainerResourceMetricSource extends ResourceMetricSource {
  container: string;
}

/** One metric of spec.metrics. Object, Pods and External sources are kept as written; only resources are measured here. */
export interface MetricSpec {
  type: MetricSourceType;
  resource?: ResourceMetricSource;
  containerResource?: ContainerResourceMetricSource;
  object?: Record<string, unknown>;
  pods?: Record<string, unknown>;
  external?: Record<string, unknown>;
}

export type ScalingPolicyType = "Pods" | "Percent";
export type ScalingPolicySelect = "Max" | "Min" | "Disabled";

export interface HPAScalingPolicy {
  type: ScalingPolicyType;
  value: number;
  periodSeconds: number;
}

export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: ScalingPolicySelect;
  policies?: HPAScalingPolicy[];
}

export interface HorizontalPodAutoscalerBehavior {
  scaleUp?: HPAScalingRules;
  scaleDown?: HPAScalingRules;
}

export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: CrossVersionObjectReference;
  minReplicas?: number;
  maxReplicas: number;
  metrics?: MetricSpec[];
  behavior?: HorizontalPodAutoscalerBehavior;
}

export interface MetricValueStatus {
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

export interface MetricStatus {
  type: MetricSourceType;
  resource?: { name: string; current: MetricValueStatus };
  containerResource?: { name: string; container: string; current: MetricValueStatus };
}

export type HpaConditionType = "ScalingActive" | "AbleToScale" | "ScalingLimited";

export interface HorizontalPodAutoscalerCondition {
  type: HpaConditionType;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface HorizontalPodAutoscalerStatus {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas?: number;
  desiredReplicas: number;
  currentMetrics?: MetricStatus[];
  conditions?: HorizontalPodAutoscalerCondition[];
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: HorizontalPodAutoscalerSpec;
  status?: HorizontalPodAutoscalerStatus;
}

/** autoscaling/v1: one CPU target; the rest travels in annotations (autoscaling-v1.ts). */
export interface HorizontalPodAutoscalerV1 extends KubeObject {
  spec: {
    scaleTargetRef: CrossVersionObjectReference;
    minReplicas?: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage?: number;
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas: number;
    desiredReplicas: number;
    currentCPUUtilizationPercentage?: number;
  };
}
