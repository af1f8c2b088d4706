/**
 * Defaulting and validation of apps/v1 Deployment and ReplicaSet (SetDefaults_Deployment / SetDefaults_ReplicaSet in
 * pkg/apis/apps/v1/defaults.go; ValidateDeployment(Update), ValidateReplicaSet(Update) in
 * pkg/apis/apps/validation/validation.go), and the conversion to and from the autoscaling/v1 Scale the `scale`
 * subresource serves.
 */
import type { Deployment, IntOrPercent, PodTemplateSpec, ReplicaSet, Scale, StatefulSet } from "./apps-types.js";
import { FieldError } from "./errors.js";
import { child, forbidden, invalid, notSupported, required, type ErrorList } from "./field.js";
import { deepEqual } from "./json.js";
import { labelSelectorToString, selects } from "./labels.js";
import { validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import { setPodSpecDefaults } from "./pod-defaults.js";
import { validatePodSpec } from "./pod-validation.js";
import { strategy } from "./strategy.js";
import type { LabelSelector } from "./types.js";

export const DEFAULT_MAX_SURGE = "25%";
export const DEFAULT_MAX_UNAVAILABLE = "25%";

// ---------------------------------------------------------------------------------------------------------------
// Defaults

export function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (t && typeof t === "object") setPodSpecDefaults((t.spec ??= { containers: [] }));
}

/** SetDefaults_Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600. */
export function setDeploymentDefaults(d: Deployment): void {
  const spec = (d.spec ??= {} as Deployment["spec"]);
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  const st = (spec.strategy ??= {});
  if (!st.type) st.type = "RollingUpdate";
  if (st.type === "RollingUpdate") {
    const ru = (st.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = DEFAULT_MAX_UNAVAILABLE;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = DEFAULT_MAX_SURGE;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultTemplate(spec.template);
}

/** SetDefaults_ReplicaSet: replicas 1. */
export function setReplicaSetDefaults(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {} as ReplicaSet["spec"]);
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultTemplate(spec.template);
}

// ---------------------------------------------------------------------------------------------------------------
// Go's %#v of the values the apps validators report (field errors print non-scalar values that way)

/** A label map as Go's %#v prints it in an Invalid error (`map[string]string{"app":"x"}`). */
export function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return "map[string]string(nil)";
  const parts = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return `map[string]string{${parts.join(", ")}}`;
}

/** `v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`. */
export function goLabelSelector(sel: LabelSelector): string {
  const exprs = sel.matchExpressions?.length
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:[]string{${(e.values ?? []).map((v) => JSON.stringify(v)).join(", ")}}}`)
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

export function goIntOrString(v: IntOrPercent): string {
  return typeof v === "number" ? `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}` : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`;
}

/** An Invalid error whose value is already formatted as Go prints it. */
export function invalidGo(field: string, goValue: string, detail: string): FieldError {
  return new FieldError(field, `Invalid value: ${goValue}: ${detail}`, "FieldValueInvalid");
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const NON_NEGATIVE = "must be greater than or equal to 0";

export function nonNegative(v: number | undefined, path: string): ErrorList {
  return v !== undefined && v !== null && v < 0 ? [invalid(path, v, NON_NEGATIVE)] : [];
}

/** ValidateLabelSelector plus the apps rules: required, not empty, and matching the template's labels. */
/** `workload` names the kind in the activeDeadlineSeconds message. */
export function validateSelectorAndTemplate(sel: LabelSelector | undefined, template: PodTemplateSpec | undefined, kindName: string, path: string, workload = "ReplicaSet"): ErrorList {
  const errs: ErrorList = [];
  const selPath = child(path, "selector");
  if (!sel) errs.push(required(selPath));
  else {
    errs.push(...validateLabelSelector(sel, selPath));
    if (!Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length) {
      errs.push(invalidGo(selPath, goLabelSelector(sel), `empty selector is invalid for ${kindName}`));
    }
  }
  const tPath = child(path, "template");
  if (!template || typeof template !== "object") {
    errs.push(required(tPath));
    return errs;
  }
  const labels = template.metadata?.labels;
  errs.push(...validateLabels(labels, child(tPath, "metadata", "labels")));
  if (sel && errs.length === 0 && !selects(sel, labels)) {
    errs.push(invalidGo(child(tPath, "metadata", "labels"), goStringMap(labels), "`selector` does not match template `labels`"));
  }
  if (!template.spec) errs.push(required(child(tPath, "spec")));
  else {
    errs.push(...validatePodSpec(template.spec, child(tPath, "spec")));
    const rp = template.spec.restartPolicy;
    if (rp !== "Always") errs.push(notSupported(child(tPath, "spec", "restartPolicy"), rp, ["Always"]));
    if (template.spec.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
      errs.push(forbidden(child(tPath, "spec", "activeDeadlineSeconds"), `activeDeadlineSeconds in ${workload} is not Supported`));
    }
  }
  return errs;
}

const PERCENT = /^[0-9]+%$/;

/** The value of an int-or-percent field, or an error (ValidatePositiveIntOrPercent, IsNotMoreThan100Percent). */
export function validateIntOrPercent(v: IntOrPercent | undefined, path: string, max100: boolean): ErrorList {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") {
    if (!PERCENT.test(v)) {
      return [invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
    }
    if (max100 && Number.parseInt(v, 10) > 100) return [invalidGo(path, goIntOrString(v), "must not be greater than 100%")];
    return [];
  }
  return v < 0 ? [invalidGo(path, goIntOrString(v), NON_NEGATIVE)] : [];
}

export function isZero(v: IntOrPercent | undefined): boolean {
  return v === 0 || v === "0%";
}

function validateStrategy(d: Deployment, path: string): ErrorList {
  const st = d.spec.strategy ?? {};
  const p = child(path, "strategy");
  if (st.type !== "RollingUpdate" && st.type !== "Recreate") return [notSupported(child(p, "type"), st.type, ["Recreate", "RollingUpdate"])];
  if (st.type === "Recreate") {
    return st.rollingUpdate ? [forbidden(child(p, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  const ru = st.rollingUpdate;
  if (!ru) return [required(child(p, "rollingUpdate"), "this should be defaulted and never be nil")];
  const rp = child(p, "rollingUpdate");
  const errs = [...validateIntOrPercent(ru.maxUnavailable, child(rp, "maxUnavailable"), true), ...validateIntOrPercent(ru.maxSurge, child(rp, "maxSurge"), false)];
  if (isZero(ru.maxSurge) && isZero(ru.maxUnavailable)) {
    errs.push(invalidGo(child(rp, "maxUnavailable"), goIntOrString(ru.maxUnavailable as IntOrPercent), "may not be 0 when `maxSurge` is 0"));
  }
  return errs;
}

/** ValidateDeploymentSpec. */
export function validateDeploymentSpec(d: Deployment): ErrorList {
  const spec = d.spec;
  if (!spec || typeof spec !== "object") return [required("spec")];
  const errs = [...nonNegative(spec.replicas, "spec.replicas"), ...validateSelectorAndTemplate(spec.selector, spec.template, "deployment", "spec")];
  errs.push(...validateStrategy(d, "spec"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  const pds = spec.progressDeadlineSeconds;
  if (pds !== undefined && pds !== null) {
    errs.push(...nonNegative(pds, "spec.progressDeadlineSeconds"));
    if (pds <= (spec.minReadySeconds ?? 0)) errs.push(invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
  }
  return errs;
}

/** ValidateReplicaSetSpec. */
export function validateReplicaSetSpec(rs: ReplicaSet): ErrorList {
  const spec = rs.spec;
  if (!spec || typeof spec !== "object") return [required("spec")];
  return [
    ...nonNegative(spec.replicas, "spec.replicas"),
    ...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"),
    ...validateSelectorAndTemplate(spec.selector, spec.template, "deployment", "spec"),
  ];
}

/** apps/v1 selectors are immutable. */
export function validateSelectorUnchanged(sel: LabelSelector | undefined, old: LabelSelector | undefined): ErrorList {
  if (deepEqual(sel ?? null, old ?? null)) return [];
  return [invalidGo("spec.selector", goLabelSelector(sel ?? {}), "field is immutable")];
}

export const deploymentStrategy = strategy<Deployment>({
  hasStatus: true,
  defaults: setDeploymentDefaults,
  prepareForCreate: (d) => {
    d.status = {};
  },
  validateCreate: (d) => [...validateObjectMeta(d.metadata, true, nameIsDNSSubdomain), ...validateDeploymentSpec(d)],
  validateUpdate: (d, old) => [
    ...validateObjectMetaUpdate(d.metadata, old.metadata),
    ...validateDeploymentSpec(d),
    ...validateSelectorUnchanged(d.spec?.selector, old.spec?.selector),
  ],
});

export const replicaSetStrategy = strategy<ReplicaSet>({
  hasStatus: true,
  defaults: setReplicaSetDefaults,
  prepareForCreate: (rs) => {
    rs.status = { replicas: 0 };
  },
  validateCreate: (rs) => [...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain), ...validateReplicaSetSpec(rs)],
  validateUpdate: (rs, old) => [
    ...validateObjectMetaUpdate(rs.metadata, old.metadata),
    ...validateReplicaSetSpec(rs),
    ...validateSelectorUnchanged(rs.spec?.selector, old.spec?.selector),
  ],
});

// ---------------------------------------------------------------------------------------------------------------
// Scale subresource

/** The kinds with a `scale` subresource and how their replica count and selector read. */
type Scalable = Deployment | ReplicaSet | StatefulSet;

/** The autoscaling/v1 Scale view of a Deployment, ReplicaSet or StatefulSet (scaleFromDeployment in pkg/registry/apps). */
export function scaleOf(obj: Scalable): Scale {
  const m = obj.metadata;
  let selector: string | undefined;
  try {
    selector = obj.spec.selector ? labelSelectorToString(obj.spec.selector) : undefined;
  } catch {
    selector = undefined;
  }
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, ...(selector !== undefined ? { selector } : {}) },
  };
}

/** ValidateScale: a replica count, not negative. */
export function validateScale(scale: Scale): ErrorList {
  const r = scale.spec?.replicas;
  if (r !== undefined && r !== null && (typeof r !== "number" || !Number.isInteger(r))) return [invalid("spec.replicas", r, "must be an integer")];
  return nonNegative(r, "spec.replicas");
}

/** The object with the Scale's replica count written into its spec. */
export function withScale<T extends Scalable>(obj: T, scale: Scale): T {
  return { ...obj, spec: { ...obj.spec, replicas: scale.spec?.replicas ?? 0 } };
}
