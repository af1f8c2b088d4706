/**
 * The API server's request metrics under their upstream names and labels (k8s.io/apiserver
 * pkg/endpoints/metrics/metrics.go): `apiserver_request_total` and `apiserver_request_duration_seconds`, with the
 * verb as upstream reports it (LIST/WATCH for collection reads, APPLY for server-side apply, CONNECT for
 * exec/attach/portforward), the scope (resource/namespace/cluster) and the dry_run value. Recorded when the response
 * ends, so a watch counts once with its whole duration, as upstream's long-running requests do.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { requestAttributes } from "../auth/attributes.js";
import type { UserInfo } from "../auth/user.js";
import type { Counter, Histogram, Registry } from "../metrics/registry.js";
import { parseRoute } from "./router.js";

const LABELS = ["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"];

/** Upstream's buckets for apiserver_request_duration_seconds. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

const CONNECT_SUBRESOURCES = new Set(["exec", "attach", "portforward", "proxy"]);
/** Upstream names writes by their HTTP method. */
const METHOD_VERBS: Readonly<Record<string, string>> = { CREATE: "POST", UPDATE: "PUT", HEAD: "GET" };
const NOBODY: UserInfo = { name: "", groups: [] };

export class RequestMetrics {
  private readonly total: Counter;
  private readonly duration: Histogram;

  constructor(registry: Registry) {
    this.total = registry.counter({
      name: "apiserver_request_total",
      help: "[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
      labelNames: [...LABELS, "code"],
    });
    this.duration = registry.histogram(
      {
        name: "apiserver_request_duration_seconds",
        help: "[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
        labelNames: LABELS,
      },
      REQUEST_DURATION_BUCKETS,
    );
  }

  /** Records `req` once its response has ended (or its connection closed), timed from now. */
  observe(req: IncomingMessage, res: ServerResponse, now: () => number = Date.now): void {
    const started = now();
    res.once("close", () => this.record(requestLabels(req), String(res.statusCode), (now() - started) / 1000));
  }

  record(labels: Record<string, string>, code: string, seconds: number): void {
    this.total.inc({ ...labels, code });
    this.duration.observe(labels, seconds);
  }
}

/** The labels upstream gives a request (its CleanVerb, CleanScope and cleanDryRun). */
export function requestLabels(req: Pick<IncomingMessage, "method" | "url" | "headers">): Record<string, string> {
  const method = req.method ?? "GET";
  const a = requestAttributes(NOBODY, method, req.url ?? "/");
  const query = new URL(req.url ?? "/", "http://x").searchParams;
  let verb = a.isResourceRequest ? a.verb.toUpperCase() : method.toUpperCase();
  verb = METHOD_VERBS[verb] ?? verb;
  if (CONNECT_SUBRESOURCES.has(a.subresource)) verb = "CONNECT";
  if (verb === "PATCH" && (req.headers["content-type"] ?? "").split(";")[0].trim() === "application/apply-patch+yaml") verb = "APPLY";
  const scope = !a.isResourceRequest ? "" : a.name || verb === "POST" ? "resource" : a.namespace ? "namespace" : "cluster";
  // Only served resources name a series: any other path would let a client mint series without bound.
  if (a.isResourceRequest && parseRoute(new URL(req.url ?? "/", "http://x").pathname).type !== "resource") {
    return { verb, dry_run: "", group: "", version: "", resource: "", subresource: "", scope: "", component: "apiserver" };
  }
  return {
    verb,
    dry_run: query.getAll("dryRun").includes("All") ? "All" : "",
    group: a.apiGroup,
    version: a.apiVersion,
    resource: a.resource,
    subresource: a.subresource,
    scope,
    component: "apiserver",
  };
}
