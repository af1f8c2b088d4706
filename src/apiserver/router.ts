/**
 * Maps a request path to what it names, following the API server's URL layout
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris):
 *   /api/v1/KIND[/NAME[/SUB]]                       cluster-scoped, or a namespaced kind across all namespaces
 *   /api/v1/namespaces/NS/KIND[/NAME[/SUB]]         namespaced
 *   /apis/GROUP/VERSION/...                         the same for named groups
 *   /api/v1/watch/...                               the deprecated watch prefix
 * Every resource comes from the table in api/resources.ts.
 */
import { OTHER_VERSIONS, RESOURCES, type ResourceInfo } from "../api/resources.js";

/** Every served resource version: the stored ones, then those converted to and from them. */
export const SERVED: readonly ResourceInfo[] = [...RESOURCES, ...OTHER_VERSIONS];

export interface ResourceRoute {
  type: "resource";
  info: ResourceInfo;
  /** Set for namespaced requests; undefined = all namespaces, or a cluster-scoped kind. */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The path used the deprecated /watch/ prefix. */
  watchPrefix: boolean;
}

export type Route =
  | { type: "version" }
  | { type: "health" }
  | { type: "apiVersions" }
  | { type: "apiGroupList" }
  | { type: "apiGroup"; group: string }
  | { type: "resourceList"; group: string; version: string }
  | { type: "openapiV3Root" }
  | { type: "openapiV2" }
  | { type: "openapiV3"; path: string }
  | { type: "nodeMetrics"; name?: string }
  | { type: "metrics"; endpoint: "" | "cadvisor" }
  | ResourceRoute
  | { type: "notFound" };

const NOT_FOUND: Route = { type: "notFound" };

/** The group/versions we serve, in table order, core first. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of SERVED) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

function servesGroupVersion(group: string, version: string): boolean {
  return SERVED.some((r) => r.group === group && r.version === version);
}

function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return SERVED.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function parseRoute(pathname: string): Route {
  let segs: string[];
  try {
    segs = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return NOT_FOUND;
  }
  const [first, ...rest] = segs;
  switch (first) {
    case "version":
      return rest.length === 0 ? { type: "version" } : NOT_FOUND;
    case "healthz":
    case "livez":
    case "readyz":
      return { type: "health" };
    case "openapi":
      return openapiRoute(rest);
    case "metrics":
      if (rest.length === 0) return { type: "metrics", endpoint: "" };
      return rest.length === 1 && rest[0] === "cadvisor" ? { type: "metrics", endpoint: "cadvisor" } : NOT_FOUND;
    case "api":
      if (rest.length === 0) return { type: "apiVersions" };
      if (rest[0] !== "v1") return NOT_FOUND;
      return rest.length === 1 ? { type: "resourceList", group: "", version: "v1" } : resourceRoute("", "v1", rest.slice(1));
    case "apis":
      return apisRoute(rest);
    default:
      return NOT_FOUND;
  }
}

function openapiRoute(rest: string[]): Route {
  if (rest[0] === "v2") return rest.length === 1 ? { type: "openapiV2" } : NOT_FOUND;
  if (rest[0] !== "v3") return NOT_FOUND;
  return rest.length === 1 ? { type: "openapiV3Root" } : { type: "openapiV3", path: rest.slice(1).join("/") };
}

function apisRoute(rest: string[]): Route {
  if (rest.length === 0) return { type: "apiGroupList" };
  const [group, version, ...more] = rest;
  if (!RESOURCES.some((r) => r.group === group && group !== "")) return NOT_FOUND;
  if (version === undefined) return { type: "apiGroup", group };
  if (!servesGroupVersion(group, version)) return NOT_FOUND;
  if (more.length === 0) return { type: "resourceList", group, version };
  if (group === "metrics.k8s.io" && more[0] === "nodes" && more.length <= 2) return { type: "nodeMetrics", name: more[1] };
  return resourceRoute(group, version, more);
}

function resourceRoute(group: string, version: string, segs: string[]): Route {
  const watchPrefix = segs[0] === "watch";
  if (watchPrefix) segs = segs.slice(1);
  let namespace: string | undefined;
  if (segs[0] === "namespaces" && segs.length >= 3 && findResource(group, version, segs[2])?.namespaced) {
    namespace = segs[1];
    segs = segs.slice(2);
  }
  const [plural, name, subresource, ...extra] = segs;
  const info = plural === undefined ? undefined : findResource(group, version, plural);
  if (!info || extra.length > 0) return NOT_FOUND;
  if (info.namespaced && namespace === undefined && name !== undefined) return NOT_FOUND;
  if (subresource !== undefined && !info.subresources.includes(subresource)) return NOT_FOUND;
  if (watchPrefix && subresource !== undefined) return NOT_FOUND;
  return { type: "resource", info, namespace, name, subresource, watchPrefix };
}
