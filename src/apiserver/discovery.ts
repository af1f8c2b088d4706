/**
 * Discovery documents, all derived from api/resources.ts. Two forms, both served because kubectl picks by Accept:
 * - aggregated (KEP-3352): `/api` and `/apis` answer APIGroupDiscoveryList when asked for it, so kubectl needs two
 *   requests per command; the Content-Type must name the same `g`/`v`/`as` parameters or kubectl ignores the body.
 * - legacy: APIVersions, APIGroupList, APIGroup and APIResourceList (subresources listed as `pods/log`).
 */
import type { ResourceInfo } from "../api/resources.js";
import { groupVersions, SERVED } from "./router.js";

/** The Content-Type of an aggregated discovery response (client-go checks the parameters, not their order). */
export function aggregatedContentType(v: "v2" | "v2beta1"): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}

interface SubresourceMeta {
  kind: string;
  /** The response's group/version when not the resource's own (scale answers autoscaling/v1 Scale). */
  group?: string;
  version?: string;
  verbs: string[];
}

/** Response kind and verbs of a subresource, as the real server lists them. */
function subresourceMeta(r: ResourceInfo, sub: string): SubresourceMeta {
  switch (sub) {
    case "status":
    case "approval":
    case "ephemeralcontainers":
      return { kind: r.kind, verbs: ["get", "patch", "update"] };
    case "exec":
      return { kind: "PodExecOptions", verbs: ["create", "get"] };
    case "attach":
      return { kind: "PodAttachOptions", verbs: ["create", "get"] };
    case "portforward":
      return { kind: "PodPortForwardOptions", verbs: ["create", "get"] };
    case "token":
      return { kind: "TokenRequest", verbs: ["create"] };
    case "eviction":
      return { kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] };
    case "binding":
      return { kind: "Binding", verbs: ["create"] };
    case "scale":
      return { kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] };
    default:
      return { kind: r.kind, verbs: ["get"] };
  }
}

function resourcesOf(group: string, version: string): ResourceInfo[] {
  return SERVED.filter((r) => r.group === group && r.version === version);
}

// ---------------------------------------------------------------------------------------------------------------
// Aggregated

function aggregatedResource(r: ResourceInfo): Record<string, unknown> {
  const responseKind = { group: r.group, version: r.version, kind: r.kind };
  const out: Record<string, unknown> = {
    resource: r.plural,
    responseKind,
    scope: r.namespaced ? "Namespaced" : "Cluster",
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((sub) => {
      const m = subresourceMeta(r, sub);
      return { subresource: sub, responseKind: { group: m.group ?? r.group, version: m.version ?? r.version, kind: m.kind }, verbs: m.verbs };
    });
  }
  return out;
}

function aggregatedGroup(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ version: gv.version, resources: resourcesOf(group, gv.version).map(aggregatedResource), freshness: "Current" }));
  return { metadata: { name: group }, versions };
}

/** APIGroupDiscoveryList for `/api` (core, named "") or `/apis` (every named group). */
export function aggregatedDiscovery(core: boolean, v: "v2" | "v2beta1"): Record<string, unknown> {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => (g === "") === core);
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items: groups.map(aggregatedGroup) };
}

// ---------------------------------------------------------------------------------------------------------------
// Legacy

/** `/api`: the core versions and where to reach the server. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function apiGroup(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `/apis`: every named group. */
export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== "");
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(apiGroup) };
}

/** `/apis/GROUP`. */
export function apiGroupDocument(group: string): Record<string, unknown> {
  return { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group) };
}

/** `/api/v1` or `/apis/GROUP/VERSION`: APIResourceList, subresources as `plural/sub`. */
export function apiResourceList(group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const r of resourcesOf(group, version)) {
    const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    for (const sub of r.subresources) {
      const m = subresourceMeta(r, sub);
      const gv = m.group ? { group: m.group, version: m.version } : {};
      resources.push({ name: `${r.plural}/${sub}`, singularName: "", namespaced: r.namespaced, ...gv, kind: m.kind, verbs: m.verbs });
    }
  }
  const groupVersion = group ? `${group}/${version}` : version;
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}

