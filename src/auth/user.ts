/**
 * Who a request comes from, as the API server's authenticators produce it (k8s.io/apiserver user.Info): a name, a
 * uid, groups and extra attributes. Every authenticated user also belongs to `system:authenticated`.
 */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The group RBAC never refuses (the privileged-group authorizer in front of RBAC). */
export const SYSTEM_MASTERS = "system:masters";
export const ALL_AUTHENTICATED = "system:authenticated";
export const ALL_UNAUTHENTICATED = "system:unauthenticated";
export const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

/** `system:serviceaccount:NS:NAME`, the user name of a ServiceAccount. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** The groups of a ServiceAccount's user: all service accounts, and those of its namespace. */
export function serviceAccountGroups(namespace: string): string[] {
  return ["system:serviceaccounts", `system:serviceaccounts:${namespace}`];
}

/** The user with `system:authenticated` added once (as the apiserver's group adder does). */
export function withAuthenticatedGroup(u: UserInfo): UserInfo {
  return u.groups.includes(ALL_AUTHENTICATED) ? u : { ...u, groups: [...u.groups, ALL_AUTHENTICATED] };
}

/**
 * The node's own root-only unix socket: whoever can connect is root on the node (the socket is 0600 in a 0700
 * directory), so requests on it act as this administrator.
 */
export const LOCAL_ADMIN: UserInfo = { name: "system:admin", groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] };

/** The in-process controllers writing through the API (the apiserver's privileged loopback identity). */
export const LOOPBACK_USER: UserInfo = { name: "system:apiserver", groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] };
