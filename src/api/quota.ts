/**
 * ResourceQuota and LimitRange (v1): types, the strategies (a quota's status is the controller's and admission's;
 * quantities stored canonical) and validation as pkg/apis/core/validation does it (ValidateResourceQuota,
 * ValidateLimitRange, with their messages). Evaluation lives in quota-usage.ts and auth/; this file only says what a
 * well-formed object is.
 */
import { child, forbidden, index, invalid, key, notSupported, required, type ErrorList } from "./field.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import { canonicalizeResourceList } from "./persistent-volume.js";
import { compareQuantity, formatQuantity, parseQuantity, type QuantityValue } from "./quantity.js";
import { parseQuantityField, validateResourceQuantityValue } from "./resource-validation.js";
import { strategy } from "./strategy.js";
import type { KubeObject } from "./types.js";

export type ResourceList = Record<string, string>;

export const QUOTA_SCOPES = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort"] as const;
export type QuotaScope = (typeof QUOTA_SCOPES)[number];

export interface ResourceQuota extends KubeObject {
  spec?: { hard?: ResourceList; scopes?: QuotaScope[]; scopeSelector?: unknown };
  status?: { hard?: ResourceList; used?: ResourceList };
}

export const LIMIT_TYPES = ["Container", "Pod", "PersistentVolumeClaim"] as const;
export type LimitType = (typeof LIMIT_TYPES)[number];

export interface LimitRangeItem {
  type: LimitType;
  max?: ResourceList;
  min?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

export interface LimitRange extends KubeObject {
  spec: { limits: LimitRangeItem[] };
}

/** The quota resource names nodelet counts: compute, object counts, storage, and count/<resource>[.<group>]. */
const STANDARD_QUOTA = new Set([
  "pods",
  "services",
  "services.nodeports",
  "services.loadbalancers",
  "configmaps",
  "secrets",
  "persistentvolumeclaims",
  "replicationcontrollers",
  "resourcequotas",
  "cpu",
  "memory",
  "requests.cpu",
  "requests.memory",
  "limits.cpu",
  "limits.memory",
  "requests.storage",
  "ephemeral-storage",
  "requests.ephemeral-storage",
  "limits.ephemeral-storage",
]);

/** Whether `name` is a quota resource (standard, count/..., or a storage class's `<class>.storageclass.storage.k8s.io/...`). */
export function isQuotaResource(name: string): boolean {
  return STANDARD_QUOTA.has(name) || /^count\/[a-z0-9.-]+$/.test(name) || /^[a-z0-9.-]+\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/.test(name);
}

function validateList(list: ResourceList | undefined, path: string, names: (n: string) => string | undefined): ErrorList {
  const errs: ErrorList = [];
  for (const [name, value] of Object.entries(list ?? {})) {
    const p = key(path, name);
    const bad = names(name);
    if (bad) errs.push(invalid(p, name, bad));
    const { q, errs: qe } = parseQuantityField(value, p);
    errs.push(...qe);
    if (q) errs.push(...validateResourceQuantityValue(name, q, p));
  }
  return errs;
}

export function validateResourceQuota(rq: ResourceQuota): ErrorList {
  const errs = validateObjectMeta(rq.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateList(rq.spec?.hard, "spec.hard", (n) => (isQuotaResource(n) ? undefined : "must be a standard resource for quota")));
  for (const [i, s] of (rq.spec?.scopes ?? []).entries()) {
    if (!QUOTA_SCOPES.includes(s)) errs.push(notSupported(index("spec.scopes", i), s, [...QUOTA_SCOPES]));
  }
  const scopes = rq.spec?.scopes ?? [];
  if (scopes.includes("Terminating") && scopes.includes("NotTerminating")) errs.push(invalid("spec.scopes", scopes, "conflicting scopes"));
  if (scopes.includes("BestEffort") && scopes.includes("NotBestEffort")) errs.push(invalid("spec.scopes", scopes, "conflicting scopes"));
  if (scopes.includes("BestEffort")) {
    for (const n of Object.keys(rq.spec?.hard ?? {})) {
      if (n !== "pods") errs.push(invalid(key("spec.hard", n), n, "unsupported scope applied to resource"));
    }
  }
  if (rq.spec?.scopeSelector !== undefined) errs.push(forbidden("spec.scopeSelector", "scope selectors (PriorityClass, CrossNamespacePodAffinity) are not supported by nodelet"));
  return errs;
}

export const resourceQuotaStrategy = strategy<ResourceQuota>({
  hasStatus: true,
  defaults: (rq) => {
    canonicalizeResourceList(rq.spec?.hard);
    canonicalizeResourceList(rq.status?.hard);
    canonicalizeResourceList(rq.status?.used);
  },
  prepareForCreate: (rq) => {
    rq.status = {};
  },
  prepareForUpdate: (rq, old) => {
    rq.status = old.status;
  },
  validateCreate: validateResourceQuota,
  validateUpdate: (rq, old) => [...validateObjectMetaUpdate(rq.metadata, old.metadata), ...validateResourceQuota(rq)],
});

const LIMIT_RESOURCES = (type: LimitType) => (type === "PersistentVolumeClaim" ? ["storage"] : ["cpu", "memory", "ephemeral-storage"]);

export function validateLimitRange(lr: LimitRange): ErrorList {
  const errs = validateObjectMeta(lr.metadata, true, nameIsDNSSubdomain);
  const limits = lr.spec?.limits;
  if (!Array.isArray(limits)) return [...errs, required("spec.limits")];
  for (const [i, item] of limits.entries()) {
    const path = index("spec.limits", i);
    if (!LIMIT_TYPES.includes(item.type)) {
      errs.push(item.type ? notSupported(child(path, "type"), item.type, [...LIMIT_TYPES]) : required(child(path, "type")));
      continue;
    }
    const known = LIMIT_RESOURCES(item.type);
    const names = (n: string) => (known.includes(n) || n.includes("/") ? undefined : `must be a standard limit type or fully qualified`);
    const fields = ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const;
    for (const f of fields) errs.push(...validateList(item[f], child(path, f), names));
    if (item.type === "Pod") {
      if (item.default && Object.keys(item.default).length) errs.push(forbidden(child(path, "default"), "may not be specified when `type` is 'Pod'"));
      if (item.defaultRequest && Object.keys(item.defaultRequest).length) errs.push(forbidden(child(path, "defaultRequest"), "may not be specified when `type` is 'Pod'"));
    }
    if (item.type === "PersistentVolumeClaim") {
      if (item.min && Object.keys(item.min).length && !item.min.storage) errs.push(required(key(child(path, "min"), "storage"), "minimum storage value is required"));
      if (item.max && Object.keys(item.max).length && !item.max.storage) errs.push(required(key(child(path, "max"), "storage"), "maximum storage value is required"));
    }
    if (errs.length) continue;
    errs.push(...validateLimitOrder(item, path));
  }
  return errs;
}

const q = (v: string | undefined): QuantityValue | undefined => (v === undefined ? undefined : parseQuantity(v));
const s = (v: QuantityValue): string => formatQuantity(v);

/** min ≤ defaultRequest ≤ default ≤ max, ratio ≥ 1, with upstream's messages. */
function validateLimitOrder(item: LimitRangeItem, path: string): ErrorList {
  const errs: ErrorList = [];
  const names = new Set(["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"].flatMap((f) => Object.keys(item[f as keyof LimitRangeItem] ?? {})));
  for (const n of names) {
    const min = q(item.min?.[n]);
    const max = q(item.max?.[n]);
    const def = q(item.default?.[n]);
    const req = q(item.defaultRequest?.[n]);
    const ratio = q(item.maxLimitRequestRatio?.[n]);
    const gt = (a: QuantityValue | undefined, b: QuantityValue | undefined): a is QuantityValue => !!a && !!b && compareQuantity(a, b) > 0;
    if (gt(min, max)) errs.push(invalid(key(child(path, "min"), n), s(min), `min value ${s(min)} is greater than max value ${s(max!)}`));
    if (gt(min, req)) errs.push(invalid(key(child(path, "defaultRequest"), n), s(req!), `min value ${s(min)} is greater than default request value ${s(req!)}`));
    if (gt(req, max)) errs.push(invalid(key(child(path, "defaultRequest"), n), s(req), `default request value ${s(req)} is greater than max value ${s(max!)}`));
    if (gt(req, def)) errs.push(invalid(key(child(path, "defaultRequest"), n), s(req), `default request value ${s(req)} is greater than default limit value ${s(def!)}`));
    if (gt(min, def)) errs.push(invalid(key(child(path, "default"), n), s(min), `min value ${s(min)} is greater than default value ${s(def!)}`));
    if (gt(def, max)) errs.push(invalid(key(child(path, "default"), n), s(max!), `default value ${s(def)} is greater than max value ${s(max!)}`));
    if (ratio && compareQuantity(ratio, parseQuantity("1")) < 0) errs.push(invalid(key(child(path, "maxLimitRequestRatio"), n), s(ratio), `ratio ${s(ratio)} is less than 1`));
  }
  return errs;
}

export const limitRangeStrategy = strategy<LimitRange>({
  hasStatus: false,
  defaults: (lr) => {
    for (const item of lr.spec?.limits ?? []) {
      for (const f of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const) canonicalizeResourceList(item[f]);
      // SetDefaults_LimitRangeItem: a Container's default limit is its max, its default request its default limit (or min).
      if (item.type === "Container") {
        for (const [n, v] of Object.entries(item.max ?? {})) if (item.default?.[n] === undefined) item.default = { ...item.default, [n]: v };
        for (const [n, v] of Object.entries(item.default ?? {})) if (item.defaultRequest?.[n] === undefined) item.defaultRequest = { ...item.defaultRequest, [n]: v };
        for (const [n, v] of Object.entries(item.min ?? {})) if (item.defaultRequest?.[n] === undefined) item.defaultRequest = { ...item.defaultRequest, [n]: v };
      }
    }
  },
  validateCreate: validateLimitRange,
  validateUpdate: (lr, old) => [...validateObjectMetaUpdate(lr.metadata, old.metadata), ...validateLimitRange(lr)],
});
