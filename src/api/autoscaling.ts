/**
 * autoscaling/v2 HorizontalPodAutoscaler: defaults (pkg/apis/autoscaling/v2/defaults.go), validation
 * (pkg/apis/autoscaling/validation) with Kubernetes' field errors, and the strategy (status is the controller's;
 * a new object starts with an empty status).
 */
import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricTarget } from "./autoscaling-types.js";
import { child, forbidden, index, invalid, notSupported, required, type ErrorList } from "./field.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import { tryParseQuantity } from "./quantity.js";
import { rbacName } from "./rbac.js";
import { strategy } from "./strategy.js";

/** autoscaling.DefaultCPUUtilization: the target when no metric is given. */
export const DEFAULT_CPU_UTILIZATION = 80;
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const SOURCE_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"] as const;
const SELECT_POLICIES = ["Disabled", "Max", "Min"];
const POLICY_TYPES = ["Percent", "Pods"];

/** GenerateHPAScaleUpRules: what a behavior's missing scaleUp fields become. */
export function scaleUpRules(given: HPAScalingRules | undefined): HPAScalingRules {
  return {
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? 0,
    selectPolicy: given?.selectPolicy ?? "Max",
    policies: given?.policies ?? [
      { type: "Pods", value: 4, periodSeconds: 15 },
      { type: "Percent", value: 100, periodSeconds: 15 },
    ],
  };
}

/** GenerateHPAScaleDownRules: the stabilization window stays unset (the controller's 300 s default applies). */
export function scaleDownRules(given: HPAScalingRules | undefined): HPAScalingRules {
  const out: HPAScalingRules = {
    selectPolicy: given?.selectPolicy ?? "Max",
    policies: given?.policies ?? [{ type: "Percent", value: 100, periodSeconds: 15 }],
  };
  if (given?.stabilizationWindowSeconds !== undefined) out.stabilizationWindowSeconds = given.stabilizationWindowSeconds;
  return out;
}

export function defaultHpa(hpa: HorizontalPodAutoscaler): void {
  hpa.spec ??= {} as HorizontalPodAutoscaler["spec"];
  const spec = hpa.spec;
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (spec.behavior) spec.behavior = { scaleUp: scaleUpRules(spec.behavior.scaleUp), scaleDown: scaleDownRules(spec.behavior.scaleDown) };
}

/** ValidateCrossVersionObjectReference. */
function validateTargetRef(ref: HorizontalPodAutoscaler["spec"]["scaleTargetRef"] | undefined, path: string): ErrorList {
  const errs: ErrorList = [];
  for (const f of ["kind", "name"] as const) {
    const v = ref?.[f];
    if (!v) errs.push(required(child(path, f)));
    else for (const msg of rbacName(v, false)) errs.push(invalid(child(path, f), v, msg));
  }
  return errs;
}

function positive(q: string | undefined): boolean {
  const v = q === undefined ? undefined : tryParseQuantity(q);
  return typeof v === "object" && v.nanos > 0n;
}

/** validateMetricTarget. */
function validateTarget(t: MetricTarget | undefined, path: string): ErrorList {
  const errs: ErrorList = [];
  const type = t?.type as string | undefined;
  if (!type) errs.push(required(child(path, "type"), "must specify a metric target type"));
  if (type !== "Utilization" && type !== "Value" && type !== "AverageValue") errs.push(invalid(child(path, "type"), type ?? "", "must be either Utilization, Value, or AverageValue"));
  if (t?.value !== undefined && !positive(t.value)) errs.push(invalid(child(path, "value"), t.value, "must be positive"));
  if (t?.averageValue !== undefined && !positive(t.averageValue)) errs.push(invalid(child(path, "averageValue"), t.averageValue, "must be positive"));
  if (t?.averageUtilization !== undefined && t.averageUtilization < 1) errs.push(invalid(child(path, "averageUtilization"), t.averageUtilization, "must be greater than 0"));
  return errs;
}

/** validateResourceSource / validateContainerResourceSource. */
function validateResource(src: { name?: string; container?: string; target?: MetricTarget }, path: string, container: boolean): ErrorList {
  const errs: ErrorList = [];
  if (!src.name) errs.push(required(child(path, "name"), "must specify a resource name"));
  if (container && !src.container) errs.push(required(child(path, "container"), "must specify a container"));
  errs.push(...validateTarget(src.target, child(path, "target")));
  const t = src.target;
  if (t?.averageUtilization === undefined && t?.averageValue === undefined) {
    errs.push(required(child(path, "target", "averageUtilization"), "must set either a target raw value or a target utilization"));
  }
  if (t?.averageUtilization !== undefined && t.averageValue !== undefined) {
    errs.push(forbidden(child(path, "target", "averageValue"), "may not set both a target raw value and a target utilization"));
  }
  return errs;
}

const SOURCE_FIELD: Record<(typeof SOURCE_TYPES)[number], keyof MetricSpec> = {
  Object: "object",
  Pods: "pods",
  Resource: "resource",
  ContainerResource: "containerResource",
  External: "external",
};

/** validateMetricSpec: a known type, its source present and no other source. */
function validateMetric(m: MetricSpec, path: string): ErrorList {
  const errs: ErrorList = [];
  const type = m.type as string | undefined;
  if (!type) errs.push(required(child(path, "type"), "must specify a metric source type"));
  const known = (SOURCE_TYPES as readonly string[]).includes(type ?? "");
  if (!known) errs.push(notSupported(child(path, "type"), type ?? "", SOURCE_TYPES));
  const present = Object.values(SOURCE_FIELD).filter((f) => m[f] !== undefined && m[f] !== null);
  if (m.resource && present[0] === "resource") errs.push(...validateResource(m.resource, child(path, "resource"), false));
  if (m.containerResource && present[0] === "containerResource") errs.push(...validateResource(m.containerResource, child(path, "containerResource"), true));
  if (!known) return errs;
  const expected = SOURCE_FIELD[type as (typeof SOURCE_TYPES)[number]];
  if (!present.includes(expected)) errs.push(required(child(path, expected), "must populate information for the given metric source"));
  if (present.length !== 1) for (const f of present.filter((f) => f !== expected)) errs.push(forbidden(child(path, f), "must populate the given metric source only"));
  return errs;
}

function validateRules(rules: HPAScalingRules | undefined, path: string): ErrorList {
  if (!rules) return [];
  const errs: ErrorList = [];
  const w = rules.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) errs.push(invalid(child(path, "stabilizationWindowSeconds"), w, "must be greater than or equal to zero"));
  if (w !== undefined && w > MAX_STABILIZATION_WINDOW_SECONDS) errs.push(invalid(child(path, "stabilizationWindowSeconds"), w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  if (rules.selectPolicy !== undefined && !SELECT_POLICIES.includes(rules.selectPolicy)) errs.push(notSupported(child(path, "selectPolicy"), rules.selectPolicy, SELECT_POLICIES));
  const policies = child(path, "policies");
  if (!rules.policies?.length) errs.push(required(policies, "must specify at least one Policy"));
  (rules.policies ?? []).forEach((p, i) => {
    const at = index(policies, i);
    if (!POLICY_TYPES.includes(p.type)) errs.push(notSupported(child(at, "type"), p.type, POLICY_TYPES));
    if (!(p.value > 0)) errs.push(invalid(child(at, "value"), p.value, "must be greater than zero"));
    if (!(p.periodSeconds > 0)) errs.push(invalid(child(at, "periodSeconds"), p.periodSeconds, "must be greater than zero"));
    if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.push(invalid(child(at, "periodSeconds"), p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

/** validateHorizontalPodAutoscalerSpec: replica bounds, then the target, the metrics and the behavior, the first that fails. */
export function validateHpaSpec(hpa: HorizontalPodAutoscaler): ErrorList {
  const spec = hpa.spec;
  const errs: ErrorList = [];
  if (spec.minReplicas !== undefined && spec.minReplicas < 1) errs.push(invalid("spec.minReplicas", spec.minReplicas, "must be greater than or equal to 1"));
  if (!(spec.maxReplicas >= 1)) errs.push(invalid("spec.maxReplicas", spec.maxReplicas ?? 0, "must be greater than 0"));
  if (spec.minReplicas !== undefined && spec.maxReplicas < spec.minReplicas) errs.push(invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than or equal to `minReplicas`"));
  const ref = validateTargetRef(spec.scaleTargetRef, "spec.scaleTargetRef");
  if (ref.length) return [...errs, ...ref];
  const metrics = (spec.metrics ?? []).flatMap((m, i) => validateMetric(m, index("spec.metrics", i)));
  if (metrics.length) return [...errs, ...metrics];
  const b = spec.behavior;
  return [...errs, ...validateRules(b?.scaleUp, "spec.behavior.scaleUp"), ...validateRules(b?.scaleDown, "spec.behavior.scaleDown")];
}

export const horizontalPodAutoscalerStrategy = strategy<HorizontalPodAutoscaler>({
  hasStatus: true,
  defaults: defaultHpa,
  prepareForCreate: (hpa) => {
    hpa.status = { desiredReplicas: 0 };
  },
  validateCreate: (hpa) => [...validateObjectMeta(hpa.metadata, true, nameIsDNSSubdomain), ...validateHpaSpec(hpa)],
  validateUpdate: (hpa, old) => [...validateObjectMetaUpdate(hpa.metadata, old.metadata), ...validateHpaSpec(hpa)],
});
