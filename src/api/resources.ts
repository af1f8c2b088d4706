/**
 * The resources nodelet serves and how each is named: kind, plural, singular, short names, group/version, scope.
 * Discovery, the REST router and the CLI's resource-name parsing (`po`, `pods`, `pod/NAME`, `svc`) all read this one
 * table, so a resource added here is served, discoverable and typeable in one step.
 */
import { hpaFromV1, hpaToV1 } from "./autoscaling-v1.js";
import type { KubeObject } from "./types.js";

export interface ResourceInfo {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  /** "" for the core group (served under /api/v1). */
  group: string;
  version: string;
  namespaced: boolean;
  categories: string[];
  verbs: string[];
  /** Subresources served under /NAME/SUB. */
  subresources: string[];
  /** Set on a version served beside the stored one (OTHER_VERSIONS): how its objects convert. */
  view?: VersionView;
}

/** How objects of a version other than the stored one convert (autoscaling/v1 HPAs over the stored v2). */
export interface VersionView {
  /** A request's object → the stored version's. */
  toStored(obj: KubeObject): KubeObject;
  /** A stored object → this version's. */
  fromStored(obj: KubeObject): KubeObject;
}

const RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function core(kind: string, plural: string, shortNames: string[], namespaced: boolean, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return {
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames,
    group: "",
    version: "v1",
    namespaced,
    categories: [],
    verbs: RW,
    subresources: [],
    ...extra,
  };
}

/** An apps/v1 workload: namespaced, in category "all", with status and scale subresources. */
function apps(kind: string, plural: string, shortNames: string[]): ResourceInfo {
  return { ...core(kind, plural, shortNames, true, { categories: ["all"], subresources: ["status", "scale"] }), group: "apps" };
}

export const RESOURCES: readonly ResourceInfo[] = [
  core("Pod", "pods", ["po"], true, { categories: ["all"], subresources: ["status", "log", "exec", "attach", "portforward", "eviction", "ephemeralcontainers", "binding"] }),
  core("Service", "services", ["svc"], true, { categories: ["all"], subresources: ["status"] }),
  core("Endpoints", "endpoints", ["ep"], true, { singular: "endpoints" }),
  core("Event", "events", ["ev"], true),
  core("Node", "nodes", ["no"], false, { subresources: ["status"] }),
  core("Namespace", "namespaces", ["ns"], false, { subresources: ["status"] }),
  core("PersistentVolume", "persistentvolumes", ["pv"], false, { subresources: ["status"] }),
  core("PersistentVolumeClaim", "persistentvolumeclaims", ["pvc"], true, { subresources: ["status"] }),
  core("ConfigMap", "configmaps", ["cm"], true),
  core("Secret", "secrets", [], true),
  core("ResourceQuota", "resourcequotas", ["quota"], true, { subresources: ["status"] }),
  core("LimitRange", "limitranges", ["limits"], true),
  {
    kind: "EndpointSlice",
    plural: "endpointslices",
    singular: "endpointslice",
    shortNames: [],
    group: "discovery.k8s.io",
    version: "v1",
    namespaced: true,
    categories: [],
    verbs: RW,
    subresources: [],
  },
  apps("Deployment", "deployments", ["deploy"]),
  apps("ReplicaSet", "replicasets", ["rs"]),
  apps("StatefulSet", "statefulsets", ["sts"]),
  { ...apps("DaemonSet", "daemonsets", ["ds"]), subresources: ["status"] },
  { ...core("ControllerRevision", "controllerrevisions", [], true), group: "apps" },
  { ...core("Job", "jobs", [], true, { categories: ["all"], subresources: ["status"] }), group: "batch" },
  { ...core("CronJob", "cronjobs", ["cj"], true, { categories: ["all"], subresources: ["status"] }), group: "batch" },
  { ...core("PodDisruptionBudget", "poddisruptionbudgets", ["pdb"], true, { subresources: ["status"] }), group: "policy" },
  { ...core("HorizontalPodAutoscaler", "horizontalpodautoscalers", ["hpa"], true, { categories: ["all"], subresources: ["status"] }), group: "autoscaling", version: "v2" },
  {
    kind: "StorageClass",
    plural: "storageclasses",
    singular: "storageclass",
    shortNames: ["sc"],
    group: "storage.k8s.io",
    version: "v1",
    namespaced: false,
    categories: [],
    verbs: RW,
    subresources: [],
  },
  {
    kind: "PriorityClass",
    plural: "priorityclasses",
    singular: "priorityclass",
    shortNames: ["pc"],
    group: "scheduling.k8s.io",
    version: "v1",
    namespaced: false,
    categories: [],
    verbs: RW,
    subresources: [],
  },
  {
    kind: "PodMetrics",
    plural: "pods",
    singular: "",
    shortNames: [],
    group: "metrics.k8s.io",
    version: "v1beta1",
    namespaced: true,
    categories: [],
    verbs: ["get", "list"],
    subresources: [],
  },
  ...accessResources(),
  {
    kind: "CertificateSigningRequest",
    plural: "certificatesigningrequests",
    singular: "certificatesigningrequest",
    shortNames: ["csr"],
    group: "certificates.k8s.io",
    version: "v1",
    namespaced: false,
    categories: [],
    verbs: RW,
    subresources: ["approval", "status"],
  },
  {
    kind: "Lease",
    plural: "leases",
    singular: "lease",
    shortNames: [],
    group: "coordination.k8s.io",
    version: "v1",
    namespaced: true,
    categories: [],
    verbs: RW,
    subresources: [],
  },
];

/**
 * Versions served beside the stored one, converted on the way in and out: `kubectl autoscale` 1.32 writes
 * autoscaling/v1. Listed after RESOURCES in discovery, so the stored version is the preferred one.
 */
export const OTHER_VERSIONS: readonly ResourceInfo[] = [
  { ...resourceForKind("HorizontalPodAutoscaler")!, version: "v1", view: { toStored: hpaFromV1, fromStored: hpaToV1 } },
];

/** ServiceAccounts and RBAC kinds (stored) and the access reviews (create-only, answered from the request's user, never stored). */
function accessResources(): ResourceInfo[] {
  const named = (kind: string, plural: string, group: string, namespaced: boolean, verbs = RW): ResourceInfo => ({
    kind, plural, singular: kind.toLowerCase(), shortNames: [], group, version: "v1", namespaced, categories: [], verbs, subresources: [],
  });
  return [
    { ...named("ServiceAccount", "serviceaccounts", "", true), shortNames: ["sa"], subresources: ["token"] },
    named("Role", "roles", "rbac.authorization.k8s.io", true),
    named("ClusterRole", "clusterroles", "rbac.authorization.k8s.io", false),
    named("RoleBinding", "rolebindings", "rbac.authorization.k8s.io", true),
    named("ClusterRoleBinding", "clusterrolebindings", "rbac.authorization.k8s.io", false),
    named("SelfSubjectAccessReview", "selfsubjectaccessreviews", "authorization.k8s.io", false, ["create"]),
    named("SelfSubjectRulesReview", "selfsubjectrulesreviews", "authorization.k8s.io", false, ["create"]),
    named("SelfSubjectReview", "selfsubjectreviews", "authentication.k8s.io", false, ["create"]),
  ];
}

/** apiVersion string of a resource: "v1" or "group/version". */
export function apiVersionOf(r: ResourceInfo): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The stored resource for a kind ("Pod"), ignoring the metrics view. */
export function resourceForKind(kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.kind === kind && r.group !== "metrics.k8s.io");
}

/**
 * The resources of a category (`all`), in the order kubectl lists them from discovery: the core group first, then
 * the groups and, within each, the resources alphabetically. Empty when no resource is in it.
 */
export function resourcesInCategory(category: string): ResourceInfo[] {
  const c = category.toLowerCase();
  return RESOURCES.filter((r) => r.group !== "metrics.k8s.io" && r.categories.includes(c)).sort(
    (a, b) => (a.group === b.group ? 0 : a.group === "" ? -1 : b.group === "" ? 1 : a.group.localeCompare(b.group)) || a.plural.localeCompare(b.plural),
  );
}

/**
 * Resolves a name as kubectl accepts it: plural, singular, short name or kind, case-insensitive, optionally
 * qualified by group (`endpointslices.discovery.k8s.io`). Returns undefined when nothing matches.
 */
export function resolveResource(name: string): ResourceInfo | undefined {
  const lower = name.toLowerCase();
  const dot = lower.indexOf(".");
  const base = dot >= 0 ? lower.slice(0, dot) : lower;
  const group = dot >= 0 ? lower.slice(dot + 1) : undefined;
  return RESOURCES.find(
    (r) =>
      r.group !== "metrics.k8s.io" &&
      (group === undefined || r.group === group) &&
      (r.plural === base || r.singular === base || r.kind.toLowerCase() === base || r.shortNames.includes(base)),
  );
}
