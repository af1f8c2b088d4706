/**
 * What objects count against a ResourceQuota (pkg/quota/v1/evaluator/core): a pod its compute requests and limits
 * (containers summed, init containers taken at their maximum) while it is not finished, a Service its node ports
 * and load balancer, a claim its storage (also per storage class), and every object one of `count/<resource>`.
 * Also the quota arithmetic (add, subtract, mask, compare) over resource lists and their printing
 * (`requests.cpu=500m,requests.memory=1Gi`). Pure: the caller lists the objects.
 */
import { compareQuantity, formatQuantity, parseQuantity, tryParseQuantity, type QuantityValue } from "./quantity.js";
import type { QuotaScope, ResourceList, ResourceQuota } from "./quota.js";
import { RESOURCES, resourceForKind } from "./resources.js";
import type { Container, KubeObject, PersistentVolumeClaim, Pod, Service } from "./types.js";

export type Usage = Map<string, QuantityValue>;

const ONE = (): QuantityValue => ({ nanos: 1_000_000_000n, format: "DecimalSI" });
const ZERO: QuantityValue = { nanos: 0n, format: "DecimalSI" };

function quantity(v: string | undefined): QuantityValue | undefined {
  if (v === undefined) return undefined;
  const q = tryParseQuantity(v);
  return typeof q === "string" ? undefined : q;
}

export function add(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    out.set(k, cur ? { nanos: cur.nanos + v.nanos, format: cur.format } : v);
  }
  return out;
}

export function subtract(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k) ?? { ...ZERO, format: v.format };
    out.set(k, { nanos: cur.nanos - v.nanos, format: cur.format });
  }
  return out;
}

/** Only the resources named. */
export function mask(u: Usage, names: Iterable<string>): Usage {
  const out: Usage = new Map();
  for (const n of names) {
    const v = u.get(n);
    if (v) out.set(n, v);
  }
  return out;
}

export function isZero(u: Usage): boolean {
  return [...u.values()].every((v) => v.nanos === 0n);
}

/** The resources of `u` above `hard` (those `hard` names). */
export function exceeded(u: Usage, hard: Usage): string[] {
  return [...u].filter(([k, v]) => hard.has(k) && compareQuantity(v, hard.get(k)!) > 0).map(([k]) => k);
}

export function toUsage(list: ResourceList | undefined): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = quantity(v);
    if (q) out.set(k, q);
  }
  return out;
}

export function toResourceList(u: Usage): ResourceList {
  return Object.fromEntries([...u].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, formatQuantity(v)]));
}

/** prettyPrint: `name=quantity` sorted by name, joined by commas. */
export function prettyPrint(u: Usage): string {
  return Object.entries(toResourceList(u))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** count/<plural>[.<group>] of an object's kind. */
export function countResource(kind: string): string | undefined {
  const info = resourceForKind(kind);
  if (!info) return undefined;
  return `count/${info.plural}${info.group ? `.${info.group}` : ""}`;
}

/** PodRequests / PodLimits: containers summed, each init container a floor, per resource. */
function podResources(pod: Pod, which: "requests" | "limits"): Usage {
  let sum: Usage = new Map();
  for (const c of pod.spec.containers) sum = add(sum, toUsage(c.resources?.[which]));
  for (const c of pod.spec.initContainers ?? []) {
    for (const [k, v] of toUsage(c.resources?.[which])) {
      const cur = sum.get(k);
      if (!cur || compareQuantity(v, cur) > 0) sum.set(k, v);
    }
  }
  return sum;
}

const COMPUTE = ["cpu", "memory", "ephemeral-storage"];

/** podComputeUsageHelper: requests as `requests.X` (and plain `X` for cpu and memory), limits as `limits.X`. */
function computeUsage(requests: Usage, limits: Usage): Usage {
  const out: Usage = new Map();
  for (const r of COMPUTE) {
    const req = requests.get(r);
    if (req) {
      out.set(`requests.${r}`, req);
      out.set(r, req);
    }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  return out;
}

/**
 * QuotaV1Pod: a pod counts unless it has finished (Succeeded or Failed) or its deletion's grace period has run out
 * (`now` in ms since the epoch).
 */
export function podCounts(pod: Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  const deletion = pod.metadata.deletionTimestamp;
  if (deletion && pod.metadata.deletionGracePeriodSeconds !== undefined) {
    return Date.parse(deletion) + pod.metadata.deletionGracePeriodSeconds * 1000 > now;
  }
  return true;
}

/** BestEffort: no container requests or limits cpu or memory. */
export function isBestEffort(pod: Pod): boolean {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].every((c) => {
    const r = c.resources ?? {};
    return ![...Object.keys(r.requests ?? {}), ...Object.keys(r.limits ?? {})].some((k) => k === "cpu" || k === "memory");
  });
}

/** Whether a pod is in every scope of a quota (Terminating: it has an activeDeadlineSeconds). */
export function podMatchesScopes(pod: Pod, scopes: QuotaScope[] | undefined): boolean {
  return (scopes ?? []).every((s) => {
    switch (s) {
      case "Terminating":
        return pod.spec.activeDeadlineSeconds !== undefined;
      case "NotTerminating":
        return pod.spec.activeDeadlineSeconds === undefined;
      case "BestEffort":
        return isBestEffort(pod);
      case "NotBestEffort":
        return !isBestEffort(pod);
    }
  });
}

/** Whether a quota tracks `obj` at all: scoped quotas track only pods in their scopes. */
export function quotaMatches(rq: ResourceQuota, obj: KubeObject): boolean {
  const scopes = rq.spec?.scopes ?? [];
  if (!scopes.length) return true;
  return obj.kind === "Pod" && podMatchesScopes(obj as Pod, scopes);
}

/** What one object uses, for every quota resource it touches (a finished pod: its count/pods only). */
export function objectUsage(obj: KubeObject, now: number): Usage {
  const out: Usage = new Map();
  const count = countResource(obj.kind);
  if (count) out.set(count, ONE());
  switch (obj.kind) {
    case "Pod": {
      const pod = obj as Pod;
      if (!podCounts(pod, now)) break;
      out.set("pods", ONE());
      for (const [k, v] of computeUsage(podResources(pod, "requests"), podResources(pod, "limits"))) out.set(k, v);
      break;
    }
    case "Service": {
      const svc = obj as Service;
      out.set("services", ONE());
      const type = svc.spec?.type ?? "ClusterIP";
      if (type === "NodePort" || type === "LoadBalancer") {
        const ports = (svc.spec.ports ?? []).length;
        out.set("services.nodeports", { nanos: BigInt(ports) * 1_000_000_000n, format: "DecimalSI" });
      }
      if (type === "LoadBalancer") out.set("services.loadbalancers", ONE());
      break;
    }
    case "ConfigMap":
      out.set("configmaps", ONE());
      break;
    case "Secret":
      out.set("secrets", ONE());
      break;
    case "ResourceQuota":
      out.set("resourcequotas", ONE());
      break;
    case "ReplicationController":
      out.set("replicationcontrollers", ONE());
      break;
    case "PersistentVolumeClaim": {
      const pvc = obj as PersistentVolumeClaim;
      out.set("persistentvolumeclaims", ONE());
      const storage = quantity(pvc.spec?.resources?.requests?.storage);
      if (storage) out.set("requests.storage", storage);
      const cls = pvc.spec?.storageClassName;
      if (cls) {
        out.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, ONE());
        if (storage) out.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, storage);
      }
      break;
    }
  }
  return out;
}

/** The resources a pod quota on cpu or memory requires every container to state (the backward-compatible rule). */
const EXPLICIT = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

/**
 * The pod evaluator's Constraints: when a quota limits cpu or memory, every container must request (or limit) it;
 * the text after `failed quota: NAME: ` (`must specify limits.cpu for: a,b; requests.cpu for: a`), or undefined.
 */
export function podConstraints(pod: Pod, hardNames: string[]): string | undefined {
  const required = hardNames.filter((n) => EXPLICIT.includes(n));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const check = (c: Container) => {
    const have = computeUsage(toUsage(c.resources?.requests), toUsage(c.resources?.limits));
    for (const r of required) if (!have.has(r)) missing.set(r, (missing.get(r) ?? new Set()).add(c.name));
  };
  pod.spec.containers.forEach(check);
  (pod.spec.initContainers ?? []).forEach(check);
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

/** The usage of a namespace's objects for a quota's resources (what its status.used says). */
export function quotaUsed(rq: ResourceQuota, objects: KubeObject[], now: number): Usage {
  const hard = Object.keys(rq.spec?.hard ?? {});
  let used: Usage = new Map(hard.map((n) => [n, { ...ZERO, format: parseQuantity(rq.spec!.hard![n]).format }]));
  for (const o of objects) if (quotaMatches(rq, o)) used = add(used, mask(objectUsage(o, now), hard));
  return used;
}

const KIND_OF: Record<string, string> = {
  pods: "Pod",
  services: "Service",
  "services.nodeports": "Service",
  "services.loadbalancers": "Service",
  configmaps: "ConfigMap",
  secrets: "Secret",
  persistentvolumeclaims: "PersistentVolumeClaim",
  "requests.storage": "PersistentVolumeClaim",
  resourcequotas: "ResourceQuota",
  replicationcontrollers: "ReplicationController",
};

/** The kinds whose objects a quota's resources count (count/<resource> resolved among the served kinds). */
export function kindsCounted(hardNames: string[]): string[] {
  const kinds = new Set<string>();
  for (const n of hardNames) {
    if (KIND_OF[n]) kinds.add(KIND_OF[n]);
    else if (n.includes(".storageclass.storage.k8s.io/")) kinds.add("PersistentVolumeClaim");
    else if (n.startsWith("count/")) {
      const kind = kindOfCount(n);
      if (kind) kinds.add(kind);
    } else kinds.add("Pod");
  }
  return [...kinds];
}

function kindOfCount(name: string): string | undefined {
  const rest = name.slice("count/".length);
  const dot = rest.indexOf(".");
  const plural = dot < 0 ? rest : rest.slice(0, dot);
  const group = dot < 0 ? "" : rest.slice(dot + 1);
  return RESOURCES.find((r) => r.plural === plural && r.group === group && r.group !== "metrics.k8s.io")?.kind;
}
