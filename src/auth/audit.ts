/**
 * Audit (k8s.io/apiserver audit, audit.k8s.io/v1): a policy decides each request's level — None, Metadata, Request
 * (adds the request body), RequestResponse (adds the response body) — by the first rule matching its user, groups,
 * verb, resource, namespace or non-resource URL; no matching rule is None. The event is audit.k8s.io/v1 Event, one
 * JSON line per request at stage ResponseComplete (ResponseStarted for exec/attach/port-forward upgrades).
 * Bodies are never recorded for Secrets, TokenRequests or the self reviews, whatever the level: they carry secret
 * data or tokens (upstream would record them if a policy asked; nodelet's rule is that secrets never reach logs).
 * Pure: the policy parser, the level decision and the event builder; apiserver/audit-log.ts writes the lines.
 */
import { parse as parseYaml } from "yaml";
import type { RequestAttributes } from "./attributes.js";

export type AuditLevel = "None" | "Metadata" | "Request" | "RequestResponse";
const LEVELS: readonly AuditLevel[] = ["None", "Metadata", "Request", "RequestResponse"];
const STAGES = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: string[];
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages?: string[];
}

/** Without --audit-policy-file, --audit-log-path records every request at Metadata. */
export const METADATA_POLICY: AuditPolicy = { rules: [{ level: "Metadata" }] };

/** Parses a Policy (YAML or JSON); throws Error naming the field that is wrong. */
export function parseAuditPolicy(text: string, source: string): AuditPolicy {
  const doc = parseYaml(text) as { kind?: unknown; apiVersion?: unknown; rules?: unknown; omitStages?: unknown } | null;
  const where = (f: string) => `audit policy ${source}: ${f}`;
  if (!doc || typeof doc !== "object") throw new Error(where("not a Policy object"));
  if (doc.kind !== "Policy") throw new Error(where(`kind: want "Policy", got ${JSON.stringify(doc.kind)}`));
  if (doc.apiVersion !== "audit.k8s.io/v1") throw new Error(where(`apiVersion: want "audit.k8s.io/v1", got ${JSON.stringify(doc.apiVersion)}`));
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) throw new Error(where("rules: Required value"));
  const rules = doc.rules.map((r: PolicyRule, i: number) => {
    if (!LEVELS.includes(r?.level)) throw new Error(where(`rules[${i}].level: Unsupported value: ${JSON.stringify(r?.level)}: supported values: "${LEVELS.join('", "')}"`));
    for (const s of r.omitStages ?? []) if (!STAGES.includes(s)) throw new Error(where(`rules[${i}].omitStages: Unsupported value: "${s}"`));
    if (r.nonResourceURLs?.length && (r.resources?.length || r.namespaces?.length)) {
      throw new Error(where(`rules[${i}].nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`));
    }
    return r;
  });
  return { rules, omitStages: Array.isArray(doc.omitStages) ? (doc.omitStages as string[]) : undefined };
}

const has = (list: string[] | undefined, v: string) => !list?.length || list.includes(v);

function urlMatches(patterns: string[], path: string): boolean {
  return patterns.some((p) => p === "*" || p === path || (p.endsWith("*") && path.startsWith(p.slice(0, -1))));
}

function ruleMatches(r: PolicyRule, a: RequestAttributes): boolean {
  if (!has(r.users, a.user.name)) return false;
  if (r.userGroups?.length && !r.userGroups.some((g) => a.user.groups.includes(g))) return false;
  if (!has(r.verbs, a.verb)) return false;
  if (!a.isResourceRequest) return !r.resources?.length && !r.namespaces?.length && (!r.nonResourceURLs?.length || urlMatches(r.nonResourceURLs, a.path));
  if (r.nonResourceURLs?.length) return false;
  if (!has(r.namespaces, a.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return r.resources.some(
    (gr) =>
      (gr.group ?? "") === a.apiGroup &&
      (!gr.resources?.length || gr.resources.some((x) => x === combined || x === "*" || x === `${a.resource}/*` || (x === `*/${a.subresource}` && !!a.subresource))) &&
      has(gr.resourceNames, a.name),
  );
}

/** The level and the stages to omit for a request (the first matching rule; none: None). */
export function auditLevel(policy: AuditPolicy, a: RequestAttributes): { level: AuditLevel; omitStages: string[] } {
  const r = policy.rules.find((x) => ruleMatches(x, a));
  return r ? { level: r.level, omitStages: [...(policy.omitStages ?? []), ...(r.omitStages ?? [])] } : { level: "None", omitStages: [] };
}

/** Resources whose bodies carry secrets or tokens: never recorded. */
export function bodiesRedacted(a: RequestAttributes): boolean {
  if (!a.isResourceRequest) return false;
  if (a.apiGroup === "" && (a.resource === "secrets" || (a.resource === "serviceaccounts" && a.subresource === "token"))) return true;
  return a.apiGroup === "authentication.k8s.io";
}

export interface AuditInput {
  attrs: RequestAttributes;
  auditID: string;
  stage: "ResponseStarted" | "ResponseComplete";
  requestURI: string;
  sourceIPs: string[];
  userAgent?: string;
  code?: number;
  received: Date;
  completed: Date;
  decision: { allowed: boolean; reason: string };
  requestObject?: unknown;
  responseObject?: unknown;
  /** Annotations admission added (Pod Security's, say). */
  annotations?: Record<string, string>;
}

const ts = (d: Date) => d.toISOString().replace(/Z$/, "000Z");

/** The audit.k8s.io/v1 Event of one request at `level` (bodies only from Request / RequestResponse on). */
export function auditEvent(level: AuditLevel, i: AuditInput): Record<string, unknown> {
  const a = i.attrs;
  const user: Record<string, unknown> = { username: a.user.name, groups: a.user.groups };
  if (a.user.uid) user.uid = a.user.uid;
  if (a.user.extra && Object.keys(a.user.extra).length) user.extra = a.user.extra;
  const ev: Record<string, unknown> = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level,
    auditID: i.auditID,
    stage: i.stage,
    requestURI: i.requestURI,
    verb: a.verb,
    user,
    sourceIPs: i.sourceIPs,
  };
  if (i.userAgent) ev.userAgent = i.userAgent;
  if (a.isResourceRequest) {
    const ref: Record<string, string> = { resource: a.resource };
    if (a.namespace) ref.namespace = a.namespace;
    if (a.name) ref.name = a.name;
    ref.apiGroup = a.apiGroup;
    ref.apiVersion = a.apiVersion;
    if (a.subresource) ref.subresource = a.subresource;
    ev.objectRef = ref;
  }
  if (i.code !== undefined) ev.responseStatus = { metadata: {}, code: i.code };
  const redacted = bodiesRedacted(a);
  if ((level === "Request" || level === "RequestResponse") && !redacted && i.requestObject !== undefined) ev.requestObject = i.requestObject;
  if (level === "RequestResponse" && !redacted && i.responseObject !== undefined) ev.responseObject = i.responseObject;
  ev.requestReceivedTimestamp = ts(i.received);
  ev.stageTimestamp = ts(i.completed);
  const annotations: Record<string, string> = { "authorization.k8s.io/decision": i.decision.allowed ? "allow" : "forbid", ...i.annotations };
  if (i.decision.reason) annotations["authorization.k8s.io/reason"] = i.decision.reason;
  ev.annotations = annotations;
  return ev;
}
