/**
 * Protobuf field numbers of the objects kubectl's typed-client generators send as
 * `application/vnd.kubernetes.protobuf` (`kubectl create configmap|secret|namespace|service …` — seen: these never
 * fall back to JSON, even after a 415). Numbers and names follow k8s.io/api core/v1 and k8s.io/apimachinery
 * meta/v1 generated.proto; the field names are the JSON names.
 */

export type FieldType =
  | "string"
  | "bytes"
  | "int"
  | "bool"
  /** metav1.Time {seconds 1, nanos 2} → RFC 3339. */
  | "time"
  /** intstr.IntOrString {type 1, intVal 2, strVal 3} → number or string. */
  | "intOrString"
  /** FieldsV1 {Raw 1}: JSON bytes → the JSON value. */
  | "rawJson"
  /** resource.Quantity {string 1} → its string. */
  | "quantity"
  | { message: string }
  | { map: "string" | "bytes" | "quantity" };

export interface FieldDef {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** A pointer field in Go (`*int32`): written only when set, so a zero that arrives is kept (`replicas: 0`). */
  pointer?: boolean;
}

export type MessageDef = Record<number, FieldDef>;

const f = (name: string, type: FieldType, repeated = false): FieldDef => (repeated ? { name, type, repeated } : { name, type });
const msg = (name: string) => ({ message: name });
const ptr = (name: string, type: FieldType): FieldDef => ({ name, type, pointer: true });

export const MESSAGES: Record<string, MessageDef> = {
  // runtime.Unknown: the envelope after the "k8s\0" magic.
  Unknown: { 1: f("typeMeta", msg("TypeMeta")), 2: f("raw", "bytes"), 3: f("contentEncoding", "string"), 4: f("contentType", "string") },
  TypeMeta: { 1: f("apiVersion", "string"), 2: f("kind", "string") },

  ObjectMeta: {
    1: f("name", "string"),
    2: f("generateName", "string"),
    3: f("namespace", "string"),
    4: f("selfLink", "string"),
    5: f("uid", "string"),
    6: f("resourceVersion", "string"),
    7: f("generation", "int"),
    8: f("creationTimestamp", "time"),
    9: f("deletionTimestamp", "time"),
    10: f("deletionGracePeriodSeconds", "int"),
    11: f("labels", { map: "string" }),
    12: f("annotations", { map: "string" }),
    13: f("ownerReferences", msg("OwnerReference"), true),
    14: f("finalizers", "string", true),
    17: f("managedFields", msg("ManagedFieldsEntry"), true),
  },
  OwnerReference: {
    1: f("kind", "string"),
    3: f("name", "string"),
    4: f("uid", "string"),
    5: f("apiVersion", "string"),
    6: f("controller", "bool"),
    7: f("blockOwnerDeletion", "bool"),
  },
  ManagedFieldsEntry: {
    1: f("manager", "string"),
    2: f("operation", "string"),
    3: f("apiVersion", "string"),
    4: f("time", "time"),
    6: f("fieldsType", "string"),
    7: f("fieldsV1", "rawJson"),
    8: f("subresource", "string"),
  },

  ConfigMap: { 1: f("metadata", msg("ObjectMeta")), 2: f("data", { map: "string" }), 3: f("binaryData", { map: "bytes" }), 4: f("immutable", "bool") },
  Secret: {
    1: f("metadata", msg("ObjectMeta")),
    2: f("data", { map: "bytes" }),
    3: f("type", "string"),
    4: f("stringData", { map: "string" }),
    5: f("immutable", "bool"),
  },

  Namespace: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("NamespaceSpec")), 3: f("status", msg("NamespaceStatus")) },
  NamespaceSpec: { 1: f("finalizers", "string", true) },
  NamespaceStatus: { 1: f("phase", "string"), 2: f("conditions", msg("NamespaceCondition"), true) },
  NamespaceCondition: {
    1: f("type", "string"),
    2: f("status", "string"),
    4: f("lastTransitionTime", "time"),
    5: f("reason", "string"),
    6: f("message", "string"),
  },

  Service: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("ServiceSpec")), 3: f("status", msg("ServiceStatus")) },
  ServiceSpec: {
    1: f("ports", msg("ServicePort"), true),
    2: f("selector", { map: "string" }),
    3: f("clusterIP", "string"),
    4: f("type", "string"),
    5: f("externalIPs", "string", true),
    7: f("sessionAffinity", "string"),
    8: f("loadBalancerIP", "string"),
    9: f("loadBalancerSourceRanges", "string", true),
    10: f("externalName", "string"),
    11: f("externalTrafficPolicy", "string"),
    12: f("healthCheckNodePort", "int"),
    13: f("publishNotReadyAddresses", "bool"),
    14: f("sessionAffinityConfig", msg("SessionAffinityConfig")),
    17: f("ipFamilyPolicy", "string"),
    18: f("clusterIPs", "string", true),
    19: f("ipFamilies", "string", true),
    20: f("allocateLoadBalancerNodePorts", "bool"),
    21: f("loadBalancerClass", "string"),
    22: f("internalTrafficPolicy", "string"),
    23: f("trafficDistribution", "string"),
  },
  ServicePort: {
    1: f("name", "string"),
    2: f("protocol", "string"),
    3: f("port", "int"),
    4: f("targetPort", "intOrString"),
    5: f("nodePort", "int"),
    6: f("appProtocol", "string"),
  },
  SessionAffinityConfig: { 1: f("clientIP", msg("ClientIPConfig")) },
  ClientIPConfig: { 1: f("timeoutSeconds", "int") },
  ServiceStatus: { 1: f("loadBalancer", msg("LoadBalancerStatus")), 2: f("conditions", msg("Condition"), true) },
  LoadBalancerStatus: { 1: f("ingress", msg("LoadBalancerIngress"), true) },
  LoadBalancerIngress: { 1: f("ip", "string"), 2: f("hostname", "string"), 3: f("ipMode", "string"), 4: f("ports", msg("PortStatus"), true) },
  PortStatus: { 1: f("port", "int"), 2: f("protocol", "string"), 3: f("error", "string") },
  Condition: {
    1: f("type", "string"),
    2: f("status", "string"),
    3: f("observedGeneration", "int"),
    4: f("lastTransitionTime", "time"),
    5: f("reason", "string"),
    6: f("message", "string"),
  },

  // rbac.authorization.k8s.io/v1 (`kubectl create role|clusterrole|rolebinding|clusterrolebinding`)
  Role: { 1: f("metadata", msg("ObjectMeta")), 2: f("rules", msg("PolicyRule"), true) },
  ClusterRole: { 1: f("metadata", msg("ObjectMeta")), 2: f("rules", msg("PolicyRule"), true), 3: f("aggregationRule", msg("AggregationRule")) },
  PolicyRule: {
    1: f("verbs", "string", true),
    2: f("apiGroups", "string", true),
    3: f("resources", "string", true),
    4: f("resourceNames", "string", true),
    5: f("nonResourceURLs", "string", true),
  },
  AggregationRule: { 1: f("clusterRoleSelectors", msg("LabelSelector"), true) },
  LabelSelector: { 1: f("matchLabels", { map: "string" }), 2: f("matchExpressions", msg("LabelSelectorRequirement"), true) },
  LabelSelectorRequirement: { 1: f("key", "string"), 2: f("operator", "string"), 3: f("values", "string", true) },
  RoleBinding: { 1: f("metadata", msg("ObjectMeta")), 2: f("subjects", msg("Subject"), true), 3: f("roleRef", msg("RoleRef")) },
  ClusterRoleBinding: { 1: f("metadata", msg("ObjectMeta")), 2: f("subjects", msg("Subject"), true), 3: f("roleRef", msg("RoleRef")) },
  Subject: { 1: f("kind", "string"), 2: f("apiGroup", "string"), 3: f("name", "string"), 4: f("namespace", "string") },
  RoleRef: { 1: f("apiGroup", "string"), 2: f("kind", "string"), 3: f("name", "string") },

  // authorization.k8s.io/v1 and authentication.k8s.io/v1 (`kubectl auth can-i`, `auth whoami`)
  SelfSubjectAccessReview: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("SelfSubjectAccessReviewSpec")) },
  SelfSubjectAccessReviewSpec: { 1: f("resourceAttributes", msg("ResourceAttributes")), 2: f("nonResourceAttributes", msg("NonResourceAttributes")) },
  ResourceAttributes: {
    1: f("namespace", "string"),
    2: f("verb", "string"),
    3: f("group", "string"),
    4: f("version", "string"),
    5: f("resource", "string"),
    6: f("subresource", "string"),
    7: f("name", "string"),
  },
  NonResourceAttributes: { 1: f("path", "string"), 2: f("verb", "string") },
  SelfSubjectRulesReview: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("SelfSubjectRulesReviewSpec")) },
  SelfSubjectRulesReviewSpec: { 1: f("namespace", "string") },
  SelfSubjectReview: { 1: f("metadata", msg("ObjectMeta")) },

  // ServiceAccount (v1) and TokenRequest (authentication.k8s.io/v1: `kubectl create serviceaccount|token`)
  ServiceAccount: {
    1: f("metadata", msg("ObjectMeta")),
    2: f("secrets", msg("ObjectReference"), true),
    3: f("imagePullSecrets", msg("LocalObjectReference"), true),
    4: f("automountServiceAccountToken", "bool"),
  },
  ObjectReference: { 1: f("kind", "string"), 2: f("namespace", "string"), 3: f("name", "string"), 4: f("uid", "string"), 5: f("apiVersion", "string"), 6: f("resourceVersion", "string"), 7: f("fieldPath", "string") },
  LocalObjectReference: { 1: f("name", "string") },
  TokenRequest: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("TokenRequestSpec")) },
  TokenRequestSpec: { 1: f("audiences", "string", true), 3: f("boundObjectRef", msg("BoundObjectReference")), 4: f("expirationSeconds", "int") },
  BoundObjectReference: { 1: f("kind", "string"), 2: f("apiVersion", "string"), 3: f("name", "string"), 4: f("uid", "string") },

  // apps/v1 Deployment as `kubectl create deployment` sends it (k8s.io/api apps/v1 and core/v1 generated.proto);
  // pod spec fields that generator never sets are not listed (and so skipped).
  Deployment: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("DeploymentSpec")) },
  DeploymentSpec: {
    1: ptr("replicas", "int"),
    2: f("selector", msg("LabelSelector")),
    3: f("template", msg("PodTemplateSpec")),
    4: f("strategy", msg("DeploymentStrategy")),
    5: f("minReadySeconds", "int"),
    6: ptr("revisionHistoryLimit", "int"),
    7: f("paused", "bool"),
    9: ptr("progressDeadlineSeconds", "int"),
  },
  DeploymentStrategy: { 1: f("type", "string"), 2: f("rollingUpdate", msg("RollingUpdateDeployment")) },
  RollingUpdateDeployment: { 1: f("maxUnavailable", "intOrString"), 2: f("maxSurge", "intOrString") },
  PodTemplateSpec: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("PodSpec")) },
  PodSpec: {
    2: f("containers", msg("Container"), true),
    3: f("restartPolicy", "string"),
    4: ptr("terminationGracePeriodSeconds", "int"),
    5: ptr("activeDeadlineSeconds", "int"),
    6: f("dnsPolicy", "string"),
    7: f("nodeSelector", { map: "string" }),
    8: f("serviceAccountName", "string"),
    10: f("nodeName", "string"),
    11: f("hostNetwork", "bool"),
    16: f("hostname", "string"),
    17: f("subdomain", "string"),
    19: f("schedulerName", "string"),
    20: f("initContainers", msg("Container"), true),
  },
  Container: {
    1: f("name", "string"),
    2: f("image", "string"),
    3: f("command", "string", true),
    4: f("args", "string", true),
    5: f("workingDir", "string"),
    6: f("ports", msg("ContainerPort"), true),
    7: f("env", msg("EnvVar"), true),
    13: f("terminationMessagePath", "string"),
    14: f("imagePullPolicy", "string"),
    16: f("stdin", "bool"),
    17: f("stdinOnce", "bool"),
    18: f("tty", "bool"),
    20: f("terminationMessagePolicy", "string"),
  },
  // batch/v1 Job and CronJob as `kubectl create job|cronjob` (and `create job --from=cronjob/NAME`) send them
  // (k8s.io/api batch/v1 generated.proto).
  Job: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("JobSpec")) },
  JobSpec: {
    1: ptr("parallelism", "int"),
    2: ptr("completions", "int"),
    3: ptr("activeDeadlineSeconds", "int"),
    4: f("selector", msg("LabelSelector")),
    5: ptr("manualSelector", "bool"),
    6: f("template", msg("PodTemplateSpec")),
    7: ptr("backoffLimit", "int"),
    8: ptr("ttlSecondsAfterFinished", "int"),
    9: f("completionMode", "string"),
    10: ptr("suspend", "bool"),
    14: f("podReplacementPolicy", "string"),
  },
  CronJob: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("CronJobSpec")) },
  CronJobSpec: {
    1: f("schedule", "string"),
    2: ptr("startingDeadlineSeconds", "int"),
    3: f("concurrencyPolicy", "string"),
    4: ptr("suspend", "bool"),
    5: f("jobTemplate", msg("JobTemplateSpec")),
    6: ptr("successfulJobsHistoryLimit", "int"),
    7: ptr("failedJobsHistoryLimit", "int"),
    8: f("timeZone", "string"),
  },
  JobTemplateSpec: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("JobSpec")) },
  ResourceQuota: { 1: f("metadata", msg("ObjectMeta")), 2: f("spec", msg("ResourceQuotaSpec")) },
  ResourceQuotaSpec: { 1: f("hard", { map: "quantity" }), 2: f("scopes", "string", true) },
  ContainerPort: { 1: f("name", "string"), 2: f("hostPort", "int"), 3: f("containerPort", "int"), 4: f("protocol", "string"), 5: f("hostIP", "string") },
  EnvVar: { 1: f("name", "string"), 2: f("value", "string") },
};

/** Top-level kinds that can arrive as protobuf. */
export const PROTOBUF_KINDS = ["ConfigMap", "Secret", "Namespace", "Service", "Deployment", "Job", "CronJob",
  "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SelfSubjectReview", "ServiceAccount", "TokenRequest", "ResourceQuota"];
