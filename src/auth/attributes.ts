/**
 * What a request asks to do, in the terms authorization speaks (k8s.io/apiserver authorizer.Attributes), derived from
 * the method and URL alone as the apiserver's RequestInfoFactory does:
 *   /api/v1/namespaces/NS/RESOURCE/NAME/SUB, /apis/GROUP/VERSION/..., /api/v1/watch/... → a resource request;
 *   anything else (/version, /healthz, /api, /apis/GROUP) → a non-resource request on its path.
 * The verb: POST create, GET/HEAD get (list or watch without a name), PUT update, PATCH patch, DELETE delete
 * (deletecollection without a name). A list or watch with `fieldSelector=metadata.name=X` names X.
 * Pure; it does not know which resources exist (nodelet's own /apis/nodelet.io/v1 paths are resources too).
 */
import { parseFieldSelector, type FieldRequirement } from "../api/labels.js";
import { queryBool } from "../api/query.js";
import type { UserInfo } from "./user.js";

export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** The URL path (non-resource requests are authorized on it). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** A list or watch's fieldSelector as sent (the Node authorizer lets a node list pods with `spec.nodeName=ITSELF`). */
  fieldSelector?: string;
}

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

function methodVerb(method: string): string {
  switch (method) {
    case "POST":
      return "create";
    case "GET":
    case "HEAD":
      return "get";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return "delete";
    default:
      return "";
  }
}

/** Parses one request. `url` is the request target (path and query). */
export function requestAttributes(user: UserInfo, method: string, url: string): RequestAttributes {
  const u = new URL(url, "http://x");
  const path = u.pathname;
  const base: RequestAttributes = {
    user, verb: method.toLowerCase(), isResourceRequest: false, path, apiGroup: "", apiVersion: "", namespace: "", resource: "", subresource: "", name: "",
  };
  let parts = path.split("/").filter(Boolean);
  try {
    parts = parts.map(decodeURIComponent);
  } catch {
    return base;
  }
  if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis")) return base;
  const a = { ...base };
  if (parts[0] === "apis") {
    if (parts.length < 4) return base;
    a.apiGroup = parts[1];
    parts = parts.slice(2);
  } else {
    parts = parts.slice(1);
  }
  a.isResourceRequest = true;
  a.apiVersion = parts[0];
  parts = parts.slice(1);
  if (parts[0] === "watch" && parts.length >= 2) {
    a.verb = "watch";
    parts = parts.slice(1);
  } else {
    a.verb = methodVerb(method);
  }
  if (parts[0] === "namespaces" && parts.length > 1) {
    a.namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  [a.resource = "", a.name = "", a.subresource = ""] = parts;
  if (!a.name && a.verb === "get") {
    a.verb = queryBool(u.searchParams, "watch") ? "watch" : "list";
  }
  if (a.verb === "list" || a.verb === "watch") {
    const selector = u.searchParams.get("fieldSelector");
    if (selector) a.fieldSelector = selector;
    if (!a.name) a.name = exactName(selector);
  }
  if (!a.name && a.verb === "delete") a.verb = "deletecollection";
  return a;
}

/**
 * The name a field selector pins exactly: the value of its first `metadata.name` `=`/`==` requirement, read with the
 * parser the list and watch handlers filter with (it honours `\,` escapes), so the name authorized is the one served.
 * "" when the selector does not parse or the name is not a valid path segment.
 */
function exactName(selector: string | null): string {
  if (!selector) return "";
  let requirements: readonly FieldRequirement[];
  try {
    requirements = parseFieldSelector(selector).requirements;
  } catch {
    return "";
  }
  const pin = requirements.find((r) => r.field === "metadata.name" && r.operator === "=");
  const name = pin?.value ?? "";
  return name && name !== "." && name !== ".." && !/[/%]/.test(name) ? name : "";
}
