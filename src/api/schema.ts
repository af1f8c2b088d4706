/**
 * The shape of the kinds nodelet serves, as k8s.io/api declares them: each field's JSON type (used to reject
 * objects Go's decoder would reject, see type-check.ts) and each list's strategic-merge-patch metadata
 * (`patchStrategy:"merge"`, `patchMergeKey`, `retainKeys`, see smp.ts). Fields not listed are accepted as
 * anything and patched with plain merge semantics.
 *
 * Source: staging/src/k8s.io/api/core/v1/types.go, discovery/v1/types.go, apimachinery meta/v1/types.go.
 */

export type ScalarType = "string" | "int32" | "int64" | "bool" | "float64";

export type Schema =
  | { kind: "scalar"; type: ScalarType }
  | { kind: "quantity" }
  | { kind: "intOrString" }
  | { kind: "any" }
  | { kind: "map"; values: Schema; go?: string }
  | { kind: "list"; items: Schema; merge?: boolean; mergeKey?: string; retainKeys?: boolean }
  | { kind: "struct"; go: string; fields: Readonly<Record<string, Schema>> };

export interface ListOptions {
  /** patchStrategy "merge": lists of maps merge by mergeKey, lists of scalars are a set union. */
  merge?: boolean;
  mergeKey?: string;
  retainKeys?: boolean;
}

const str: Schema = { kind: "scalar", type: "string" };
const i32: Schema = { kind: "scalar", type: "int32" };
const i64: Schema = { kind: "scalar", type: "int64" };
const bool: Schema = { kind: "scalar", type: "bool" };
const qty: Schema = { kind: "quantity" };
const ios: Schema = { kind: "intOrString" };
export const ANY: Schema = { kind: "any" };
const map = (values: Schema, go?: string): Schema => ({ kind: "map", values, ...(go ? { go } : {}) });
const list = (items: Schema, opts: ListOptions = {}): Schema => ({ kind: "list", items, ...opts });
const byKey = (items: Schema, mergeKey: string, retainKeys = false): Schema =>
  list(items, { merge: true, mergeKey, ...(retainKeys ? { retainKeys } : {}) });
const struct = (go: string, fields: Record<string, Schema>): Schema => ({ kind: "struct", go, fields });
const strings = (names: string): Record<string, Schema> => Object.fromEntries(names.split(" ").map((n) => [n, str]));

const resourceList = map(qty, "v1.ResourceList");
const labelSelector = struct("LabelSelector", {
  matchLabels: map(str),
  matchExpressions: list(struct("LabelSelectorRequirement", { ...strings("key operator"), values: list(str) })),
});
const objectReference = struct("ObjectReference", strings("kind namespace name uid apiVersion resourceVersion fieldPath"));

const objectMeta = struct("ObjectMeta", {
  ...strings("name generateName namespace uid resourceVersion creationTimestamp deletionTimestamp selfLink"),
  generation: i64,
  deletionGracePeriodSeconds: i64,
  labels: map(str),
  annotations: map(str),
  ownerReferences: byKey(
    struct("OwnerReference", { ...strings("apiVersion kind name uid"), controller: bool, blockOwnerDeletion: bool }),
    "uid",
  ),
  finalizers: list(str, { merge: true }),
  managedFields: list(ANY),
});

/** TypeMeta + ObjectMeta + the given top-level fields. */
function kind(go: string, fields: Record<string, Schema>): Schema {
  return struct(go, { apiVersion: str, kind: str, metadata: objectMeta, ...fields });
}

// ---------------------------------------------------------------------------------------------------------------
// Pod

const resources = struct("ResourceRequirements", { limits: resourceList, requests: resourceList, claims: list(ANY) });
const fieldRef = struct("ObjectFieldSelector", strings("apiVersion fieldPath"));
const resourceFieldRef = struct("ResourceFieldSelector", { ...strings("containerName resource"), divisor: qty });
const keyRef = (go: string): Schema => struct(go, { ...strings("name key"), optional: bool });
const envVar = struct("EnvVar", {
  ...strings("name value"),
  valueFrom: struct("EnvVarSource", {
    fieldRef,
    resourceFieldRef,
    configMapKeyRef: keyRef("ConfigMapKeySelector"),
    secretKeyRef: keyRef("SecretKeySelector"),
  }),
});
const envFrom = struct("EnvFromSource", {
  prefix: str,
  configMapRef: struct("ConfigMapEnvSource", { name: str, optional: bool }),
  secretRef: struct("SecretEnvSource", { name: str, optional: bool }),
});
const exec = struct("ExecAction", { command: list(str) });
const httpGet = struct("HTTPGetAction", {
  ...strings("path host scheme"),
  port: ios,
  httpHeaders: list(struct("HTTPHeader", strings("name value"))),
});
const tcpSocket = struct("TCPSocketAction", { port: ios, host: str });
const probe = struct("Probe", {
  exec,
  httpGet,
  tcpSocket,
  grpc: struct("GRPCAction", { port: i32, service: str }),
  initialDelaySeconds: i32,
  timeoutSeconds: i32,
  periodSeconds: i32,
  successThreshold: i32,
  failureThreshold: i32,
  terminationGracePeriodSeconds: i64,
});
const handler = struct("LifecycleHandler", { exec, httpGet, tcpSocket, sleep: struct("SleepAction", { seconds: i64 }) });
const seccompProfile = struct("SeccompProfile", strings("type localhostProfile"));
const securityContext = struct("SecurityContext", {
  capabilities: struct("Capabilities", { add: list(str), drop: list(str) }),
  privileged: bool,
  runAsUser: i64,
  runAsGroup: i64,
  runAsNonRoot: bool,
  readOnlyRootFilesystem: bool,
  allowPrivilegeEscalation: bool,
  procMount: str,
  seccompProfile,
});
const container = struct("Container", {
  ...strings("name image workingDir restartPolicy terminationMessagePath terminationMessagePolicy imagePullPolicy"),
  command: list(str),
  args: list(str),
  ports: byKey(
    struct("ContainerPort", { ...strings("name hostIP protocol"), containerPort: i32, hostPort: i32 }),
    "containerPort",
  ),
  envFrom: list(envFrom),
  env: byKey(envVar, "name"),
  resources,
  resizePolicy: list(ANY),
  volumeMounts: byKey(
    struct("VolumeMount", {
      ...strings("name mountPath subPath subPathExpr mountPropagation recursiveReadOnly"),
      readOnly: bool,
    }),
    "mountPath",
  ),
  volumeDevices: byKey(struct("VolumeDevice", strings("name devicePath")), "devicePath"),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: struct("Lifecycle", { postStart: handler, preStop: handler }),
  securityContext,
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
});
const keyToPath = list(struct("KeyToPath", { ...strings("key path"), mode: i32 }));
const hostPath = struct("HostPathVolumeSource", strings("path type"));
const volume = struct("Volume", {
  name: str,
  hostPath,
  emptyDir: struct("EmptyDirVolumeSource", { medium: str, sizeLimit: qty }),
  secret: struct("SecretVolumeSource", { secretName: str, items: keyToPath, defaultMode: i32, optional: bool }),
  configMap: struct("ConfigMapVolumeSource", { name: str, items: keyToPath, defaultMode: i32, optional: bool }),
  persistentVolumeClaim: struct("PersistentVolumeClaimVolumeSource", { claimName: str, readOnly: bool }),
  downwardAPI: struct("DownwardAPIVolumeSource", {
    items: list(struct("DownwardAPIVolumeFile", { path: str, fieldRef, resourceFieldRef, mode: i32 })),
    defaultMode: i32,
  }),
  projected: struct("ProjectedVolumeSource", { sources: list(ANY), defaultMode: i32 }),
});
const podSecurityContext = struct("PodSecurityContext", {
  runAsUser: i64,
  runAsGroup: i64,
  runAsNonRoot: bool,
  supplementalGroups: list(i64),
  fsGroup: i64,
  sysctls: list(struct("Sysctl", strings("name value"))),
  seccompProfile,
  ...strings("supplementalGroupsPolicy fsGroupChangePolicy seLinuxChangePolicy"),
});
const podSpec = struct("PodSpec", {
  volumes: byKey(volume, "name", true),
  initContainers: byKey(container, "name"),
  containers: byKey(container, "name"),
  ephemeralContainers: byKey(ANY, "name"),
  ...strings("restartPolicy dnsPolicy serviceAccountName serviceAccount nodeName hostname subdomain"),
  ...strings("schedulerName priorityClassName runtimeClassName preemptionPolicy"),
  terminationGracePeriodSeconds: i64,
  activeDeadlineSeconds: i64,
  nodeSelector: map(str),
  automountServiceAccountToken: bool,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: podSecurityContext,
  imagePullSecrets: byKey(struct("LocalObjectReference", { name: str }), "name"),
  tolerations: list(
    struct("Toleration", { ...strings("key operator value effect"), tolerationSeconds: i64 }),
  ),
  hostAliases: byKey(struct("HostAlias", { ip: str, hostnames: list(str) }), "ip"),
  priority: i32,
  dnsConfig: struct("PodDNSConfig", {
    nameservers: list(str),
    searches: list(str),
    options: list(struct("PodDNSConfigOption", strings("name value"))),
  }),
  readinessGates: list(struct("PodReadinessGate", { conditionType: str })),
  enableServiceLinks: bool,
  overhead: resourceList,
  topologySpreadConstraints: byKey(ANY, "topologyKey"),
  setHostnameAsFQDN: bool,
  hostUsers: bool,
  schedulingGates: byKey(struct("PodSchedulingGate", { name: str }), "name"),
  resourceClaims: byKey(ANY, "name", true),
  resources,
});
const condition = (go: string): Schema =>
  struct(go, strings("type status lastProbeTime lastHeartbeatTime lastTransitionTime reason message"));
const podStatus = struct("PodStatus", {
  ...strings("phase message reason nominatedNodeName hostIP podIP startTime qosClass resize"),
  conditions: byKey(condition("PodCondition"), "type"),
  hostIPs: byKey(struct("HostIP", { ip: str }), "ip"),
  podIPs: byKey(struct("PodIP", { ip: str }), "ip"),
  initContainerStatuses: list(ANY),
  containerStatuses: list(ANY),
  ephemeralContainerStatuses: list(ANY),
  resourceClaimStatuses: byKey(ANY, "name", true),
});

// ---------------------------------------------------------------------------------------------------------------
// Service, Endpoints, EndpointSlice

const serviceSpec = struct("ServiceSpec", {
  ports: byKey(
    struct("ServicePort", { ...strings("name protocol appProtocol"), port: i32, targetPort: ios, nodePort: i32 }),
    "port",
  ),
  selector: map(str),
  ...strings("clusterIP type sessionAffinity loadBalancerIP externalName externalTrafficPolicy ipFamilyPolicy"),
  ...strings("loadBalancerClass internalTrafficPolicy trafficDistribution"),
  clusterIPs: list(str),
  externalIPs: list(str),
  loadBalancerSourceRanges: list(str),
  healthCheckNodePort: i32,
  publishNotReadyAddresses: bool,
  sessionAffinityConfig: struct("SessionAffinityConfig", {
    clientIP: struct("ClientIPConfig", { timeoutSeconds: i32 }),
  }),
  ipFamilies: list(str),
  allocateLoadBalancerNodePorts: bool,
});
const endpointPort = struct("EndpointPort", { ...strings("name protocol appProtocol"), port: i32 });
const endpointAddress = struct("EndpointAddress", { ...strings("ip hostname nodeName"), targetRef: objectReference });

// ---------------------------------------------------------------------------------------------------------------
// Storage, config, nodes, events

const pvSpec = struct("PersistentVolumeSpec", {
  capacity: resourceList,
  accessModes: list(str),
  claimRef: objectReference,
  ...strings("persistentVolumeReclaimPolicy storageClassName volumeMode volumeAttributesClassName"),
  mountOptions: list(str),
  hostPath,
  local: struct("LocalVolumeSource", strings("path fsType")),
});
const pvcSpec = struct("PersistentVolumeClaimSpec", {
  accessModes: list(str),
  selector: labelSelector,
  resources: struct("VolumeResourceRequirements", { limits: resourceList, requests: resourceList }),
  ...strings("volumeName storageClassName volumeMode volumeAttributesClassName"),
});

export const SCHEMAS: Readonly<Record<string, Schema>> = {
  Pod: kind("Pod", { spec: podSpec, status: podStatus }),
  Service: kind("Service", {
    spec: serviceSpec,
    status: struct("ServiceStatus", {
      loadBalancer: struct("LoadBalancerStatus", { ingress: list(ANY) }),
      conditions: byKey(ANY, "type"),
    }),
  }),
  Endpoints: kind("Endpoints", {
    subsets: list(
      struct("EndpointSubset", {
        addresses: list(endpointAddress),
        notReadyAddresses: list(endpointAddress),
        ports: list(endpointPort),
      }),
    ),
  }),
  EndpointSlice: kind("EndpointSlice", {
    addressType: str,
    endpoints: list(
      struct("Endpoint", {
        addresses: list(str),
        conditions: struct("EndpointConditions", { ready: bool, serving: bool, terminating: bool }),
        ...strings("hostname nodeName zone"),
        targetRef: objectReference,
        deprecatedTopology: map(str),
      }),
    ),
    ports: list(endpointPort),
  }),
  Event: kind("Event", {
    involvedObject: objectReference,
    related: objectReference,
    ...strings("reason message firstTimestamp lastTimestamp type eventTime action reportingComponent reportingInstance"),
    source: struct("EventSource", strings("component host")),
    count: i32,
  }),
  Node: kind("Node", {
    spec: struct("NodeSpec", {
      ...strings("podCIDR providerID externalID"),
      podCIDRs: list(str, { merge: true }),
      unschedulable: bool,
      taints: list(struct("Taint", strings("key value effect timeAdded"))),
    }),
    status: struct("NodeStatus", {
      capacity: resourceList,
      allocatable: resourceList,
      phase: str,
      conditions: byKey(condition("NodeCondition"), "type"),
      addresses: byKey(struct("NodeAddress", strings("type address")), "type"),
      volumesInUse: list(str),
    }),
  }),
  Namespace: kind("Namespace", {
    spec: struct("NamespaceSpec", { finalizers: list(str) }),
    status: struct("NamespaceStatus", { phase: str, conditions: byKey(ANY, "type") }),
  }),
  ConfigMap: kind("ConfigMap", { data: map(str), binaryData: map(str), immutable: bool }),
  Secret: kind("Secret", { data: map(str), stringData: map(str), type: str, immutable: bool }),
  PersistentVolume: kind("PersistentVolume", {
    spec: pvSpec,
    status: struct("PersistentVolumeStatus", strings("phase message reason lastPhaseTransitionTime")),
  }),
  PersistentVolumeClaim: kind("PersistentVolumeClaim", {
    spec: pvcSpec,
    status: struct("PersistentVolumeClaimStatus", {
      phase: str,
      accessModes: list(str),
      capacity: resourceList,
      conditions: byKey(ANY, "type"),
      allocatedResources: resourceList,
    }),
  }),
};

/** The schema of a kind, or undefined for kinds nodelet does not know. */
export function schemaForKind(kindName: string): Schema | undefined {
  return SCHEMAS[kindName];
}

/** The schema of field `name` inside `s` (a struct field, or a map's value type); ANY when unknown. */
export function fieldSchema(s: Schema, name: string): Schema {
  if (s.kind === "struct") return s.fields[name] ?? ANY;
  if (s.kind === "map") return s.values;
  return ANY;
}
