/**
 * Authorization: the privileged group `system:masters` is always allowed (the apiserver's privileged-group
 * authorizer in front of RBAC), then RBAC (plugin/pkg/auth/authorizer/rbac): the user's ClusterRoleBindings, then,
 * for a namespaced request, the RoleBindings of that namespace; the first rule that allows decides. Otherwise the
 * request is denied, with a reason only when a binding names a role that does not exist (as upstream:
 * `RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
 */
import type { PolicyRule, RoleBinding, Subject } from "../../api/rbac.js";
import type { RequestAttributes } from "../attributes.js";
import { SYSTEM_MASTERS, type UserInfo } from "../user.js";
import type { PolicySource } from "./policy-index.js";
import { ruleAllows, subjectMatches, userKeys } from "./rules.js";

export interface Decision {
  allowed: boolean;
  /** Why (allowed: which binding; denied: RBAC errors, or ""). */
  reason: string;
}

export interface ResourceRuleInfo {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRuleInfo {
  verbs: string[];
  nonResourceURLs?: string[];
}

/** SubjectRulesReviewStatus: what a user may do in a namespace. */
export interface RulesReview {
  resourceRules: ResourceRuleInfo[];
  nonResourceRules: NonResourceRuleInfo[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface Authorizer {
  authorize(a: RequestAttributes): Decision;
  /** The rules that apply to `user` in `namespace` (SelfSubjectRulesReview). */
  rulesFor(user: UserInfo, namespace: string): RulesReview;
  /**
   * The policy rules `user` holds in `namespace` ("" for the cluster's bindings only) and why some bindings gave none
   * (the ruleResolver's RulesFor, which escalation checks compare against).
   */
  heldRules(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] };
}

interface Grant {
  binding: RoleBinding;
  subject: Subject;
  rules: PolicyRule[];
}

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly policy: PolicySource) {}

  authorize(a: RequestAttributes): Decision {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: "" };
    // The grants() walk without the generator: this runs on every request.
    const errors: string[] = [];
    const keys = userKeys(a.user);
    for (const b of this.policy.clusterRoleBindings(keys)) {
      const g = this.grant(b, a.user, "", errors);
      if (g?.rules.some((r) => ruleAllows(a, r))) return { allowed: true, reason: `RBAC: allowed by ${describe(g)}` };
    }
    if (a.namespace) {
      for (const b of this.policy.roleBindings(a.namespace, keys)) {
        const g = this.grant(b, a.user, a.namespace, errors);
        if (g?.rules.some((r) => ruleAllows(a, r))) return { allowed: true, reason: `RBAC: allowed by ${describe(g)}` };
      }
    }
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : "" };
  }

  rulesFor(user: UserInfo, namespace: string): RulesReview {
    const errors: string[] = [];
    const resourceRules: ResourceRuleInfo[] = [];
    const nonResourceRules: NonResourceRuleInfo[] = [];
    for (const g of this.grants(user, namespace, errors)) {
      for (const r of g.rules) {
        if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
        else resourceRules.push(resourceRule(r));
      }
    }
    const out: RulesReview = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
    if (errors.length) out.evaluationError = aggregate(errors);
    return out;
  }

  heldRules(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const errors: string[] = [];
    const rules = [...this.grants(user, namespace, errors)].flatMap((g) => g.rules);
    return { rules, errors };
  }

  /** Every binding that applies to the user, with the rules of its role; missing roles are reported in `errors`. */
  private *grants(user: UserInfo, namespace: string, errors: string[]): Generator<Grant> {
    const keys = userKeys(user);
    for (const b of this.policy.clusterRoleBindings(keys)) {
      const g = this.grant(b, user, "", errors);
      if (g) yield g;
    }
    if (!namespace) return;
    for (const b of this.policy.roleBindings(namespace, keys)) {
      const g = this.grant(b, user, namespace, errors);
      if (g) yield g;
    }
  }

  /**
   * The grant of one binding filed under the user's keys ("" namespace: a ClusterRoleBinding, which may only name a
   * ClusterRole), or undefined when no subject is the user or its role is missing (reported in `errors`).
   */
  private grant(b: RoleBinding, user: UserInfo, namespace: string, errors: string[]): Grant | undefined {
    const subject = (b.subjects ?? []).find((s) => subjectMatches(s, user, namespace));
    if (!subject) return undefined;
    const ref = b.roleRef;
    if (!namespace && ref?.kind !== "ClusterRole") return undefined;
    const role = ref?.kind === "Role" ? this.policy.role(namespace, ref.name) : ref?.kind === "ClusterRole" ? this.policy.clusterRole(ref.name) : undefined;
    if (!role) {
      errors.push(`${(ref?.kind ?? "role").toLowerCase()}.rbac.authorization.k8s.io "${ref?.name ?? ""}" not found`);
      return undefined;
    }
    return { binding: b, subject, rules: role.rules ?? [] };
  }
}

function resourceRule(r: PolicyRule): ResourceRuleInfo {
  const out: ResourceRuleInfo = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])] };
  if (r.resourceNames?.length) out.resourceNames = [...r.resourceNames];
  return out;
}

/** utilerrors.NewAggregate's text: one error as itself, several in brackets. */
export function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
}

function describe(g: Grant): string {
  const b = g.binding;
  const ns = b.metadata.namespace;
  const what = ns ? `RoleBinding "${b.metadata.name}/${ns}"` : `ClusterRoleBinding "${b.metadata.name}"`;
  const s = g.subject;
  const who = s.kind === "ServiceAccount" ? `${s.kind} "${s.name}/${s.namespace || ns || ""}"` : `${s.kind} "${s.name}"`;
  return `${what} of ${b.roleRef.kind} "${b.roleRef.name}" to ${who}`;
}
