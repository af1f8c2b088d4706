/**
 * RBAC rule and subject matching, as plugin/pkg/auth/authorizer/rbac does it (RuleAllows, appliesTo). Pure.
 * - verbs and apiGroups match exactly or by "*";
 * - resources match "*", the combined "resource/subresource", or "*∕SUB" for any resource's SUB;
 * - resourceNames, when given, must contain the request's name (a list without a name never matches them);
 * - nonResourceURLs match exactly, "*", or a prefix ending in "*".
 */
import type { PolicyRule, Subject } from "../../api/rbac.js";
import type { RequestAttributes } from "../attributes.js";
import { serviceAccountUsername, type UserInfo } from "../user.js";

const has = (list: string[] | undefined, v: string): boolean => !!list && (list.includes("*") || list.includes(v));

function resourceMatches(rule: PolicyRule, combined: string, sub: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === "*" || r === combined) return true;
    if (sub && r.length === sub.length + 2 && r.startsWith("*/") && r.endsWith(sub)) return true;
  }
  return false;
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === "*" || u === path) return true;
    if (u.endsWith("*") && path.startsWith(u.replace(/\*+$/, ""))) return true;
  }
  return false;
}

/** True when `rule` grants the request. */
export function ruleAllows(a: RequestAttributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.isResourceRequest) return nonResourceURLMatches(rule, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (
    has(rule.apiGroups, a.apiGroup) &&
    resourceMatches(rule, combined, a.subresource) &&
    (!rule.resourceNames?.length || rule.resourceNames.includes(a.name))
  );
}

/**
 * True when the binding's subject is this user. A ServiceAccount subject without a namespace means the binding's own
 * namespace (`bindingNamespace`, "" for cluster bindings, where it then matches nobody).
 */
export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return s.name === user.name;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount": {
      const ns = s.namespace || bindingNamespace;
      return !!ns && serviceAccountUsername(ns, s.name) === user.name;
    }
    default:
      return false;
  }
}

/** The index keys a subject is filed under, so a user's bindings are found without scanning them all. */
export function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case "User":
      return `u:${s.name}`;
    case "Group":
      return `g:${s.name}`;
    case "ServiceAccount": {
      const ns = s.namespace || bindingNamespace;
      return ns ? `u:${serviceAccountUsername(ns, s.name)}` : undefined;
    }
    default:
      return undefined;
  }
}

/** The keys under which the bindings that apply to `user` are filed. */
export function userKeys(user: UserInfo): string[] {
  return [`u:${user.name}`, ...user.groups.map((g) => `g:${g}`)];
}
