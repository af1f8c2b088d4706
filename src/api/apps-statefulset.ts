/**
 * Defaulting and validation of apps/v1 StatefulSet, DaemonSet (SetDefaults_StatefulSet/_DaemonSet in
 * pkg/apis/apps/v1/defaults.go; ValidateStatefulSet(Update), ValidateDaemonSet(Update) in
 * pkg/apis/apps/validation/validation.go) and ControllerRevision (ValidateControllerRevision(Update)).
 *
 * One deliberate difference: Kubernetes leaves the StatefulSet's pod spec unvalidated (its TODO: mounts of claim
 * templates would fail the volume check) and reports bad templates later as FailedCreate events. Here the pod spec
 * is validated with each claim template counted as a volume of that name, so a bad template is refused up front.
 */
import {
  defaultTemplate,
  goIntOrString,
  invalidGo,
  isZero,
  nonNegative,
  validateIntOrPercent,
  validateSelectorAndTemplate,
  validateSelectorUnchanged,
} from "./apps.js";
import type { ControllerRevision, DaemonSet, IntOrPercent, PodTemplateSpec, StatefulSet } from "./apps-types.js";
import { FieldError } from "./errors.js";
import { child, forbidden, index, invalid, notSupported, required, type ErrorList } from "./field.js";
import { deepEqual } from "./json.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import { canonicalizeResourceList, validatePersistentVolumeClaim } from "./persistent-volume.js";
import { strategy } from "./strategy.js";
import type { PersistentVolumeClaim } from "./types.js";

const RETENTION = ["Retain", "Delete"] as const;

/** SetDefaults_StatefulSet, and SetDefaults_PersistentVolumeClaim on each claim template. */
export function setStatefulSetDefaults(ss: StatefulSet): void {
  const spec = (ss.spec ??= {} as StatefulSet["spec"]);
  if (!spec.podManagementPolicy) spec.podManagementPolicy = "OrderedReady";
  const us = (spec.updateStrategy ??= {});
  if (!us.type) us.type = "RollingUpdate";
  if (us.type === "RollingUpdate") {
    const ru = (us.rollingUpdate ??= {});
    if (ru.partition === undefined || ru.partition === null) ru.partition = 0;
  }
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (!retention.whenDeleted) retention.whenDeleted = "Retain";
  if (!retention.whenScaled) retention.whenScaled = "Retain";
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  for (const t of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
    if (!t || typeof t !== "object") continue;
    t.spec ??= {};
    if (!t.spec.volumeMode) t.spec.volumeMode = "Filesystem";
    canonicalizeResourceList(t.spec.resources?.requests);
    canonicalizeResourceList(t.spec.resources?.limits);
    t.status ??= {};
    if (!t.status.phase) t.status.phase = "Pending";
  }
  defaultTemplate(spec.template);
}

/** The template as the pods will see it: each claim template is a persistentVolumeClaim volume of its name. */
function withClaimVolumes(template: PodTemplateSpec | undefined, claims: PersistentVolumeClaim[]): PodTemplateSpec | undefined {
  if (!template || typeof template !== "object" || !template.spec || typeof template.spec !== "object") return template;
  const volumes = [...(template.spec.volumes ?? [])];
  for (const c of claims) {
    const name = c.metadata?.name;
    if (name && !volumes.some((v) => v.name === name)) volumes.push({ name, persistentVolumeClaim: { claimName: name } });
  }
  return { ...template, spec: { ...template.spec, volumes } };
}

/** Each claim template as a claim: a name, and a claim spec that would be admitted. */
function validateClaimTemplates(ss: StatefulSet, path: string): ErrorList {
  const errs: ErrorList = [];
  const seen = new Set<string>();
  (ss.spec.volumeClaimTemplates ?? []).forEach((t, i) => {
    const p = index(path, i);
    const name = t?.metadata?.name;
    if (!name) return errs.push(required(child(p, "metadata", "name"), "name or generateName is required"));
    if (seen.has(name)) errs.push(new FieldError(child(p, "metadata", "name"), `Duplicate value: "${name}"`, "FieldValueDuplicate"));
    seen.add(name);
    const claim = { ...t, metadata: { ...t.metadata, namespace: ss.metadata?.namespace || "default" } };
    for (const e of validatePersistentVolumeClaim(claim)) errs.push(new FieldError(`${p}.${e.field}`, e.detail, e.reason));
  });
  return errs;
}

/** ValidateStatefulSetSpec. */
export function validateStatefulSetSpec(ss: StatefulSet): ErrorList {
  const spec = ss.spec;
  if (!spec || typeof spec !== "object") return [required("spec")];
  const errs: ErrorList = [];
  const pmp = spec.podManagementPolicy as string | undefined;
  if (!pmp) errs.push(required("spec.podManagementPolicy"));
  else if (pmp !== "OrderedReady" && pmp !== "Parallel") errs.push(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = spec.updateStrategy ?? {};
  const type = us.type as string | undefined;
  if (!type) errs.push(required("spec.updateStrategy"));
  else if (type === "OnDelete") {
    if (us.rollingUpdate) errs.push(invalid("spec.updateStrategy.rollingUpdate", us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (type === "RollingUpdate") {
    errs.push(...nonNegative(us.rollingUpdate?.partition, "spec.updateStrategy.rollingUpdate.partition"));
  } else errs.push(invalid("spec.updateStrategy", us, "must be 'RollingUpdate' or 'OnDelete'"));
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start, "spec.ordinals.start"));
  const rp = spec.persistentVolumeClaimRetentionPolicy;
  if (rp) {
    for (const f of ["whenDeleted", "whenScaled"] as const) {
      if (!RETENTION.includes(rp[f] as (typeof RETENTION)[number])) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, rp[f], RETENTION));
    }
  }
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  errs.push(...validateSelectorAndTemplate(spec.selector, withClaimVolumes(spec.template, claims), "statefulset", "spec", "StatefulSet"));
  errs.push(...validateClaimTemplates(ss, "spec.volumeClaimTemplates"));
  return errs;
}

/** The spec fields an update may change (ValidateStatefulSetUpdate). */
const MUTABLE = ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"] as const;

function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): ErrorList {
  const errs = [...validateObjectMetaUpdate(ss.metadata, old.metadata), ...validateStatefulSetSpec(ss)];
  const strip = (s: StatefulSet["spec"] | undefined): Record<string, unknown> => {
    const c: Record<string, unknown> = { ...(s ?? {}) };
    for (const f of MUTABLE) delete c[f];
    return c;
  };
  if (!deepEqual(strip(ss.spec), strip(old.spec))) {
    errs.push(
      forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export const statefulSetStrategy = strategy<StatefulSet>({
  hasStatus: true,
  defaults: setStatefulSetDefaults,
  prepareForCreate: (ss) => {
    ss.status = { replicas: 0, availableReplicas: 0 };
  },
  validateCreate: (ss) => [...validateObjectMeta(ss.metadata, true, nameIsDNSSubdomain), ...validateStatefulSetSpec(ss)],
  validateUpdate: validateStatefulSetUpdate,
});

/** ControllerRevision: data is required and, like the revision's identity, never changes. */
export const controllerRevisionStrategy = strategy<ControllerRevision>({
  hasStatus: false,
  defaults: () => undefined,
  validateCreate: (cr) => [
    ...validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain),
    ...(cr.data === undefined || cr.data === null ? [required("data", "data is mandatory")] : []),
    ...nonNegative(cr.revision, "revision"),
  ],
  validateUpdate: (cr, old) => [
    ...validateObjectMetaUpdate(cr.metadata, old.metadata),
    ...nonNegative(cr.revision, "revision"),
    ...(deepEqual(cr.data ?? null, old.data ?? null) ? [] : [invalid("data", "", "field is immutable")]),
  ],
});

// ---------------------------------------------------------------------------------------------------------------
// DaemonSet (SetDefaults_DaemonSet, ValidateDaemonSet(Update))

/** The v1 annotation carrying the template generation (bumped on each template change). */
export const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

export function setDaemonSetDefaults(ds: DaemonSet): void {
  const spec = (ds.spec ??= {} as DaemonSet["spec"]);
  const us = (spec.updateStrategy ??= {});
  if (!us.type) us.type = "RollingUpdate";
  if (us.type === "RollingUpdate") {
    const ru = (us.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  defaultTemplate(spec.template);
}

export function validateDaemonSetSpec(ds: DaemonSet): ErrorList {
  const spec = ds.spec;
  if (!spec || typeof spec !== "object") return [required("spec")];
  const errs = validateSelectorAndTemplate(spec.selector, spec.template, "daemonset", "spec", "DaemonSet");
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  const us = spec.updateStrategy ?? {};
  const type = us.type as string | undefined;
  if (!type) errs.push(required("spec.updateStrategy.type"));
  else if (type !== "RollingUpdate" && type !== "OnDelete") errs.push(notSupported("spec.updateStrategy.type", type, ["OnDelete", "RollingUpdate"]));
  else if (type === "RollingUpdate") {
    const ru = us.rollingUpdate;
    if (!ru) errs.push(required("spec.updateStrategy.rollingUpdate"));
    else {
      const p = "spec.updateStrategy.rollingUpdate";
      errs.push(...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`, true), ...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`, true));
      if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
        errs.push(invalidGo(`${p}.maxUnavailable`, goIntOrString(ru.maxUnavailable as IntOrPercent), "may not be 0 when `maxSurge` is 0"));
      }
    }
  }
  return errs;
}

export const daemonSetStrategy = strategy<DaemonSet>({
  hasStatus: true,
  defaults: setDaemonSetDefaults,
  prepareForCreate: (ds) => {
    ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    ds.metadata.annotations = { ...ds.metadata.annotations, [TEMPLATE_GENERATION_ANNOTATION]: "1" };
  },
  prepareForUpdate: (ds, old) => {
    const prev = Number(old.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? "1") || 1;
    const gen = deepEqual(ds.spec?.template ?? null, old.spec?.template ?? null) ? prev : prev + 1;
    ds.metadata.annotations = { ...ds.metadata.annotations, [TEMPLATE_GENERATION_ANNOTATION]: String(gen) };
  },
  validateCreate: (ds) => [...validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain), ...validateDaemonSetSpec(ds)],
  validateUpdate: (ds, old) => [
    ...validateObjectMetaUpdate(ds.metadata, old.metadata),
    ...validateDaemonSetSpec(ds),
    ...validateSelectorUnchanged(ds.spec?.selector, old.spec?.selector),
  ],
});
