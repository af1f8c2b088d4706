/**
 * A pod spec that sets every field group of PodSpec and Container (resources, ports, env and envFrom from every
 * source, volume mounts, the four probe handlers, lifecycle hooks, security contexts, init and sidecar containers,
 * volumes of every source nodelet mounts, affinity, tolerations, topology spread, DNS config, host aliases,
 * readiness and scheduling gates), in JSON form, and one ObjectMeta with every field: what the protobuf tests send
 * through real kubectl and the table-driven encoder and expect back unchanged. Valid for nodelet's admission.
 */
export type Json = Record<string, unknown>;

export function everyFieldContainer(name: string): Json {
  return {
    name,
    image: "busybox",
    command: ["sh", "-c"],
    args: ["sleep 3600"],
    workingDir: "/tmp",
    ports: [
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "dns", containerPort: 53, protocol: "UDP", hostIP: "127.0.0.1", hostPort: 5353 },
    ],
    envFrom: [{ prefix: "CM_", configMapRef: { name: "cfg", optional: true } }, { secretRef: { name: "sec", optional: false } }],
    env: [
      { name: "PLAIN", value: "v" },
      { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
      { name: "MEM", valueFrom: { resourceFieldRef: { containerName: name, resource: "limits.memory", divisor: "1Mi" } } },
      { name: "FROM_CM", valueFrom: { configMapKeyRef: { name: "cfg", key: "k", optional: true } } },
      { name: "FROM_SECRET", valueFrom: { secretKeyRef: { name: "sec", key: "k", optional: false } } },
    ],
    resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "250m", memory: "64Mi", "ephemeral-storage": "1Gi" } },
    resizePolicy: [{ resourceName: "cpu", restartPolicy: "NotRequired" }],
    volumeMounts: [
      { name: "scratch", mountPath: "/scratch" },
      { name: "host", mountPath: "/host", readOnly: true, mountPropagation: "HostToContainer" },
      { name: "cfg", mountPath: "/cfg/k", subPath: "k" },
      { name: "scratch", mountPath: "/per-pod", subPathExpr: "$(POD_NAME)" },
    ],
    livenessProbe: {
      httpGet: { path: "/healthz", port: "http", host: "127.0.0.1", scheme: "HTTP", httpHeaders: [{ name: "X-Probe", value: "1" }] },
      initialDelaySeconds: 3,
      timeoutSeconds: 2,
      periodSeconds: 7,
      successThreshold: 1,
      failureThreshold: 4,
      terminationGracePeriodSeconds: 9,
    },
    readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
    startupProbe: { exec: { command: ["cat", "/tmp/ready"] }, failureThreshold: 30 },
    lifecycle: {
      postStart: { exec: { command: ["touch", "/tmp/started"] } },
      preStop: { sleep: { seconds: 2 } },
    },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "FallbackToLogsOnError",
    imagePullPolicy: "IfNotPresent",
    securityContext: {
      capabilities: { add: ["NET_ADMIN"], drop: ["MKNOD"] },
      privileged: false,
      runAsUser: 1000,
      runAsGroup: 1000,
      runAsNonRoot: false,
      readOnlyRootFilesystem: false,
      allowPrivilegeEscalation: false,
      procMount: "Default",
      seccompProfile: { type: "RuntimeDefault" },
    },
    stdin: true,
    stdinOnce: true,
    tty: true,
  };
}

/** A restartable init container (a sidecar) without ports or a terminal. */
function sidecar(): Json {
  const { ports: _p, stdin: _i, stdinOnce: _o, tty: _t, ...rest } = everyFieldContainer("sidecar");
  return { ...rest, restartPolicy: "Always" };
}

export function everyFieldPodSpec(): Json {
  const selector = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }] };
  return {
    volumes: [
      { name: "scratch", emptyDir: {} },
      { name: "mem", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
      { name: "host", hostPath: { path: "/tmp", type: "Directory" } },
      { name: "cfg", configMap: { name: "cfg", items: [{ key: "k", path: "k", mode: 0o400 }], defaultMode: 0o644, optional: true } },
      { name: "sec", secret: { secretName: "sec", defaultMode: 0o600, optional: false } },
      { name: "claim", persistentVolumeClaim: { claimName: "data", readOnly: true } },
      {
        name: "info",
        downwardAPI: {
          items: [
            { path: "labels", fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels" } },
            { path: "cpu", resourceFieldRef: { containerName: "main", resource: "requests.cpu", divisor: "1m" } },
          ],
        },
      },
      {
        name: "all",
        projected: {
          defaultMode: 0o440,
          sources: [
            { serviceAccountToken: { audience: "vault", expirationSeconds: 3600, path: "token" } },
            { configMap: { name: "cfg", items: [{ key: "k", path: "cm-k" }] } },
            { secret: { name: "sec", optional: true } },
            { downwardAPI: { items: [{ path: "name", fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } }] } },
          ],
        },
      },
    ],
    initContainers: [
      { name: "init", image: "busybox", command: ["true"], terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" },
      sidecar(),
    ],
    containers: [everyFieldContainer("main")],
    restartPolicy: "Always",
    terminationGracePeriodSeconds: 5,
    activeDeadlineSeconds: 600,
    dnsPolicy: "None",
    nodeSelector: { "kubernetes.io/os": "linux" },
    serviceAccountName: "default",
    serviceAccount: "default",
    automountServiceAccountToken: false,
    shareProcessNamespace: false,
    securityContext: {
      runAsUser: 1000,
      runAsGroup: 3000,
      runAsNonRoot: true,
      fsGroup: 2000,
      supplementalGroups: [4000, 0],
      fsGroupChangePolicy: "OnRootMismatch",
      sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "32768 60999" }],
      seccompProfile: { type: "Localhost", localhostProfile: "profiles/audit.json" },
    },
    imagePullSecrets: [{ name: "regcred" }],
    hostname: "web-0",
    subdomain: "web",
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: "zone", operator: "Exists" }] } }],
      },
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { labelSelector: selector, topologyKey: "kubernetes.io/hostname" } }],
      },
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: selector, namespaces: ["default"], topologyKey: "kubernetes.io/hostname", namespaceSelector: { matchLabels: { team: "a" } } },
        ],
      },
    },
    schedulerName: "default-scheduler",
    tolerations: [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 },
      { key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" },
    ],
    hostAliases: [{ ip: "10.1.2.3", hostnames: ["foo.local", "bar.local"] }],
    dnsConfig: { nameservers: ["1.1.1.1"], searches: ["ns1.svc.cluster.local"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] },
    readinessGates: [{ conditionType: "example.com/feature-1" }],
    enableServiceLinks: false,
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { app: "web" } },
        minDomains: 1,
        nodeAffinityPolicy: "Honor",
        nodeTaintsPolicy: "Ignore",
        matchLabelKeys: ["pod-template-hash"],
      },
    ],
    setHostnameAsFQDN: false,
    os: { name: "linux" },
    hostUsers: true,
  };
}
