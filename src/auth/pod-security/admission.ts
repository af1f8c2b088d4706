/**
 * Pod Security Admission's decisions (k8s.io/pod-security-admission/admission), given the namespace's policy:
 * - a pod (create, or an update that changes an image or a seccomp annotation, or adds containers): refused when it
 *   violates the enforce level (`violates PodSecurity "restricted:latest": ...`), a warning when it violates the
 *   warn level (unless that is the enforce level), an audit annotation when it violates the audit level;
 * - a workload's pod template (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController,
 *   PodTemplate), when created or when its template changes: warn and audit only, never refused — its pods are
 *   judged when they are made;
 * - a namespace whose enforce level is set or changed: a warning per group of existing pods that would now be refused.
 * Exemptions (configuration.ts) come first, as upstream's: a request in an exempt namespace or by an exempt user is
 * not judged, nor (unless the namespace is fully privileged) a pod of an exempt runtime class; each is allowed with
 * the audit annotation `pod-security.kubernetes.io/exempt: namespace|user|runtimeClass`. An exempt namespace given
 * a policy gets a warning that it will be ignored.
 * Pure: the caller applies the outcome (refusal, Warning headers, audit annotations).
 */
import type { FieldError } from "../../api/errors.js";
import { deepEqual } from "../../api/json.js";
import type { KubeObject, Pod, PodSpec } from "../../api/types.js";
import { NO_EXEMPTIONS, type Exemptions } from "./configuration.js";
import { evaluatePod, LABEL_PREFIX, levelVersionString, MODES, namespacePolicy, violationReasons, type NamespacePolicy } from "./policy.js";

export const AUDIT_PREFIX = "pod-security.kubernetes.io/";

export interface Outcome {
  /** The request is invalid (a namespace's labels): 422 with these causes. */
  invalid?: FieldError[];
  /** The refusal's reason (the text after `pods "x" is forbidden: `). */
  forbidden?: string;
  warnings: string[];
  /** Audit annotations, keys without the pod-security.kubernetes.io/ prefix. */
  annotations: Record<string, string>;
}

const none = (): Outcome => ({ warnings: [], annotations: {} });

/** The request's side of the exemptions: the namespace written in and the user writing. */
export interface Requester {
  namespace: string;
  username: string;
}

type ExemptionReason = "namespace" | "user" | "runtimeClass";
const exempt = (reason: ExemptionReason): Outcome => ({ warnings: [], annotations: { exempt: reason } });

/** The namespace and user exemptions, checked before anything else (exemptNamespace, exemptUser). */
function exemptRequest(ex: Exemptions, who: Requester | undefined): ExemptionReason | undefined {
  if (!who) return undefined;
  if (ex.namespaces.includes(who.namespace)) return "namespace";
  if (ex.usernames.includes(who.username)) return "user";
  return undefined;
}

function exemptRuntimeClass(ex: Exemptions, spec: PodSpec): boolean {
  return spec.runtimeClassName !== undefined && ex.runtimeClasses.includes(spec.runtimeClassName);
}

function fullyPrivileged(p: NamespacePolicy): boolean {
  return MODES.every((m) => p[m].level === "privileged");
}

interface Template {
  metadata?: KubeObject["metadata"];
  spec?: PodSpec;
}

/** The pod template of a workload kind, or undefined (PodSpecExtractor). */
export function podTemplate(obj: KubeObject): Template | undefined {
  const o = obj as KubeObject & { spec?: { template?: Template; jobTemplate?: { spec?: { template?: Template } } }; template?: Template };
  switch (obj.kind) {
    case "Deployment":
    case "ReplicaSet":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
    case "ReplicationController":
      return o.spec?.template;
    case "CronJob":
      return o.spec?.jobTemplate?.spec?.template;
    case "PodTemplate":
      return o.template;
    default:
      return undefined;
  }
}

export const TEMPLATE_KINDS = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController", "PodTemplate"];

const SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/";

/** isSignificantPodUpdate: only a changed image, seccomp annotation or set of containers is judged again. */
export function significantPodUpdate(pod: Pod, old: Pod): boolean {
  const a = pod.metadata.annotations ?? {};
  const b = old.metadata.annotations ?? {};
  if (a[SECCOMP_POD] !== b[SECCOMP_POD]) return true;
  const lists: [keyof PodSpec, boolean][] = [["containers", false], ["initContainers", false], ["ephemeralContainers", true]];
  for (const [key, byName] of lists) {
    const now = (pod.spec[key] ?? []) as PodSpec["containers"];
    const before = (old.spec[key] ?? []) as PodSpec["containers"];
    if (!byName && now.length !== before.length) return true;
    for (const [i, c] of now.entries()) {
      const o = byName ? before.find((x) => x.name === c.name) : before[i];
      if (!o) return true;
      if (c.image !== o.image || a[SECCOMP_CONTAINER + c.name] !== b[SECCOMP_CONTAINER + c.name]) return true;
    }
  }
  return false;
}

/** A pod being created (`old` undefined) or updated in a namespace with `policy`. */
export function admitPod(pod: Pod, old: Pod | undefined, policy: NamespacePolicy, ex: Exemptions = NO_EXEMPTIONS, who?: Requester): Outcome {
  const reason = exemptRequest(ex, who);
  if (reason) return exempt(reason);
  const out = none();
  if (fullyPrivileged(policy)) return out;
  if (old && !significantPodUpdate(pod, old)) return out;
  if (exemptRuntimeClass(ex, pod.spec)) return exempt("runtimeClass");
  const { enforce, audit, warn } = policy;
  if (enforce.level !== "privileged") {
    out.annotations["enforce-policy"] = levelVersionString(enforce);
    const v = evaluatePod(enforce, pod.metadata, pod.spec);
    if (v) out.forbidden = `violates PodSecurity ${JSON.stringify(levelVersionString(enforce))}: ${v}`;
  }
  if (audit.level !== "privileged") {
    const v = evaluatePod(audit, pod.metadata, pod.spec);
    if (v) out.annotations["audit-violations"] = `would violate PodSecurity ${JSON.stringify(levelVersionString(audit))}: ${v}`;
  }
  if (warn.level !== "privileged" && (warn.level !== enforce.level || warn.version !== enforce.version)) {
    const v = evaluatePod(warn, pod.metadata, pod.spec);
    if (v) out.warnings.push(`would violate PodSecurity ${JSON.stringify(levelVersionString(warn))}: ${v}`);
  }
  return out;
}

/** A workload with a pod template, created or updated: warn and audit only. */
export function admitTemplate(obj: KubeObject, old: KubeObject | undefined, policy: NamespacePolicy, ex: Exemptions = NO_EXEMPTIONS, who?: Requester): Outcome {
  const reason = exemptRequest(ex, who);
  if (reason) return exempt(reason);
  const out = none();
  if (fullyPrivileged(policy)) return out;
  const t = podTemplate(obj);
  if (!t?.spec) return out;
  if (old) {
    const before = podTemplate(old);
    if (deepEqual(before?.metadata ?? {}, t.metadata ?? {}) && deepEqual(before?.spec, t.spec)) return out;
  }
  if (exemptRuntimeClass(ex, t.spec)) return exempt("runtimeClass");
  const meta = t.metadata ?? {};
  if (policy.audit.level !== "privileged") {
    const v = evaluatePod(policy.audit, meta, t.spec);
    if (v) out.annotations["audit-violations"] = `would violate PodSecurity ${JSON.stringify(levelVersionString(policy.audit))}: ${v}`;
  }
  if (policy.warn.level !== "privileged") {
    const v = evaluatePod(policy.warn, meta, t.spec);
    if (v) out.warnings.push(`would violate PodSecurity ${JSON.stringify(levelVersionString(policy.warn))}: ${v}`);
  }
  return out;
}

/** At most this many pods are named in a namespace change's warnings (upstream's namespaceMaxPodsToCheck is 3000). */
const MAX_PODS = 3000;

/**
 * A namespace created or relabelled: when its enforce level or version changes to something other than privileged,
 * the existing pods that would now be refused are named, grouped by identical reasons (as upstream, the first pod of
 * a group and "(and N other pods)").
 */
export function admitNamespace(
  labels: Record<string, string> | undefined,
  oldLabels: Record<string, string> | undefined,
  name: string,
  pods: Pod[],
  defaults: NamespacePolicy,
  ex: Exemptions = NO_EXEMPTIONS,
): Outcome {
  const out = none();
  const now = namespacePolicy(labels, defaults);
  // Labels must be valid on create, and on update when the policy labels change.
  const policyLabels = (l: Record<string, string> | undefined) => Object.entries(l ?? {}).filter(([k]) => k.startsWith(LABEL_PREFIX)).sort(([a], [b]) => (a < b ? -1 : 1));
  if (now.errors.length && (!oldLabels || !deepEqual(policyLabels(labels), policyLabels(oldLabels)))) return { ...out, invalid: now.errors };
  const exemptNamespace = ex.namespaces.includes(name);
  if (!oldLabels) return exemptNamespace ? withExemptWarning(out, name, now.policy, labels, defaults) : out;
  const before = namespacePolicy(oldLabels, defaults).policy.enforce;
  const enforce = now.policy.enforce;
  if (enforce.level === "privileged" || (enforce.level === before.level && enforce.version === before.version)) return out;
  if (exemptNamespace) return withExemptWarning(out, name, now.policy, labels, defaults);
  const groups = new Map<string, string[]>();
  for (const pod of pods.slice(0, MAX_PODS)) {
    if (exemptRuntimeClass(ex, pod.spec)) continue;
    const reasons = violationReasons(enforce, pod.metadata, pod.spec);
    if (!reasons.length) continue;
    const key = reasons.join(", ");
    groups.set(key, [...(groups.get(key) ?? []), pod.metadata.name ?? ""]);
  }
  if (!groups.size) return out;
  out.warnings.push(`existing pods in namespace ${JSON.stringify(name)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionString(enforce))}`);
  for (const [reasons, names] of groups) {
    const others = names.length - 1;
    out.warnings.push(`${names[0]}${others > 0 ? ` (and ${others} other ${others === 1 ? "pod" : "pods"})` : ""}: ${reasons}`);
  }
  return out;
}

/**
 * exemptNamespaceWarning: an exempt namespace whose policy is neither fully privileged nor the defaults is told
 * that its policy is ignored, naming the non-privileged modes its labels set.
 */
function withExemptWarning(out: Outcome, name: string, policy: NamespacePolicy, labels: Record<string, string> | undefined, defaults: NamespacePolicy): Outcome {
  const same = (a: NamespacePolicy, b: NamespacePolicy) => MODES.every((m) => a[m].level === b[m].level && (a[m].level === "privileged" || a[m].version === b[m].version));
  if (fullyPrivileged(policy) || same(policy, defaults)) return out;
  const set = MODES.filter((m) => policy[m].level !== "privileged" && (labels?.[`${LABEL_PREFIX}${m}`] !== undefined || labels?.[`${LABEL_PREFIX}${m}-version`] !== undefined));
  const compact = set.map((m) => `${m}=${levelVersionString(policy[m])}`).join(", ");
  return { ...out, warnings: [...out.warnings, `namespace ${JSON.stringify(name)} is exempt from Pod Security, and the policy (${compact}) will be ignored`] };
}
