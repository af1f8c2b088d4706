/**
 * The default roles and bindings every cluster starts with (plugin/pkg/auth/authorizer/rbac/bootstrappolicy,
 * Kubernetes 1.32): cluster-admin for system:masters; discovery, basic-user (the self reviews) and public-info for
 * every authenticated user; the user-facing admin ⊇ edit ⊇ view, built by aggregation from the
 * `system:aggregate-to-*` roles (so a ClusterRole labelled `rbac.authorization.k8s.io/aggregate-to-view: "true"`
 * extends view, edit and admin). Rules for kinds nodelet does not serve are kept as upstream has them.
 *
 * Created when missing; an existing object is left as it is, so an administrator's change to a default survives a
 * restart (upstream reconciles objects annotated autoupdate=true; nodelet only fills what is missing).
 */
import { aggregateRules } from "../../api/rbac-aggregation.js";
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from "../../api/rbac.js";
import { RBAC_GROUP } from "../../api/rbac.js";
import type { KubeObject } from "../../api/types.js";
import type { Store } from "../../store/store.js";
import { createIfMissing } from "../../store/create-if-missing.js";
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, SYSTEM_MASTERS } from "../user.js";
import { BOOTSTRAPPERS_GROUP } from "../../api/bootstrap-token.js";
import { NODE_PROXIER_RULES, NODE_RULES, NODES_GROUP } from "../node/rules.js";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = [...READ, ...WRITE];
const AGG = "rbac.authorization.k8s.io/aggregate-to-";
const CERTIFICATES = "certificates.k8s.io";

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}, aggregateFrom?: string): ClusterRole {
  const role: ClusterRole = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "ClusterRole",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...labels },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    rules,
  };
  if (aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [`${AGG}${aggregateFrom}`]: "true" } }] };
  return role;
}

const VIEW_RULES: PolicyRule[] = [
  rule(READ, [""], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"]),
  rule(READ, [""], ["limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status", "namespaces/status", "replicationcontrollers/status", "pods/log"]),
  rule(READ, [""], ["namespaces"]),
  rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
  rule(READ, ["apps"], ["controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale", "daemonsets", "daemonsets/status", "deployments", "deployments/status", "deployments/scale", "replicasets", "replicasets/status", "replicasets/scale"]),
  rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
  rule(READ, ["batch"], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
  rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
  rule(READ, ["networking.k8s.io"], ["networkpolicies", "ingresses", "ingresses/status"]),
];

const EDIT_RULES: PolicyRule[] = [
  // Read on escalating resources.
  rule(READ, [""], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"]),
  rule(["impersonate"], [""], ["serviceaccounts"]),
  rule(WRITE, [""], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(WRITE, [""], ["replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(WRITE, ["apps"], ["statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale", "deployments/rollback", "replicasets", "replicasets/scale"]),
  rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
  rule(WRITE, ["batch"], ["jobs", "cronjobs"]),
  rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
  rule(WRITE, ["networking.k8s.io"], ["networkpolicies", "ingresses"]),
];

const ADMIN_RULES: PolicyRule[] = [
  rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
  rule(READ_WRITE, [RBAC_GROUP], ["roles", "rolebindings"]),
];

/** The default ClusterRoles, the aggregated ones with their rules already filled. */
export function bootstrapClusterRoles(): ClusterRole[] {
  const roles = [
    clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
    clusterRole("system:discovery", [urls(["get"], ["/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"])]),
    clusterRole("system:basic-user", [
      rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
      rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
    ]),
    clusterRole("system:public-info-viewer", [urls(["get"], ["/livez", "/readyz", "/healthz", "/version", "/version/"])]),
    // Upstream's list, plus the kubelet's /metrics/cadvisor, which nodelet serves on the API listener (the kubelet
    // authorizes it as nodes/metrics; there is no kubelet port here to ask).
    clusterRole("system:monitoring", [
      urls(["get"], ["/metrics", "/metrics/slis", "/metrics/cadvisor", "/livez", "/readyz", "/healthz", "/livez/*", "/readyz/*", "/healthz/*"]),
    ]),
    // Joining nodes (TLS bootstrapping): bootstrap tokens may make CSRs; the csrapproving controller approves a
    // node client CSR when its requestor may create the nodeclient (bootstrap) or selfnodeclient (renewal) subresource.
    clusterRole("system:node-bootstrapper", [rule(["create", "get", "list", "watch"], [CERTIFICATES], ["certificatesigningrequests"])]),
    clusterRole(`system:${CERTIFICATES}:certificatesigningrequests:nodeclient`, [rule(["create"], [CERTIFICATES], ["certificatesigningrequests/nodeclient"])]),
    clusterRole(`system:${CERTIFICATES}:certificatesigningrequests:selfnodeclient`, [rule(["create"], [CERTIFICATES], ["certificatesigningrequests/selfnodeclient"])]),
    clusterRole("system:node", NODE_RULES.map((r) => ({ ...r }))),
    clusterRole("system:node-proxier", NODE_PROXIER_RULES.map((r) => ({ ...r }))),
    // An external persistent volume provisioner's role, as upstream defines it (update on claims: to take one).
    clusterRole("system:persistent-volume-provisioner", [
      rule(["get", "list", "watch", "create", "delete"], [""], ["persistentvolumes"]),
      rule(["get", "list", "watch", "update"], [""], ["persistentvolumeclaims"]),
      rule(READ, ["storage.k8s.io"], ["storageclasses"]),
      rule(["watch"], [""], ["events"]),
      rule(["create", "update", "patch"], ["", "events.k8s.io"], ["events"]),
    ]),
    // What the local provisioner of a node does beyond provisioning (what external-resizer and the kubelet's volume
    // expansion do upstream): a volume's capacity and finalizer, a claim's resize status.
    clusterRole("nodelet:local-volumes", [rule(["update", "patch"], [""], ["persistentvolumes", "persistentvolumeclaims/status"])]),
    clusterRole("admin", [], {}, "admin"),
    clusterRole("edit", [], { [`${AGG}admin`]: "true" }, "edit"),
    clusterRole("view", [], { [`${AGG}edit`]: "true" }, "view"),
    clusterRole("system:aggregate-to-admin", ADMIN_RULES, { [`${AGG}admin`]: "true" }),
    clusterRole("system:aggregate-to-edit", EDIT_RULES, { [`${AGG}edit`]: "true" }),
    clusterRole("system:aggregate-to-view", VIEW_RULES, { [`${AGG}view`]: "true" }),
    // As metrics-server installs it, so `kubectl top` works for every role that can view.
    clusterRole("system:aggregated-metrics-reader", [rule(READ, ["metrics.k8s.io"], ["pods", "nodes"])], {
      [`${AGG}view`]: "true",
      [`${AGG}edit`]: "true",
      [`${AGG}admin`]: "true",
    }),
  ];
  // Fill in dependency order: view before edit before admin.
  for (const name of ["view", "edit", "admin"]) {
    const r = roles.find((x) => x.metadata.name === name)!;
    r.rules = aggregateRules(r, roles) ?? [];
  }
  return roles;
}

function binding(name: string, groups: string[], role = name): ClusterRoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: "ClusterRoleBinding",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: role },
    subjects: groups.map((g) => ({ kind: "Group", apiGroup: RBAC_GROUP, name: g })),
  };
}

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    binding("cluster-admin", [SYSTEM_MASTERS]),
    binding("system:discovery", [ALL_AUTHENTICATED]),
    binding("system:basic-user", [ALL_AUTHENTICATED]),
    binding("system:public-info-viewer", [ALL_AUTHENTICATED, ALL_UNAUTHENTICATED]),
    binding("system:monitoring", ["system:monitoring"]),
    // kubeadm's bindings for joining nodes (kubeadm binds its token group; here every bootstrap token may join).
    binding("kubeadm:kubelet-bootstrap", [BOOTSTRAPPERS_GROUP], "system:node-bootstrapper"),
    binding("kubeadm:node-autoapprove-bootstrap", [BOOTSTRAPPERS_GROUP], `system:${CERTIFICATES}:certificatesigningrequests:nodeclient`),
    binding("kubeadm:node-autoapprove-certificate-rotation", [NODES_GROUP], `system:${CERTIFICATES}:certificatesigningrequests:selfnodeclient`),
    // The node agent runs the service proxy with the node's credentials (kube-proxy's own account upstream).
    binding("nodelet:node-proxier", [NODES_GROUP], "system:node-proxier"),
    // Each node runs the local provisioner for its own volumes with the node's credentials (upstream's DaemonSet has
    // an account of its own with these roles).
    binding("nodelet:persistent-volume-provisioner", [NODES_GROUP], "system:persistent-volume-provisioner"),
    binding("nodelet:local-volumes", [NODES_GROUP], "nodelet:local-volumes"),
  ];
}

/** Creates the default roles and bindings that are missing from `store`. */
export function ensureBootstrapPolicy(store: Store): void {
  const objects: KubeObject[] = [...bootstrapClusterRoles(), ...bootstrapClusterRoleBindings()];
  for (const o of objects) {
    createIfMissing(store, o);
  }
}
