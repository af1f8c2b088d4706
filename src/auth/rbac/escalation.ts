/**
 * RBAC escalation prevention, as pkg/registry/rbac/validation does it: a user may only grant (in a Role or
 * ClusterRole, or by binding one) permissions they already hold. Pure.
 * - covers (policy_comparator.go Covers): every rule of the grant is broken down into one verb × group × resource ×
 *   resourceName (or verb × nonResourceURL); each piece must be covered by one rule the user holds. Covering is
 *   stricter than matching a request: "*∕SUB" covers SUB of any resource, an owner rule with resourceNames covers
 *   only pieces with those names, and a nonResourceURL ending in "*" covers the URLs under it.
 * - the refusal (ConfirmNoEscalation): `user "NAME" (groups=[...]) is attempting to grant RBAC permissions not
 *   currently held:` and the missing pieces, compacted by resource (CompactRules) and printed as CompactString,
 *   one per line in sorted order, then `; resolution errors: [...]` when some of the user's bindings name missing roles.
 */
import type { PolicyRule } from "../../api/rbac.js";
import type { UserInfo } from "../user.js";
import { aggregate } from "./authorizer.js";

const ALL = "*";

const has = (set: string[] | undefined, v: string): boolean => !!set && set.includes(v);
const hasAll = (set: string[] | undefined, want: string[] | undefined): boolean => (want ?? []).every((v) => has(set, v));

/** BreakdownRule: rules of at most one verb, one group, one resource and one resource name (or one URL and one verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  if (has(owner, ALL) || hasAll(owner, wanted)) return true;
  for (const path of wanted ?? []) {
    if (has(owner, path)) continue;
    const slash = path.indexOf("/");
    if (slash < 0) return false;
    if (!has(owner, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, path: string): boolean {
  return owner === path || (owner.endsWith("*") && path.startsWith(owner.replace(/\*+$/, "")));
}

/** ruleCovers: whether `owner` covers `piece` (one of breakdownRule's). */
export function ruleCovers(owner: PolicyRule, piece: PolicyRule): boolean {
  const verbs = has(owner.verbs, ALL) || hasAll(owner.verbs, piece.verbs);
  const groups = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, piece.apiGroups);
  const resources = resourceCoversAll(owner.resources, piece.resources);
  const urls = (piece.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)));
  const names = piece.resourceNames?.length ? !owner.resourceNames?.length || hasAll(owner.resourceNames, piece.resourceNames) : !owner.resourceNames?.length;
  return verbs && groups && resources && names && urls;
}

/** Covers: whether `owner` holds every permission of `wanted`, and the pieces it does not. */
export function covers(owner: PolicyRule[], wanted: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing = wanted.flatMap(breakdownRule).filter((piece) => !owner.some((o) => ruleCovers(o, piece)));
  return { covered: missing.length === 0, missing };
}

/** CompactRules: pieces of one group, one resource and at most one name that differ only by verb become one rule. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = (r.resourceNames?.length ?? 0) <= 1 && !r.nonResourceURLs?.length && r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) {
      compacted.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.[0] ?? null]);
    const seen = simple.get(key);
    if (seen) seen.verbs = [...seen.verbs, ...r.verbs];
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...compacted, ...simple.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
export function goQuotedList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(" ")}]`;
}

/** rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuotedList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuotedList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuotedList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuotedList(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${goQuotedList(r.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/**
 * ConfirmNoEscalation: undefined when `held` covers `wanted`, else the refusal's text. `resolutionErrors`: why some
 * of the user's bindings gave no rules (a role they name is missing).
 */
export function escalationError(user: UserInfo, held: PolicyRule[], resolutionErrors: string[], wanted: PolicyRule[]): string | undefined {
  const { covered, missing } = covers(held, wanted);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join("\n")}`;
  if (resolutionErrors.length) msg += `; resolution errors: [${aggregate(resolutionErrors)}]`;
  return msg;
}

/** The aggregationRule needs every permission there is (it can gather any role's rules). */
export const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: [ALL], apiGroups: [ALL], resources: [ALL] },
  { verbs: [ALL], nonResourceURLs: [ALL] },
];
