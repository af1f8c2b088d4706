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
  /** The allow reason naming this grant, made when it first allows. */
  reason?: string;
}

/** What applies to one user in one namespace: the grants in the order RBAC tries them, and the missing roles. */
interface Grants {
  grants: Grant[];
  errors: string[];
}

/** Users × namespaces remembered at most (then forgotten all at once). */
const GRANTS_KEPT = 4096;

export class RbacAuthorizer implements Authorizer {
  /**
   * The grants of a user (name and groups) in a namespace, while the policy is unchanged: finding them is most of a
   * decision, and a user's requests in a namespace share them whatever their verb, resource or name. Any change to a
   * role or binding, seen synchronously through the index, drops them all.
   */
  private readonly granted = new Map<string, Grants>();
  private grantedAt = -1;

  constructor(private readonly policy: PolicySource) {}

  authorize(a: RequestAttributes): Decision {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: "" };
    const { grants, errors } = this.grantsFor(a.user, a.namespace);
    for (const g of grants) {
      if (g.rules.some((r) => ruleAllows(a, r))) return { allowed: true, reason: (g.reason ??= `RBAC: allowed by ${describe(g)}`) };
    }
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : "" };
  }

  private grantsFor(user: UserInfo, namespace: string): Grants {
    if (this.grantedAt !== this.policy.generation) {
      this.granted.clear();
      this.grantedAt = this.policy.generation;
    }
    const key = grantsKey(user, namespace);
    let found = this.granted.get(key);
    if (!found) {
      const errors: string[] = [];
      found = { grants: [...this.grants(user, namespace, errors)], errors };
      if (this.granted.size >= GRANTS_KEPT) this.granted.clear();
      this.granted.set(key, found);
    }
    return found;
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

/**
 * What a user's grants depend on: name, groups and namespace, each length-prefixed so no name or group can run into
 * the next part (a user named "x,ops" must never share a key with user "x" in group "ops").
 */
function grantsKey(user: UserInfo, namespace: string): string {
  let k = `${user.groups.length}|${user.name.length}:${user.name}`;
  for (const g of user.groups) k += `|${g.length}:${g}`;
  return `${k}|${namespace.length}:${namespace}`;
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
