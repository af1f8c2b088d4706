/**
 * autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler (pkg/apis/autoscaling/v1/conversion.go). v1 has one
 * field for what v2 says with metrics: the CPU utilization target. What v1 cannot say travels in annotations, as
 * upstream does, so a v1 read-modify-write loses nothing: the other metrics (`autoscaling.alpha.kubernetes.io/
 * metrics`), the behavior, the conditions and the current metrics. Their JSON here is the v2 shape (upstream's
 * metrics annotations hold the older v2beta1-like shape).
 */
import { ApiError } from "./errors.js";
import {
  HPA_API_VERSION,
  HPA_V1_API_VERSION,
  type HorizontalPodAutoscaler,
  type HorizontalPodAutoscalerV1,
  type MetricSpec,
} from "./autoscaling-types.js";
import type { KubeObject } from "./types.js";

export const METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics";
export const BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior";
export const CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";
export const CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";
const ANNOTATIONS = [METRICS_ANNOTATION, BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, CURRENT_METRICS_ANNOTATION];

const isCpuUtilization = (m: MetricSpec): boolean => m.type === "Resource" && m.resource?.name === "cpu" && m.resource.target?.type === "Utilization";

function parseAnnotation(annotations: Record<string, string>, key: string): unknown {
  try {
    return JSON.parse(annotations[key]) as unknown;
  } catch (err) {
    throw ApiError.badRequest(`annotation ${key}: ${(err as Error).message}`);
  }
}

/** A v1 object as a client sent it → the v2 object the store keeps. */
export function hpaFromV1(obj: KubeObject): KubeObject {
  const v1 = obj as HorizontalPodAutoscalerV1;
  const { targetCPUUtilizationPercentage: cpu, ...spec } = v1.spec ?? ({} as HorizontalPodAutoscalerV1["spec"]);
  const annotations = { ...(v1.metadata.annotations ?? {}) };
  const metrics: MetricSpec[] = [];
  if (cpu !== undefined && cpu !== null) metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } } });
  const out: HorizontalPodAutoscaler = { ...v1, apiVersion: HPA_API_VERSION, spec: { ...spec } };
  if (annotations[METRICS_ANNOTATION] !== undefined) {
    const more = parseAnnotation(annotations, METRICS_ANNOTATION);
    if (!Array.isArray(more)) throw ApiError.badRequest(`annotation ${METRICS_ANNOTATION}: not a list of metrics`);
    metrics.push(...(more as MetricSpec[]));
  }
  if (metrics.length) out.spec.metrics = metrics;
  if (annotations[BEHAVIOR_ANNOTATION] !== undefined) out.spec.behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION) as HorizontalPodAutoscaler["spec"]["behavior"];
  if (v1.status) {
    const { currentCPUUtilizationPercentage: _cpu, ...status } = v1.status;
    out.status = { ...status };
    if (annotations[CONDITIONS_ANNOTATION] !== undefined) out.status.conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION) as NonNullable<HorizontalPodAutoscaler["status"]>["conditions"];
    if (annotations[CURRENT_METRICS_ANNOTATION] !== undefined) out.status.currentMetrics = parseAnnotation(annotations, CURRENT_METRICS_ANNOTATION) as NonNullable<HorizontalPodAutoscaler["status"]>["currentMetrics"];
  }
  for (const a of ANNOTATIONS) delete annotations[a];
  out.metadata = { ...v1.metadata };
  if (Object.keys(annotations).length) out.metadata.annotations = annotations;
  else delete out.metadata.annotations;
  return out;
}

/** The stored v2 object as a v1 client reads it. */
export function hpaToV1(obj: KubeObject): KubeObject {
  const hpa = obj as HorizontalPodAutoscaler;
  const { metrics, behavior, ...spec } = hpa.spec;
  const annotations: Record<string, string> = { ...(hpa.metadata.annotations ?? {}) };
  const cpu = metrics?.find(isCpuUtilization);
  const others = (metrics ?? []).filter((m) => m !== cpu);
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(behavior);
  const { status: _status, ...rest } = hpa;
  const out: HorizontalPodAutoscalerV1 = {
    ...rest,
    apiVersion: HPA_V1_API_VERSION,
    metadata: { ...hpa.metadata },
    spec: { ...spec, ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource?.target.averageUtilization } : {}) },
  };
  if (hpa.status) {
    const { currentMetrics, conditions, ...status } = hpa.status;
    const currentCpu = currentMetrics?.find((m) => m.type === "Resource" && m.resource?.name === "cpu")?.resource?.current.averageUtilization;
    out.status = { ...status, currentReplicas: status.currentReplicas ?? 0, ...(currentCpu !== undefined ? { currentCPUUtilizationPercentage: currentCpu } : {}) };
    if (conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
    if (currentMetrics?.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(currentMetrics);
  }
  if (Object.keys(annotations).length) out.metadata.annotations = annotations;
  return out;
}
