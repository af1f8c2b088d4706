/**
 * Descriptions of the served types and their fields, as k8s.io/api's doc comments give them (the text `kubectl
 * explain` prints). Keyed by Go type ("Container") and by "Type.field" ("Container.image"); openapi-schema.ts
 * attaches them to the schemas it generates from schema.ts. A type or field without an entry has no description.
 * The kinds beyond the pod and the workloads are described in schema-docs-kinds.ts.
 */
import { KIND_FIELD_DOCS, KIND_TYPE_DOCS } from "./schema-docs-kinds.js";

const META = {
  apiVersion:
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
  kind: "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
  metadata: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  spec: "Spec defines the behavior of the object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
  status: "Most recently observed status of the object. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
};

/** The fields every kind has (TypeMeta, ObjectMeta, spec and status). */
export const COMMON_FIELD_DOCS: Readonly<Record<string, string>> = META;

export const TYPE_DOCS: Readonly<Record<string, string>> = {
  Pod: "Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.",
  PodSpec: "PodSpec is a description of a pod.",
  Container: "A single application container that you want to run within a pod.",
  ContainerPort: "ContainerPort represents a network port in a single container.",
  EnvVar: "EnvVar represents an environment variable present in a Container.",
  ResourceRequirements: "ResourceRequirements describes the compute resource requirements.",
  VolumeMount: "VolumeMount describes a mounting of a Volume within a container.",
  Probe: "Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.",
  SecurityContext:
    "SecurityContext holds security configuration that will be applied to a container. Some fields are present in both SecurityContext and PodSecurityContext.  When both are set, the values in SecurityContext take precedence.",
  ObjectMeta: "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
  Deployment: "Deployment enables declarative updates for Pods and ReplicaSets.",
  DeploymentSpec: "DeploymentSpec is the specification of the desired behavior of the Deployment.",
  DeploymentStrategy: "DeploymentStrategy describes how to replace existing pods with new ones.",
  RollingUpdateDeployment: "Spec to control the desired behavior of rolling update.",
  PodTemplateSpec: "PodTemplateSpec describes the data a pod should have when created from a template",
  LabelSelector:
    "A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.",
  ReplicaSet: "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
  Service:
    "Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.",
  ConfigMap: "ConfigMap holds configuration data for pods to consume.",
  Secret: "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
  Namespace: "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
  Node: "Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).",
  Event: "Event is a report of an event somewhere in the cluster.  Events have a limited retention time and triggers and messages may evolve with time.",
  Lease: "Lease defines a lease concept.",
  LeaseSpec: "LeaseSpec is a specification of a Lease.",
  ...KIND_TYPE_DOCS,
};

export const FIELD_DOCS: Readonly<Record<string, string>> = {
  "Pod.spec": "Specification of the desired behavior of the pod. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
  "PodSpec.containers":
    "List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.",
  "PodSpec.initContainers":
    "List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started. If any init container fails, the pod is considered to have failed and is handled according to its restartPolicy. More info: https://kubernetes.io/docs/concepts/workloads/pods/init-containers/",
  "PodSpec.restartPolicy":
    "Restart policy for all containers within the pod. One of Always, OnFailure, Never. In some contexts, only a subset of those values may be permitted. Default to Always. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy",
  "PodSpec.nodeName":
    "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod.",
  "PodSpec.volumes": "List of volumes that can be mounted by containers belonging to the pod. More info: https://kubernetes.io/docs/concepts/storage/volumes",
  "PodSpec.serviceAccountName": "ServiceAccountName is the name of the ServiceAccount to use to run this pod. More info: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
  "PodSpec.terminationGracePeriodSeconds":
    "Optional duration in seconds the pod needs to terminate gracefully. May be decreased in delete request. Value must be non-negative integer. The value zero indicates stop immediately via the kill signal (no opportunity to shut down). If this value is nil, the default grace period will be used instead. Defaults to 30 seconds.",
  "PodSpec.hostNetwork": "Host networking requested for this pod. Use the host's network namespace. If this option is set, the ports that will be used must be specified. Default to false.",
  "Container.name": "Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.",
  "Container.image":
    "Container image name. More info: https://kubernetes.io/docs/concepts/containers/images This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets.",
  "Container.command":
    "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell",
  "Container.args":
    "Arguments to the entrypoint. The container image's CMD is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell",
  "Container.env": "List of environment variables to set in the container. Cannot be updated.",
  "Container.envFrom":
    "List of sources to populate environment variables in the container. The keys defined within a source must be a C_IDENTIFIER. When a key exists in multiple sources, the value associated with the last source will take precedence. Values defined by an Env with a duplicate key will take precedence. Cannot be updated.",
  "Container.ports":
    "List of ports to expose from the container. Not specifying a port here DOES NOT prevent that port from being exposed. Any port which is listening on the default \"0.0.0.0\" address inside a container will be accessible from the network. Cannot be updated.",
  "Container.resources": "Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
  "Container.volumeMounts": "Pod volumes to mount into the container's filesystem. Cannot be updated.",
  "Container.imagePullPolicy":
    "Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images",
  "Container.workingDir": "Container's working directory. If not specified, the container runtime's default will be used, which might be configured in the container image. Cannot be updated.",
  "Container.livenessProbe":
    "Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes",
  "Container.readinessProbe":
    "Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes",
  "Container.securityContext":
    "SecurityContext defines the security options the container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
  "Container.stdin":
    "Whether this container should allocate a buffer for stdin in the container runtime. If this is not set, reads from stdin in the container will always result in EOF. Default is false.",
  "Container.tty": "Whether this container should allocate a TTY for itself, also requires 'stdin' to be true. Default is false.",
  "ContainerPort.containerPort": "Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536.",
  "ContainerPort.name":
    "If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name. Name for the port that can be referred to by services.",
  "ContainerPort.protocol": "Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\".",
  "EnvVar.name": "Name of the environment variable. Must be a C_IDENTIFIER.",
  "EnvVar.value":
    "Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables. If a variable cannot be resolved, the reference in the input string will be unchanged. Defaults to \"\".",
  "Deployment.spec": "Specification of the desired behavior of the Deployment.",
  "Deployment.status": "Most recently observed status of the Deployment.",
  "DeploymentSpec.replicas": "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.",
  "DeploymentSpec.selector":
    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
  "DeploymentSpec.template": "Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is \"Always\".",
  "DeploymentSpec.strategy": "The deployment strategy to use to replace existing pods with new ones.",
  "DeploymentSpec.minReadySeconds":
    "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)",
  "DeploymentSpec.revisionHistoryLimit":
    "The number of old ReplicaSets to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10.",
  "DeploymentSpec.paused": "Indicates that the deployment is paused.",
  "DeploymentSpec.progressDeadlineSeconds":
    "The maximum time in seconds for a deployment to make progress before it is considered to be failed. The deployment controller will continue to process failed deployments and a condition with a ProgressDeadlineExceeded reason will be surfaced in the deployment status. Note that progress will not be estimated during the time a deployment is paused. Defaults to 600s.",
  "DeploymentStrategy.type": "Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate.",
  "DeploymentStrategy.rollingUpdate": "Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.",
  "RollingUpdateDeployment.maxUnavailable":
    "The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Absolute number is calculated from percentage by rounding down. This can not be 0 if MaxSurge is 0. Defaults to 25%.",
  "RollingUpdateDeployment.maxSurge":
    "The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is calculated from percentage by rounding up. Defaults to 25%.",
  "ObjectMeta.name":
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  "ObjectMeta.namespace":
    "Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the \"default\" namespace, but \"default\" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.",
  "ObjectMeta.labels":
    "Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels",
  "ObjectMeta.annotations":
    "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations",
  "LeaseSpec.holderIdentity": "holderIdentity contains the identity of the holder of a current lease.",
  "LeaseSpec.leaseDurationSeconds":
    "leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.",
  "LeaseSpec.renewTime": "renewTime is a time when the current holder of a lease has last updated the lease.",
  ...KIND_FIELD_DOCS,
};
