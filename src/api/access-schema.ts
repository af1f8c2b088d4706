/**
 * The shape of the access kinds (k8s.io/api core/v1 ServiceAccount, rbac/v1, authorization/v1 and
 * authentication/v1 self reviews) and of metrics.k8s.io PodMetrics: JSON types for the decoder checks, the
 * OpenAPI that `kubectl explain` reads, and the list keys of server-side apply. RBAC's lists carry no patch
 * strategy upstream, so they are replaced whole by patches, as kube-apiserver does.
 */
import { ANY, bool, byKey, kind, labelSelector, list, map, objectReference, resourceList, str, strings, struct, type Schema } from "./schema-dsl.js";

const policyRule = struct("PolicyRule", {
  verbs: list(str),
  apiGroups: list(str),
  resources: list(str),
  resourceNames: list(str),
  nonResourceURLs: list(str),
});
const subject = struct("Subject", strings("kind apiGroup name namespace"));
const roleRef = struct("RoleRef", strings("apiGroup kind name"));
const binding = (go: string): Schema => kind(go, { subjects: list(subject), roleRef });

const resourceAttributes = struct("ResourceAttributes", {
  ...strings("namespace verb group version resource subresource name"),
  fieldSelector: ANY,
  labelSelector: ANY,
});
const accessReviewStatus = struct("SubjectAccessReviewStatus", { allowed: bool, denied: bool, ...strings("reason evaluationError") });
const rulesStatus = struct("SubjectRulesReviewStatus", {
  resourceRules: list(struct("ResourceRule", { verbs: list(str), apiGroups: list(str), resources: list(str), resourceNames: list(str) })),
  nonResourceRules: list(struct("NonResourceRule", { verbs: list(str), nonResourceURLs: list(str) })),
  incomplete: bool,
  evaluationError: str,
});
const userInfo = struct("UserInfo", { ...strings("username uid"), groups: list(str), extra: map(list(str)) });

export const ACCESS_SCHEMAS: Readonly<Record<string, Schema>> = {
  ServiceAccount: kind("ServiceAccount", {
    secrets: byKey(objectReference, "name"),
    imagePullSecrets: list(struct("LocalObjectReference", { name: str })),
    automountServiceAccountToken: bool,
  }),
  Role: kind("Role", { rules: list(policyRule) }),
  ClusterRole: kind("ClusterRole", {
    rules: list(policyRule),
    aggregationRule: struct("AggregationRule", { clusterRoleSelectors: list(labelSelector) }),
  }),
  RoleBinding: binding("RoleBinding"),
  ClusterRoleBinding: binding("ClusterRoleBinding"),
  SelfSubjectAccessReview: kind("SelfSubjectAccessReview", {
    spec: struct("SelfSubjectAccessReviewSpec", {
      resourceAttributes,
      nonResourceAttributes: struct("NonResourceAttributes", strings("path verb")),
    }),
    status: accessReviewStatus,
  }),
  SelfSubjectRulesReview: kind("SelfSubjectRulesReview", {
    spec: struct("SelfSubjectRulesReviewSpec", { namespace: str }),
    status: rulesStatus,
  }),
  SelfSubjectReview: kind("SelfSubjectReview", { status: struct("SelfSubjectReviewStatus", { userInfo }) }),
  PodMetrics: kind("PodMetrics", {
    timestamp: str,
    window: str,
    containers: list(struct("ContainerMetrics", { name: str, usage: resourceList })),
  }),
};
