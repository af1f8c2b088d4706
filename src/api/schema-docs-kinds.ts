/**
 * Descriptions of the served kinds schema-docs.ts does not cover and of their top-level fields, as k8s.io/api's doc
 * comments give them (core/v1, discovery/v1, storage/v1, apps/v1, batch/v1, policy/v1, rbac/v1, authorization/v1,
 * authentication/v1, metrics/v1beta1, scheduling/v1). Merged into schema-docs.ts' tables; keyed the same way.
 */
import { PRIORITY_CLASS_DOC, PRIORITY_CLASS_FIELD_DOCS } from "./priority-class.js";

const SPEC_AND_STATUS = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status";

export const KIND_TYPE_DOCS: Readonly<Record<string, string>> = {
  Endpoints:
    "Endpoints is a collection of endpoints that implement the actual service. Example:\n\n\t Name: \"mysvc\",\n\t Subsets: [\n\t   {\n\t     Addresses: [{\"ip\": \"10.10.1.1\"}, {\"ip\": \"10.10.2.2\"}],\n\t     Ports: [{\"name\": \"a\", \"port\": 8675}, {\"name\": \"b\", \"port\": 309}]\n\t   },\n\t   {\n\t     Addresses: [{\"ip\": \"10.10.3.3\"}],\n\t     Ports: [{\"name\": \"a\", \"port\": 93}, {\"name\": \"b\", \"port\": 76}]\n\t   },\n\t]",
  EndpointSlice:
    "EndpointSlice represents a subset of the endpoints that implement a service. For a given service there may be multiple EndpointSlice objects, selected by labels, which must be joined to produce the full set of endpoints.",
  PersistentVolume:
    "PersistentVolume (PV) is a storage resource provisioned by an administrator. It is analogous to a node. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes",
  PersistentVolumeClaim: "PersistentVolumeClaim is a user's request for and claim to a persistent volume",
  ResourceQuota: "ResourceQuota sets aggregate quota restrictions enforced per namespace",
  ResourceQuotaSpec: "ResourceQuotaSpec defines the desired hard limits to enforce for Quota.",
  ResourceQuotaStatus: "ResourceQuotaStatus defines the enforced hard limits and observed use.",
  LimitRange: "LimitRange sets resource usage limits for each kind of resource in a Namespace.",
  LimitRangeSpec: "LimitRangeSpec defines a min/max usage limit for resources that match on kind.",
  LimitRangeItem: "LimitRangeItem defines a min/max usage limit for any resource that matches on kind.",
  StatefulSet:
    "StatefulSet represents a set of pods with consistent identities. Identities are defined as:\n  - Network: A single stable DNS and hostname.\n  - Storage: As many VolumeClaims as requested.\n\nThe StatefulSet guarantees that a given network identity will always map to the same storage identity.",
  DaemonSet: "DaemonSet represents the configuration of a daemon set.",
  ControllerRevision:
    "ControllerRevision implements an immutable snapshot of state data. Clients are responsible for serializing and deserializing the objects that contain their internal state. Once a ControllerRevision has been successfully created, it can not be updated. The API Server will fail validation of all requests that attempt to mutate the Data field. ControllerRevisions may, however, be deleted. Note that, due to its use by both the DaemonSet and StatefulSet controllers for update and rollback, this object is beta. However, it may be subject to name and representation changes in future releases, and clients should not depend on its stability. It is primarily for internal use by controllers.",
  Job: "Job represents the configuration of a single job.",
  CronJob: "CronJob represents the configuration of a single cron job.",
  PodDisruptionBudget: "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods",
  HorizontalPodAutoscaler:
    "HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.",
  HorizontalPodAutoscalerSpec: "HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.",
  HorizontalPodAutoscalerStatus: "HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.",
  StorageClass:
    "StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.\n\nStorageClasses are non-namespaced; the name of the storage class according to etcd is in ObjectMeta.Name.",
  PodMetrics: "PodMetrics sets resource usage metrics of a pod.",
  ContainerMetrics: "ContainerMetrics sets resource usage metrics of a container.",
  ServiceAccount:
    "ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets",
  Role: "Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.",
  ClusterRole: "ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.",
  RoleBinding:
    "RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.",
  ClusterRoleBinding:
    "ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.",
  PolicyRule:
    "PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.",
  Subject:
    "Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.",
  RoleRef: "RoleRef contains information that points to the role being used",
  AggregationRule: "AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole",
  SelfSubjectAccessReview:
    "SelfSubjectAccessReview checks whether or the current user can perform an action.  Not filling in a spec.namespace means \"in all namespaces\".  Self is a special case, because users should always be able to check whether they can perform an action",
  SelfSubjectRulesReview:
    "SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace. The returned list of actions may be incomplete depending on the server's authorization mode, and any errors experienced during the evaluation. SelfSubjectRulesReview should be used by UIs to show/hide actions, or to quickly let an end user reason about their permissions. It should NOT Be used by external systems to drive authorization decisions as this raises confused deputy, cache lifetime/revocation, and correctness concerns. SubjectAccessReview, and LocalAccessReview are the correct way to defer authorization decisions to the API server.",
  SelfSubjectReview:
    "SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request. When using impersonation, users will receive the user info of the user being impersonated.  If impersonation or request header authentication is used, any extra keys will have their case ignored and returned as lowercase.",
  CertificateSigningRequest:
    "CertificateSigningRequest objects provide a mechanism to obtain x509 certificates by submitting a certificate signing request, and having it asynchronously approved and issued.",
  CertificateSigningRequestSpec: "CertificateSigningRequestSpec contains the certificate request.",
  CertificateSigningRequestStatus: "CertificateSigningRequestStatus contains conditions used to indicate approved/denied/failed status of the request, and the issued certificate.",
  CertificateSigningRequestCondition: "CertificateSigningRequestCondition describes a condition of a CertificateSigningRequest object",
  PriorityClass: PRIORITY_CLASS_DOC,
};

export const KIND_FIELD_DOCS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(PRIORITY_CLASS_FIELD_DOCS).map(([f, d]) => [`PriorityClass.${f}`, d])),
  "Endpoints.subsets":
    "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
  "EndpointSlice.addressType":
    "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.",
  "EndpointSlice.endpoints": "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.",
  "EndpointSlice.ports":
    "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports.",
  "Event.involvedObject": "The object that this event is about.",
  "Event.related": "Optional secondary object for more complex actions.",
  "Event.reason": "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  "Event.message": "A human-readable description of the status of this operation.",
  "Event.source": "The component reporting this event. Should be a short machine understandable string.",
  "Event.firstTimestamp": "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
  "Event.lastTimestamp": "The time at which the most recent occurrence of this event was recorded.",
  "Event.count": "The number of times this event has occurred.",
  "Event.type": "Type of this event (Normal, Warning), new types could be added in the future",
  "Event.eventTime": "Time when this Event was first observed.",
  "Event.series": "Data about the Event series this event represents or nil if it's a singleton Event.",
  "Event.action": "What action was taken/failed regarding to the Regarding object.",
  "Event.reportingComponent": "Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.",
  "Event.reportingInstance": "ID of the controller instance, e.g. `kubelet-xyzf`.",
  "ConfigMap.data":
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  "ConfigMap.binaryData":
    "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubelet.",
  "ConfigMap.immutable":
    "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.",
  "Secret.data":
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  "Secret.stringData":
    "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.",
  "Secret.type": "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
  "Secret.immutable":
    "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.",
  "ResourceQuota.spec": `Spec defines the desired quota. ${SPEC_AND_STATUS}`,
  "ResourceQuota.status": `Status defines the actual enforced quota and its current usage. ${SPEC_AND_STATUS}`,
  "ResourceQuotaSpec.hard": "hard is the set of desired hard limits for each named resource. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/",
  "ResourceQuotaSpec.scopes": "A collection of filters that must match each object tracked by a quota. If not specified, the quota matches all objects.",
  "ResourceQuotaSpec.scopeSelector":
    "scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota but expressed using ScopeSelectorOperator in combination with possible values. For a resource to match, both scopes AND scopeSelector (if specified in spec), must be matched.",
  "ResourceQuotaStatus.hard": "Hard is the set of enforced hard limits for each named resource. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/",
  "ResourceQuotaStatus.used": "Used is the current observed total usage of the resource in the namespace.",
  "LimitRange.spec": `Spec defines the limits enforced. More info: ${SPEC_AND_STATUS}`,
  "LimitRangeSpec.limits": "Limits is the list of LimitRangeItem objects that are enforced.",
  "LimitRangeItem.type": "Type of resource that this limit applies to.",
  "LimitRangeItem.max": "Max usage constraints on this kind by resource name.",
  "LimitRangeItem.min": "Min usage constraints on this kind by resource name.",
  "LimitRangeItem.default": "Default resource requirement limit value by resource name if resource limit is omitted.",
  "LimitRangeItem.defaultRequest": "DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.",
  "LimitRangeItem.maxLimitRequestRatio":
    "MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value; this represents the max burst for the named resource.",
  "StorageClass.provisioner": "provisioner indicates the type of the provisioner.",
  "StorageClass.parameters": "parameters holds the parameters for the provisioner that should create volumes of this storage class.",
  "StorageClass.reclaimPolicy": "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.",
  "StorageClass.mountOptions":
    "mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class. e.g. [\"ro\", \"soft\"]. Not validated - mount of the PVs will simply fail if one is invalid.",
  "StorageClass.allowVolumeExpansion": "allowVolumeExpansion shows whether the storage class allow volume expand.",
  "StorageClass.volumeBindingMode":
    "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.",
  "StorageClass.allowedTopologies":
    "allowedTopologies restrict the node topologies where volumes can be dynamically provisioned. Each volume plugin defines its own supported topology specifications. An empty TopologySelectorTerm list means there is no topology restriction. This field is only honored by servers that enable the VolumeScheduling feature.",
  "PodDisruptionBudget.spec": "Specification of the desired behavior of the PodDisruptionBudget.",
  "PodDisruptionBudget.status": "Most recently observed status of the PodDisruptionBudget.",
  "HorizontalPodAutoscaler.spec": `spec is the specification for the behaviour of the autoscaler. More info: ${SPEC_AND_STATUS}.`,
  "HorizontalPodAutoscaler.status": "status is the current information about the autoscaler.",
  "HorizontalPodAutoscalerSpec.scaleTargetRef":
    "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.",
  "HorizontalPodAutoscalerSpec.minReplicas":
    "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.",
  "HorizontalPodAutoscalerSpec.maxReplicas": "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.",
  "HorizontalPodAutoscalerSpec.metrics":
    "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.",
  "HorizontalPodAutoscalerSpec.behavior":
    "behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively). If not set, the default HPAScalingRules for scale up and scale down are used.",
  "HorizontalPodAutoscalerStatus.observedGeneration": "observedGeneration is the most recent generation observed by this autoscaler.",
  "HorizontalPodAutoscalerStatus.lastScaleTime":
    "lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods, used by the autoscaler to control how often the number of pods is changed.",
  "HorizontalPodAutoscalerStatus.currentReplicas": "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.",
  "HorizontalPodAutoscalerStatus.desiredReplicas": "desiredReplicas is the desired number of replicas of pods managed by this autoscaler, as last calculated by the autoscaler.",
  "HorizontalPodAutoscalerStatus.currentMetrics": "currentMetrics is the last read state of the metrics used by this autoscaler.",
  "HorizontalPodAutoscalerStatus.conditions":
    "conditions is the set of conditions required for this autoscaler to scale its target, and indicates whether or not those conditions are met.",
  "ControllerRevision.data": "Data is the serialized representation of the state.",
  "ControllerRevision.revision": "Revision indicates the revision of the state represented by Data.",
  "PodMetrics.timestamp": "The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].",
  "PodMetrics.window": "The length of the interval [Timestamp-Window, Timestamp] the usage was measured over.",
  "PodMetrics.containers": "Metrics for all containers are collected within the same time window.",
  "ContainerMetrics.name": "Container name corresponding to the one from pod.spec.containers.",
  "ContainerMetrics.usage": "The memory usage is the memory working set.",
  "ServiceAccount.secrets":
    "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret",
  "ServiceAccount.imagePullSecrets":
    "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount. ImagePullSecrets are distinct from Secrets because Secrets can be mounted in the pod, but ImagePullSecrets are only accessed by the kubelet. More info: https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod",
  "ServiceAccount.automountServiceAccountToken":
    "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.",
  "Role.rules": "Rules holds all the PolicyRules for this Role",
  "ClusterRole.rules": "Rules holds all the PolicyRules for this ClusterRole",
  "ClusterRole.aggregationRule":
    "AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.",
  "AggregationRule.clusterRoleSelectors":
    "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added",
  "RoleBinding.subjects": "Subjects holds references to the objects the role applies to.",
  "RoleBinding.roleRef":
    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  "ClusterRoleBinding.subjects": "Subjects holds references to the objects the role applies to.",
  "ClusterRoleBinding.roleRef":
    "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  "PolicyRule.verbs": "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs.",
  "PolicyRule.apiGroups":
    "APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. \"\" represents the core API group and \"*\" represents all API groups.",
  "PolicyRule.resources": "Resources is a list of resources this rule applies to. '*' represents all resources.",
  "PolicyRule.resourceNames": "ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.",
  "PolicyRule.nonResourceURLs":
    "NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path Since non-resource URLs are not namespaced, this field is only applicable for ClusterRoles referenced from ClusterRoleBinding. Rules can either apply to API resources (such as \"pods\" or \"secrets\") or non-resource URL paths (such as \"/api\"),  but not both.",
  "Subject.kind":
    "Kind of object being referenced. Values defined by this API group are \"User\", \"Group\", and \"ServiceAccount\". If the Authorizer does not recognized the kind value, the Authorizer should report an error.",
  "Subject.apiGroup":
    "APIGroup holds the API group of the referenced subject. Defaults to \"\" for ServiceAccount subjects. Defaults to \"rbac.authorization.k8s.io\" for User and Group subjects.",
  "Subject.name": "Name of the object being referenced.",
  "Subject.namespace":
    "Namespace of the referenced object.  If the object kind is non-namespace, such as \"User\" or \"Group\", and this value is not empty the Authorizer should report an error.",
  "RoleRef.apiGroup": "APIGroup is the group for the resource being referenced",
  "RoleRef.kind": "Kind is the type of resource being referenced",
  "RoleRef.name": "Name is the name of resource being referenced",
  "SelfSubjectAccessReview.spec": "Spec holds information about the request being evaluated.  user and groups must be empty",
  "SelfSubjectAccessReview.status": "Status is filled in by the server and indicates whether the request is allowed or not",
  "SelfSubjectRulesReview.spec": "Spec holds information about the request being evaluated.",
  "SelfSubjectRulesReview.status": "Status is filled in by the server and indicates the set of actions a user can perform.",
  "SelfSubjectReview.status": "Status is filled in by the server with the user attributes.",
  "CertificateSigningRequest.spec": "spec contains the certificate request, and is immutable after creation. Only the request, signerName, expirationSeconds, and usages fields can be set on creation. Other fields are derived by Kubernetes and cannot be modified by users.",
  "CertificateSigningRequest.status": "status contains information about whether the request is approved or denied, and the certificate issued by the signer, or the failure condition indicating signer failure.",
  "CertificateSigningRequestSpec.request": "request contains an x509 certificate signing request encoded in a \"CERTIFICATE REQUEST\" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded.",
  "CertificateSigningRequestSpec.signerName": "signerName indicates the requested signer, and is a qualified name.",
  "CertificateSigningRequestSpec.expirationSeconds": "expirationSeconds is the requested duration of validity of the issued certificate. The minimum valid value for expirationSeconds is 600, i.e. 10 minutes.",
  "CertificateSigningRequestSpec.usages": "usages specifies a set of key usages requested in the issued certificate.",
  "CertificateSigningRequestSpec.username": "username contains the name of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
  "CertificateSigningRequestSpec.uid": "uid contains the uid of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
  "CertificateSigningRequestSpec.groups": "groups contains group membership of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
  "CertificateSigningRequestSpec.extra": "extra contains extra attributes of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
  "CertificateSigningRequestStatus.conditions": "conditions applied to the request. Known conditions are \"Approved\", \"Denied\", and \"Failed\".",
  "CertificateSigningRequestStatus.certificate": "certificate is populated with an issued certificate by the signer after an Approved condition is present. This field is set via the /status subresource. Once populated, this field is immutable.",
};
