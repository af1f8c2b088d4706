/**
 * Deployment facts as pure functions (pkg/controller/deployment/util/deployment_util.go): the pod-template-hash,
 * maxSurge/maxUnavailable resolved against replicas, revisions, the annotations a Deployment puts on its
 * ReplicaSets, template equality ignoring the hash, and conditions.
 *
 * The pod-template-hash: Kubernetes hashes the template's Go struct as spew prints it (FNV-32a) and encodes the
 * decimal of the hash with SafeEncodeString. We cannot reproduce Go's spew output, so we hash the template's
 * canonical JSON (sorted keys) with the same FNV-32a and the same encoding, plus the collisionCount as upstream
 * does: stable for a template, different across templates, the same shape of value (`5d4f8c9b7`), but not the
 * value a real cluster would compute for the same template.
 */
import type { AppsCondition, Deployment, IntOrPercent, PodTemplateSpec, ReplicaSet } from "../../api/apps-types.js";
import { clone, deepEqual } from "../../api/json.js";
import { rfc3339 } from "../../api/time.js";

export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Annotations never copied from a Deployment to its ReplicaSets (skipCopyAnnotation). */
const SKIP_COPY = new Set([LAST_APPLIED, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, "deprecated.deployment.rollback.to"]);

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

function fnv32a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of Buffer.from(text, "utf8")) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** ComputeHash(template, collisionCount): FNV-32a, decimal digits mapped through SafeEncodeString. */
export function podTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  return computeHash(withoutHash(template), collisionCount);
}

/** The same hash over any JSON value (HashControllerRevision hashes a revision's data this way). */
export function computeHash(value: unknown, collisionCount?: number): string {
  let text = canonical(value);
  if (collisionCount !== undefined && collisionCount !== null) text += `\u0000${collisionCount}`;
  return String(fnv32a(text))
    .split("")
    .map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length])
    .join("");
}

/** The template without the pod-template-hash label. */
export function withoutHash(t: PodTemplateSpec): PodTemplateSpec {
  const c = clone(t);
  if (c.metadata?.labels) {
    delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  return c;
}

/** EqualIgnoreHash. */
export function templatesEqual(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return deepEqual(JSON.parse(canonical(withoutHash(a))), JSON.parse(canonical(withoutHash(b))));
}

/** An int-or-percent of `total`; percentages round up or down (GetScaledValueFromIntOrPercent). */
export function scaledValue(v: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  const pct = Number.parseInt(v.replace("%", ""), 10);
  const exact = (pct * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: maxSurge rounded up, maxUnavailable down; both 0 makes maxUnavailable 1. */
export function resolveFenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const ru = d.spec.strategy?.rollingUpdate;
  const replicas = d.spec.replicas ?? 1;
  const maxSurge = scaledValue(ru?.maxSurge, replicas, true);
  let maxUnavailable = scaledValue(ru?.maxUnavailable, replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

function isRolling(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/** MaxUnavailable: at most replicas; 0 for Recreate or no replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = d.spec.replicas ?? 1;
  if (!isRolling(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, replicas);
}

/** MaxSurge: 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  return isRolling(d) ? resolveFenceposts(d).maxSurge : 0;
}

export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const n = Number.parseInt(obj.metadata.annotations?.[REVISION_ANNOTATION] ?? "", 10);
  return Number.isFinite(n) ? n : 0;
}

export function maxRevision(sets: ReplicaSet[]): number {
  return Math.max(0, ...sets.map(revisionOf));
}

/** The annotations a Deployment copies onto its ReplicaSets. */
export function copiedAnnotations(d: Deployment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIP_COPY.has(k)) out[k] = v;
  return out;
}

/** desired-replicas and max-replicas annotations (SetReplicasAnnotations). */
export function replicasAnnotations(d: Deployment): Record<string, string> {
  const replicas = d.spec.replicas ?? 1;
  return { [DESIRED_REPLICAS_ANNOTATION]: String(replicas), [MAX_REPLICAS_ANNOTATION]: String(replicas + maxSurge(d)) };
}

/** Sum of spec.replicas. */
export function specReplicas(sets: ReplicaSet[]): number {
  return sets.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
}

/** Oldest first (ReplicaSetsByCreationTimestamp), name breaking ties. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? "");
  return d || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

export function condition(status: { conditions?: AppsCondition[] } | undefined, type: string): AppsCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: AppsCondition["status"], reason: string, message: string, now: number): AppsCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/**
 * SetDeploymentCondition: the same status and reason leaves the condition as it is; the same status keeps its
 * lastTransitionTime. Returns the new list.
 */
export function setCondition(conditions: AppsCondition[] | undefined, c: AppsCondition): AppsCondition[] {
  const list = conditions ?? [];
  const cur = list.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return list;
  const next = cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  return [...list.filter((x) => x.type !== c.type), next];
}
