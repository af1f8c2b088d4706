/**
 * The shape of the kinds nodelet serves, as k8s.io/api declares them: each field's JSON type (used to reject
 * objects Go's decoder would reject, see type-check.ts) and each list's strategic-merge-patch metadata
 * (`patchStrategy:"merge"`, `patchMergeKey`, `retainKeys`, see smp.ts). Fields not listed are accepted as
 * anything and patched with plain merge semantics.
 *
 * Source: staging/src/k8s.io/api/core/v1/types.go, discovery/v1/types.go, apimachinery meta/v1/types.go.
 */
import { ACCESS_SCHEMAS } from "./access-schema.js";
import { APPS_SCHEMAS } from "./apps-schema.js";
import { AUTOSCALING_SCHEMAS } from "./autoscaling-schema.js";
import { BATCH_SCHEMAS } from "./batch-schema.js";
import { CERTIFICATES_SCHEMAS } from "./certificates-schema.js";
import { POLICY_SCHEMAS } from "./policy-schema.js";
import { condition, hostPath, podSpec, podStatus, pvcSpec } from "./pod-schema.js";
import {
  ANY,
  anyFields,
  bool,
  byKey,
  i32,
  ios,
  kind,
  list,
  map,
  objectReference,
  resourceList,
  str,
  strings,
  struct,
  type Schema,
} from "./schema-dsl.js";

export { ANY, type ListOptions, type MapStrategy, type ScalarType, type Schema } from "./schema-dsl.js";

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
  nodeAffinity: ANY,
  ...anyFields(
    "gcePersistentDisk awsElasticBlockStore glusterfs nfs rbd iscsi cinder cephfs fc flocker flexVolume azureFile",
    "vsphereVolume quobyte azureDisk photonPersistentDisk portworxVolume scaleIO storageos csi",
  ),
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
        hints: ANY,
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
    series: ANY,
  }),
  Node: kind("Node", {
    spec: struct("NodeSpec", {
      ...strings("podCIDR providerID externalID"),
      podCIDRs: list(str, { merge: true }),
      unschedulable: bool,
      taints: list(struct("Taint", strings("key value effect timeAdded"))),
      configSource: ANY,
    }),
    status: struct("NodeStatus", {
      capacity: resourceList,
      allocatable: resourceList,
      phase: str,
      conditions: byKey(condition("NodeCondition", "lastHeartbeatTime"), "type"),
      addresses: byKey(struct("NodeAddress", strings("type address")), "type"),
      volumesInUse: list(str),
      ...anyFields("daemonEndpoints nodeInfo images volumesAttached config runtimeHandlers features"),
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
      allocatedResourceStatuses: map(str),
      currentVolumeAttributesClassName: str,
      modifyVolumeStatus: ANY,
    }),
  }),
  StorageClass: kind("StorageClass", {
    ...strings("provisioner reclaimPolicy volumeBindingMode"),
    parameters: map(str),
    mountOptions: list(str),
    allowVolumeExpansion: bool,
    allowedTopologies: list(ANY),
  }),
  PriorityClass: kind("PriorityClass", { value: i32, globalDefault: bool, ...strings("description preemptionPolicy") }),
  ...APPS_SCHEMAS,
  Lease: kind("Lease", {
    spec: struct("LeaseSpec", {
      ...strings("holderIdentity acquireTime renewTime strategy preferredHolder"),
      leaseDurationSeconds: i32,
      leaseTransitions: i32,
    }),
  }),
  ...BATCH_SCHEMAS,
  ...POLICY_SCHEMAS,
  ResourceQuota: kind("ResourceQuota", {
    spec: struct("ResourceQuotaSpec", { hard: resourceList, scopes: list(str), scopeSelector: ANY }),
    status: struct("ResourceQuotaStatus", { hard: resourceList, used: resourceList }),
  }),
  LimitRange: kind("LimitRange", {
    spec: struct("LimitRangeSpec", {
      limits: list(struct("LimitRangeItem", { type: str, max: resourceList, min: resourceList, default: resourceList, defaultRequest: resourceList, maxLimitRequestRatio: resourceList })),
    }),
  }),
  ...ACCESS_SCHEMAS,
  ...AUTOSCALING_SCHEMAS,
  ...CERTIFICATES_SCHEMAS,
};

/** The schema of a kind, or undefined for kinds nodelet does not know. */
export function schemaForKind(kindName: string): Schema | undefined {
  return SCHEMAS[kindName];
}

/** The patch strategy declared on a map or struct field, if any. */
export function mapStrategy(s: Schema): "replace" | "retainKeys" | undefined {
  return s.kind === "map" || s.kind === "struct" ? s.strategy : undefined;
}

/** The schema of field `name` inside `s` (a struct field, or a map's value type); ANY when unknown. */
export function fieldSchema(s: Schema, name: string): Schema {
  if (s.kind === "struct") return s.fields[name] ?? ANY;
  if (s.kind === "map") return s.values;
  return ANY;
}
