/**
 * RBAC escalation prevention on writes of the four RBAC kinds (pkg/registry/rbac/{role,clusterrole,rolebinding,
 * clusterrolebinding}/policybased): a user can only grant what they already hold.
 * - Role / ClusterRole create and update: the user must hold every rule of it (in the role's namespace; "" for a
 *   ClusterRole) or be allowed `escalate` on it; setting or keeping an aggregationRule needs every permission there is.
 * - RoleBinding / ClusterRoleBinding create and update: the user must be allowed `bind` on the referenced role or hold
 *   all its rules; a binding to a missing role is then refused with the role's NotFound text.
 * system:masters is never refused (the apiserver's own loopback identity is in it); an update that only touches the
 * garbage collector's fields (ownerReferences, finalizers) is not checked. Refusals are 403 Forbidden worded as
 * kube-apiserver words them (auth/rbac/escalation.ts).
 */
import { ApiError } from "../api/errors.js";
import { deepEqual } from "../api/json.js";
import { RBAC_GROUP, type ClusterRole, type PolicyRule, type Role, type RoleBinding, type RoleRef } from "../api/rbac.js";
import type { KubeObject } from "../api/types.js";
import { requestAttributes } from "../auth/attributes.js";
import type { Authorizer } from "../auth/rbac/authorizer.js";
import { escalationError, FULL_AUTHORITY } from "../auth/rbac/escalation.js";
import { SYSTEM_MASTERS, type UserInfo } from "../auth/user.js";
import type { HookContext, Hooks } from "./hooks.js";

const PLURAL: Record<string, string> = { Role: "roles", ClusterRole: "clusterroles", RoleBinding: "rolebindings", ClusterRoleBinding: "clusterrolebindings" };

/** Registers the checks on `hooks`; `authorizer` decides `escalate`/`bind` and resolves the rules users hold. */
export function registerEscalationChecks(hooks: Hooks, authorizer: Authorizer): void {
  const roleCheck = (obj: KubeObject, old: KubeObject | undefined, ctx: HookContext) => checkRole(authorizer, obj, old, ctx.user);
  const bindingCheck = (obj: KubeObject, old: KubeObject | undefined, ctx: HookContext) => checkBinding(authorizer, obj as RoleBinding, old, ctx);
  for (const kind of ["Role", "ClusterRole"]) {
    hooks.registerCreateHook(kind, (obj, ctx) => roleCheck(obj, undefined, ctx));
    hooks.registerUpdateHook(kind, (obj, old, ctx) => roleCheck(obj, old, ctx));
  }
  for (const kind of ["RoleBinding", "ClusterRoleBinding"]) {
    hooks.registerCreateHook(kind, (obj, ctx) => bindingCheck(obj, undefined, ctx));
    hooks.registerUpdateHook(kind, (obj, old, ctx) => bindingCheck(obj, old, ctx));
  }
}

/** EscalationAllowed: the privileged group may grant anything. */
function escalationAllowed(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS);
}

/** Whether `user` may VERB the RBAC resource (a create names nothing: the request's URL carries no name). */
function allowedTo(authorizer: Authorizer, user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean {
  const where = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const a = requestAttributes(user, "GET", `/apis/${RBAC_GROUP}/v1${where}/${resource}${name ? `/${encodeURIComponent(name)}` : ""}`);
  return authorizer.authorize({ ...a, verb }).allowed;
}

/** IsOnlyMutatingGCFields: the update changes nothing but ownerReferences, finalizers and the deletion fields. */
function onlyGCFields(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => {
    const metadata: Record<string, unknown> = { ...o.metadata };
    for (const k of ["ownerReferences", "finalizers", "deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion", "managedFields"]) delete metadata[k];
    return { ...o, metadata };
  };
  return deepEqual(strip(obj), strip(old));
}

/** ConfirmNoEscalation for `user` in `namespace`: throws the Forbidden refusal of `obj`. */
function confirmNoEscalation(authorizer: Authorizer, user: UserInfo, namespace: string, wanted: PolicyRule[], obj: KubeObject, why?: string): void {
  const held = authorizer.heldRules(user, namespace);
  const error = escalationError(user, held.rules, held.errors, wanted);
  if (error) throw ApiError.forbidden(PLURAL[obj.kind], obj.metadata.name ?? "", why ?? error, RBAC_GROUP);
}

/** A Role is a ClusterRole without an aggregationRule: one shape serves both. */
function checkRole(authorizer: Authorizer, role: ClusterRole, old: ClusterRole | undefined, user: UserInfo): void {
  if (escalationAllowed(user)) return;
  if (old && onlyGCFields(role, old)) return;
  const ns = role.kind === "Role" ? role.metadata.namespace ?? "" : "";
  if (allowedTo(authorizer, user, "escalate", PLURAL[role.kind], ns, old ? role.metadata.name ?? "" : "")) return;
  confirmNoEscalation(authorizer, user, ns, role.rules ?? [], role);
  if (role.kind === "ClusterRole" && (role.aggregationRule || old?.aggregationRule)) {
    confirmNoEscalation(authorizer, user, "", FULL_AUTHORITY, role, "must have cluster-admin privileges to use the aggregationRule");
  }
}

function checkBinding(authorizer: Authorizer, binding: RoleBinding, old: KubeObject | undefined, ctx: HookContext): void {
  const user = ctx.user;
  if (escalationAllowed(user)) return;
  if (old && onlyGCFields(binding, old)) return;
  const ns = binding.kind === "RoleBinding" ? binding.metadata.namespace ?? "" : "";
  const ref = binding.roleRef;
  // BindingAuthorized: `bind` on the role, asked where the binding is made.
  if ((ref.kind === "Role" || ref.kind === "ClusterRole") && allowedTo(authorizer, user, "bind", PLURAL[ref.kind], ns, ref.name)) return;
  confirmNoEscalation(authorizer, user, ns, referencedRules(ctx, ref, ns, binding), binding);
}

/** GetRoleReferenceRules: the rules of the role a binding names; a missing role refuses the binding. */
function referencedRules(ctx: HookContext, ref: RoleRef, ns: string, binding: RoleBinding): PolicyRule[] {
  const role = ref.kind === "Role" ? ctx.store.get<Role>("Role", ns, ref.name) : ref.kind === "ClusterRole" ? ctx.store.get<ClusterRole>("ClusterRole", "", ref.name) : undefined;
  if (!role) {
    // The listers' NotFound names the singular resource, as the authorizer's resolution errors do.
    const why = ref.kind === "Role" || ref.kind === "ClusterRole" ? `${ref.kind.toLowerCase()}.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found` : `unsupported role reference kind: ${JSON.stringify(ref.kind)}`;
    throw ApiError.forbidden(PLURAL[binding.kind], binding.metadata.name ?? "", why, RBAC_GROUP);
  }
  return role.rules ?? [];
}
