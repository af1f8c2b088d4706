/**
 * Who is a node, and what every node may do regardless of which objects relate to it: the statically defined node
 * rules (plugin/pkg/auth/authorizer/rbac/bootstrappolicy NodeRules, Kubernetes 1.32) that the Node authorizer
 * evaluates for requests it does not subdivide, and the `system:node` ClusterRole carries. (nodelet's node agent also
 * runs the service proxy under the node's credentials: what kube-proxy needs beyond these comes from RBAC, the
 * `system:node-proxier` ClusterRole bound to `system:nodes`, rbac/bootstrap.ts.)
 */
import type { PolicyRule } from "../../api/rbac.js";
export { NODE_LEASE_NAMESPACE } from "../../api/lease.js";
import type { UserInfo } from "../user.js";

export const NODES_GROUP = "system:nodes";
export const NODE_USER_PREFIX = "system:node:";

/** The node a user is (nodeidentifier.NodeIdentity): `system:node:NAME` in `system:nodes`; undefined otherwise. */
export function nodeIdentity(user: UserInfo): { nodeName: string } | undefined {
  if (!user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return { nodeName: user.name.slice(NODE_USER_PREFIX.length) };
}

const READ = ["get", "list", "watch"];
const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });

export const NODE_RULES: readonly PolicyRule[] = [
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews", "localsubjectaccessreviews"]),
  rule(READ, [""], ["services"]),
  rule(["create", "get", "list", "watch"], [""], ["nodes"]),
  rule(["update", "patch"], [""], ["nodes/status"]),
  rule(["update", "patch"], [""], ["nodes"]),
  rule(["create", "update", "patch"], [""], ["events"]),
  rule(["create", "update", "patch"], ["events.k8s.io"], ["events"]),
  rule(READ, [""], ["pods"]),
  rule(["create", "delete"], [""], ["pods"]),
  rule(["update", "patch"], [""], ["pods/status"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(["get", "list", "watch"], [""], ["secrets", "configmaps"]),
  rule(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
  rule(["get"], [""], ["endpoints"]),
  rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
  rule(["get", "create", "update", "patch", "delete"], ["coordination.k8s.io"], ["leases"]),
  rule(["get"], ["storage.k8s.io"], ["volumeattachments"]),
  rule(["update", "patch"], [""], ["persistentvolumeclaims/status"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(READ, ["storage.k8s.io"], ["csidrivers"]),
  rule(["get", "create", "update", "patch", "delete"], ["storage.k8s.io"], ["csinodes"]),
  rule(READ, ["node.k8s.io"], ["runtimeclasses"]),
];

/** kube-proxy's role (bootstrappolicy system:node-proxier). */
export const NODE_PROXIER_RULES: readonly PolicyRule[] = [
  rule(["list", "watch"], [""], ["services", "endpoints"]),
  rule(READ, [""], ["nodes"]),
  rule(["create", "update", "patch"], [""], ["events"]),
  rule(["create", "update", "patch"], ["events.k8s.io"], ["events"]),
  rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
];
