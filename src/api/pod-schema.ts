/** The schema of Pod's spec and status (k8s.io/api core/v1 PodSpec, Container, Volume, PodStatus). */
import { ANY, anyFields, bool, byKey, i32, i64, ios, labelSelector, list, map, qty, resourceList, str, strings, struct, type Schema } from "./schema-dsl.js";

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
  seLinuxOptions: ANY,
  windowsOptions: ANY,
  appArmorProfile: ANY,
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
const downwardAPIItems = list(struct("DownwardAPIVolumeFile", { path: str, fieldRef, resourceFieldRef, mode: i32 }));
export const hostPath = struct("HostPathVolumeSource", strings("path type"));
const volume = struct("Volume", {
  name: str,
  hostPath,
  emptyDir: struct("EmptyDirVolumeSource", { medium: str, sizeLimit: qty }),
  secret: struct("SecretVolumeSource", { secretName: str, items: keyToPath, defaultMode: i32, optional: bool }),
  configMap: struct("ConfigMapVolumeSource", { name: str, items: keyToPath, defaultMode: i32, optional: bool }),
  persistentVolumeClaim: struct("PersistentVolumeClaimVolumeSource", { claimName: str, readOnly: bool }),
  downwardAPI: struct("DownwardAPIVolumeSource", { items: downwardAPIItems, defaultMode: i32 }),
  projected: struct("ProjectedVolumeSource", {
    sources: list(
      struct("VolumeProjection", {
        configMap: struct("ConfigMapProjection", { name: str, items: keyToPath, optional: bool }),
        secret: struct("SecretProjection", { name: str, items: keyToPath, optional: bool }),
        downwardAPI: struct("DownwardAPIProjection", { items: downwardAPIItems }),
        serviceAccountToken: struct("ServiceAccountTokenProjection", { audience: str, expirationSeconds: i64, path: str }),
        ...anyFields("clusterTrustBundle"),
      }),
    ),
    defaultMode: i32,
  }),
  ...anyFields(
    "gcePersistentDisk awsElasticBlockStore gitRepo nfs iscsi glusterfs rbd flexVolume cinder cephfs flocker fc",
    "azureFile vsphereVolume quobyte azureDisk photonPersistentDisk portworxVolume scaleIO storageos csi ephemeral image",
  ),
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
  ...anyFields("seLinuxOptions windowsOptions appArmorProfile"),
});
export const podSpec = struct("PodSpec", {
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
  affinity: ANY,
  os: struct("PodOS", { name: str }),
});
export const condition = (go: string, probeTime = "lastProbeTime"): Schema =>
  struct(go, strings(`type status ${probeTime} lastTransitionTime reason message`));
export const podStatus = struct("PodStatus", {
  ...strings("phase message reason nominatedNodeName hostIP podIP startTime qosClass resize"),
  conditions: byKey(condition("PodCondition"), "type"),
  hostIPs: byKey(struct("HostIP", { ip: str }), "ip"),
  podIPs: byKey(struct("PodIP", { ip: str }), "ip"),
  initContainerStatuses: list(ANY),
  containerStatuses: list(ANY),
  ephemeralContainerStatuses: list(ANY),
  resourceClaimStatuses: byKey(ANY, "name", true),
});

/** PersistentVolumeClaimSpec: a claim's, and a StatefulSet's volumeClaimTemplates'. */
export const pvcSpec = struct("PersistentVolumeClaimSpec", {
  accessModes: list(str),
  selector: labelSelector,
  resources: struct("VolumeResourceRequirements", { limits: resourceList, requests: resourceList }),
  ...strings("volumeName storageClassName volumeMode volumeAttributesClassName"),
  ...anyFields("dataSource dataSourceRef"),
});
