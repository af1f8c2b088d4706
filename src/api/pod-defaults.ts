/**
 * Pod defaulting, in the order the API server applies it to a new pod:
 * 1. the v1 defaulters (pkg/apis/core/v1/defaults.go: SetDefaults_PodSpec, SetDefaults_Pod, SetDefaults_Container,
 *    SetDefaults_Probe, SetDefaults_HTTPGetAction, SetDefaults_Volume, SetDefaults_ResourceList, ...);
 * 2. the default admission plugins that change pods: ServiceAccount (serviceAccountName "default", without the
 *    token volume: nodelet serves no ServiceAccounts) and DefaultTolerationSeconds (not-ready/unreachable NoExecute
 *    tolerations for 300 s); Priority reads the PriorityClasses and is an API server hook (cmd/priority-wiring.ts);
 * 3. the pod strategy's PrepareForCreate (status reset to Pending with its QoS class);
 * 4. nodelet's own binding: a one-node cluster schedules every pod on this node.
 *
 * All functions mutate the object they are given; admission.ts hands them a copy.
 */
import { podQOSClass } from "./qos.js";
import { canonicalQuantity, formatQuantity, roundUpToMilli, tryParseQuantity } from "./quantity.js";
import type {
  Container,
  HTTPGetAction,
  LifecycleHandler,
  Pod,
  PodSpec,
  Probe,
  ResourceRequirements,
  Toleration,
  Volume,
} from "./types.js";
import { DEFAULT_TERMINATION_GRACE_SECONDS } from "./termination-grace.js";

/** Default mode of secret, configMap, downwardAPI and projected volume files: 0644. */
const DEFAULT_FILE_MODE = 0o644;
/** What the DefaultTolerationSeconds admission plugin adds to every pod. */
export const DEFAULT_TOLERATION_SECONDS = 300;
export const NOT_READY_TAINT = "node.kubernetes.io/not-ready";
export const UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";

/** The image tag, or "" when the image has none ("busybox", "busybox@sha256:..."). */
export function imageTag(image: string): string {
  const noDigest = image.split("@")[0];
  const lastSlash = noDigest.lastIndexOf("/");
  const lastColon = noDigest.lastIndexOf(":");
  return lastColon > lastSlash ? noDigest.slice(lastColon + 1) : "";
}

/** Always for `:latest` or no tag (the tag then means latest), IfNotPresent otherwise; digests count as tagged. */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  // An image the reference parser rejects (here: an empty one) gets IfNotPresent, as in Kubernetes.
  if (image.trim() === "") return "IfNotPresent";
  const tag = imageTag(image);
  const hasDigest = image.includes("@");
  return tag === "latest" || (tag === "" && !hasDigest) ? "Always" : "IfNotPresent";
}

function defaultHTTPGet(h: HTTPGetAction | undefined): void {
  if (!h) return;
  if (!h.path) h.path = "/";
  if (!h.scheme) h.scheme = "HTTP";
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHTTPGet(p.httpGet);
}

function defaultHandler(h: LifecycleHandler | undefined): void {
  defaultHTTPGet(h?.httpGet);
}

/** Rounds every quantity up to milli precision and rewrites it canonically; unparseable ones are left to validation. */
function canonicalResourceList(list: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(value);
    if (typeof q !== "string") list![name] = formatQuantity(roundUpToMilli(q));
  }
}

/** SetDefaults_Pod's rule: a resource with a limit and no request gets a request equal to its limit. */
export function defaultRequestsFromLimits(r: ResourceRequirements): void {
  if (!r.limits) return;
  r.requests ??= {};
  for (const [name, value] of Object.entries(r.limits)) {
    // An unparseable limit is reported once, on the limit, rather than again on a copied request.
    if (!(name in r.requests) && typeof tryParseQuantity(value) !== "string") r.requests[name] = value;
  }
}

function defaultContainer(c: Container, hostNetwork: boolean): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image ?? "");
  if (!c.terminationMessagePath) c.terminationMessagePath = "/dev/termination-log";
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = "File";
  c.resources ??= {};
  defaultRequestsFromLimits(c.resources);
  canonicalResourceList(c.resources.limits);
  canonicalResourceList(c.resources.requests);
  for (const port of c.ports ?? []) {
    if (!port.protocol) port.protocol = "TCP";
    // With host networking the container port is the host port (defaultHostNetworkPorts).
    if (hostNetwork && !port.hostPort) port.hostPort = port.containerPort;
  }
  for (const env of c.env ?? []) {
    if (env.valueFrom?.fieldRef && !env.valueFrom.fieldRef.apiVersion) env.valueFrom.fieldRef.apiVersion = "v1";
    const divisor = env.valueFrom?.resourceFieldRef?.divisor;
    if (divisor !== undefined && typeof tryParseQuantity(divisor) !== "string") {
      env.valueFrom!.resourceFieldRef!.divisor = canonicalQuantity(divisor);
    }
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const VOLUME_SOURCES = [
  "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
  "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
  "flexVolume", "configMap", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk",
  "storageos", "projected", "scaleIO", "csi", "ephemeral", "image",
] as const;

/** Every volume source field of a Volume, in the order the API server's validation visits them. */
export const VOLUME_SOURCE_FIELDS: readonly string[] = VOLUME_SOURCES;

function defaultVolume(v: Volume): void {
  const raw = v as unknown as Record<string, unknown>;
  if (!VOLUME_SOURCES.some((s) => raw[s] !== undefined && raw[s] !== null)) v.emptyDir = {};
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = "";
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = DEFAULT_FILE_MODE;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = DEFAULT_FILE_MODE;
  if (v.downwardAPI && v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = DEFAULT_FILE_MODE;
  for (const item of v.downwardAPI?.items ?? []) {
    if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = "v1";
  }
  const projected = v.projected;
  if (projected && typeof projected === "object") {
    if (projected.defaultMode === undefined) projected.defaultMode = DEFAULT_FILE_MODE;
    // SetDefaults_ServiceAccountTokenProjection and the downward API items' apiVersion, as for the volume kind.
    for (const src of projected.sources ?? []) {
      if (src.serviceAccountToken && src.serviceAccountToken.expirationSeconds === undefined) src.serviceAccountToken.expirationSeconds = 3600;
      for (const item of src.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = "v1";
    }
  }
  if (v.emptyDir?.sizeLimit !== undefined && typeof tryParseQuantity(v.emptyDir.sizeLimit) !== "string") {
    v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit);
  }
}

/** The v1 defaulters for a pod spec and everything inside it (no admission plugins). */
export function setPodSpecDefaults(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = "ClusterFirst";
  if (!spec.restartPolicy) spec.restartPolicy = "Always";
  spec.securityContext ??= {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_SECONDS;
  }
  if (!spec.schedulerName) spec.schedulerName = "default-scheduler";
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  const hostNetwork = spec.hostNetwork === true;
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.containers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c, false);
  for (const v of spec.volumes ?? []) defaultVolume(v);
  canonicalResourceList(spec.overhead);
}

/** DefaultTolerationSeconds admission: tolerate not-ready and unreachable nodes for 300 s unless already tolerated. */
export function addDefaultTolerations(spec: PodSpec): void {
  const tolerations = (spec.tolerations ??= []);
  const tolerates = (taint: string): boolean =>
    tolerations.some((t) => (!t.key || t.key === taint) && (!t.effect || t.effect === "NoExecute"));
  const add = (taint: string): Toleration => ({
    key: taint,
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: DEFAULT_TOLERATION_SECONDS,
  });
  const missing = [NOT_READY_TAINT, UNREACHABLE_TAINT].filter((t) => !tolerates(t));
  tolerations.push(...missing.map(add));
}

/**
 * What happens to a new pod after the v1 defaulters: the ServiceAccount and DefaultTolerationSeconds admission
 * plugins, nodelet's binding to `nodeName`, and the status reset of PrepareForCreate.
 */
export function preparePodForCreate(pod: Pod, nodeName: string): void {
  const spec = (pod.spec ??= { containers: [] });
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || "default";
  spec.serviceAccount = spec.serviceAccountName;
  addDefaultTolerations(spec);
  // A control plane (no node of its own) leaves the pod unbound, nodeName absent as upstream writes it.
  if (!spec.nodeName && nodeName) spec.nodeName = nodeName;
  pod.status = { phase: "Pending", qosClass: podQOSClass(pod) };
}

/** Everything a new pod gets before validation: the v1 defaulters, then preparePodForCreate. */
export function setPodDefaults(pod: Pod, nodeName: string): void {
  setPodSpecDefaults((pod.spec ??= { containers: [] }));
  preparePodForCreate(pod, nodeName);
}
export { podQOSClass, type QOSClass } from "./qos.js";
