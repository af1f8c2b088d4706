/**
 * The LimitRanger admission plugin (plugin/pkg/admission/limitranger) for new pods and claims, given the namespace's
 * LimitRanges:
 * - defaults: a container without a request or limit for a resource gets the Container item's defaultRequest and
 *   default, and the pod says so in `kubernetes.io/limit-ranger` ("LimitRanger plugin set: cpu, memory request for
 *   container web; cpu limit for container web");
 * - bounds: each container (type Container), the pod's sums (type Pod) and a claim's storage request (type
 *   PersistentVolumeClaim) against min, max and maxLimitRequestRatio, refused with upstream's sentences
 *   ("minimum cpu usage per Container is 100m, but request is 50m"), several in brackets.
 * Pure: the caller passes the LimitRanges and applies the outcome.
 */
import type { LimitRange, LimitRangeItem, ResourceList } from "../../api/quota.js";
import { formatQuantity, toMilli, tryParseQuantity, type QuantityValue } from "../../api/quantity.js";
import type { Container, PersistentVolumeClaim, Pod } from "../../api/types.js";

export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

const sortedEntries = (l: ResourceList | undefined) => Object.entries(l ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function items(ranges: LimitRange[], type: LimitRangeItem["type"]): LimitRangeItem[] {
  return [...ranges]
    .sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1))
    .flatMap((r) => r.spec?.limits ?? [])
    .filter((i) => i.type === type);
}

/** Fills the defaults of every container in place; returns the annotation's text, or undefined when nothing was set. */
export function applyDefaults(pod: Pod, ranges: LimitRange[]): string | undefined {
  const defaults = items(ranges, "Container");
  if (!defaults.length) return undefined;
  // defaultContainerResourceRequirements: the last Container item's values win, as upstream ranges over them.
  const requests: ResourceList = {};
  const limits: ResourceList = {};
  for (const i of defaults) {
    Object.assign(requests, i.defaultRequest);
    Object.assign(limits, i.default);
  }
  const notes: string[] = [];
  const merge = (c: Container, prefix: string) => {
    const setLimits: string[] = [];
    const setRequests: string[] = [];
    const r = (c.resources ??= {});
    for (const [k, v] of Object.entries(limits)) {
      if (r.limits?.[k] === undefined) {
        r.limits = { ...r.limits, [k]: v };
        setLimits.push(k);
      }
    }
    for (const [k, v] of Object.entries(requests)) {
      if (r.requests?.[k] === undefined) {
        r.requests = { ...r.requests, [k]: v };
        setRequests.push(k);
      }
    }
    if (setRequests.length) notes.push(`${setRequests.sort().join(", ")} request for ${prefix} ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.sort().join(", ")} limit for ${prefix} ${c.name}`);
  };
  for (const c of pod.spec.containers) merge(c, "container");
  for (const c of pod.spec.initContainers ?? []) merge(c, "init container");
  if (!notes.length) return undefined;
  const text = `LimitRanger plugin set: ${notes.join("; ")}`;
  pod.metadata.annotations = { ...pod.metadata.annotations, [LIMIT_RANGER_ANNOTATION]: text };
  return text;
}

function q(v: string | undefined): QuantityValue | undefined {
  if (v === undefined) return undefined;
  const p = tryParseQuantity(v);
  return typeof p === "string" ? undefined : p;
}

/** requestLimitEnforcedValues: compared in milli-units (every quantity nodelet meets fits). */
const milli = (v: QuantityValue | undefined): number => (v ? toMilli(v) : 0);
const str = (v: QuantityValue): string => formatQuantity(v);

function minConstraint(type: string, name: string, enforced: QuantityValue, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = q(requests[name]);
  const lim = q(limits[name]);
  if (!req) return `minimum ${name} usage per ${type} is ${str(enforced)}.  No request is specified`;
  if (milli(req) < milli(enforced)) return `minimum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  if (lim && milli(lim) < milli(enforced)) return `minimum ${name} usage per ${type} is ${str(enforced)}, but limit is ${str(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: QuantityValue, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = q(requests[name]);
  const lim = q(limits[name]);
  if (!lim) return `maximum ${name} usage per ${type} is ${str(enforced)}.  No limit is specified`;
  if (milli(lim) > milli(enforced)) return `maximum ${name} usage per ${type} is ${str(enforced)}, but limit is ${str(lim)}`;
  if (req && milli(req) > milli(enforced)) return `maximum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: QuantityValue, requests: ResourceList): string | undefined {
  const req = q(requests[name]);
  if (!req) return `maximum ${name} usage per ${type} is ${str(enforced)}.  No request is specified`;
  if (milli(req) > milli(enforced)) return `maximum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: QuantityValue, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = q(requests[name]);
  const lim = q(limits[name]);
  const r = milli(req);
  const l = milli(lim);
  if (!req || r === 0) return `${name} max limit to request ratio per ${type} is ${str(enforced)}, but no request is specified or request is 0`;
  if (!lim || l === 0) return `${name} max limit to request ratio per ${type} is ${str(enforced)}, but no limit is specified or limit is 0`;
  const ratio = l / r;
  if (ratio * 1000 > milli(enforced)) return `${name} max limit to request ratio per ${type} is ${str(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function bounds(item: LimitRangeItem, type: string, requests: ResourceList, limits: ResourceList): string[] {
  const errs: (string | undefined)[] = [];
  for (const [k, v] of sortedEntries(item.min)) errs.push(minConstraint(type, k, q(v)!, requests, limits));
  for (const [k, v] of sortedEntries(item.max)) errs.push(maxConstraint(type, k, q(v)!, requests, limits));
  for (const [k, v] of sortedEntries(item.maxLimitRequestRatio)) errs.push(ratioConstraint(type, k, q(v)!, requests, limits));
  return errs.filter((e): e is string => !!e);
}

/** Sums of the pod's containers (init containers a floor), per resource, for the Pod type's bounds. */
function podTotals(pod: Pod, which: "requests" | "limits"): ResourceList {
  const sum = new Map<string, QuantityValue>();
  for (const c of pod.spec.containers) {
    for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) {
      const p = q(v);
      if (!p) continue;
      const cur = sum.get(k);
      sum.set(k, cur ? { nanos: cur.nanos + p.nanos, format: cur.format } : p);
    }
  }
  for (const c of pod.spec.initContainers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) {
      const p = q(v);
      const cur = sum.get(k);
      if (p && (!cur || p.nanos > cur.nanos)) sum.set(k, p);
    }
  }
  return Object.fromEntries([...sum].map(([k, v]) => [k, formatQuantity(v)]));
}

/** The pod's violations of the Container and Pod items (empty: within bounds). */
export function validatePodLimits(pod: Pod, ranges: LimitRange[]): string[] {
  const errs: string[] = [];
  for (const item of items(ranges, "Container")) {
    for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
      errs.push(...bounds(item, "Container", c.resources?.requests ?? {}, c.resources?.limits ?? {}));
    }
  }
  for (const item of items(ranges, "Pod")) errs.push(...bounds(item, "Pod", podTotals(pod, "requests"), podTotals(pod, "limits")));
  return errs;
}

/** A claim's violations of the PersistentVolumeClaim items: its requests against min, and against max. */
export function validateClaimLimits(pvc: PersistentVolumeClaim, ranges: LimitRange[]): string[] {
  const errs: (string | undefined)[] = [];
  const requests = pvc.spec?.resources?.requests ?? {};
  for (const item of items(ranges, "PersistentVolumeClaim")) {
    for (const [k, v] of sortedEntries(item.min)) errs.push(minConstraint("PersistentVolumeClaim", k, q(v)!, requests, {}));
    for (const [k, v] of sortedEntries(item.max)) errs.push(maxRequestConstraint("PersistentVolumeClaim", k, q(v)!, requests));
  }
  return errs.filter((e): e is string => !!e);
}
