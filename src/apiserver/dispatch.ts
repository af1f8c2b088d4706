/**
 * The request handler: authenticate, route, and hand each request to the handler for its verb. Everything that
 * goes wrong leaves as a Status (http.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { arch } from "node:os";
import { ApiError } from "../api/errors.js";
import type { UserInfo } from "../auth/user.js";
import { unauthorizedStatus } from "./auth.js";
import { authorize } from "./access.js";
import type { ServerContext } from "./context.js";
import { aggregatedContentType, aggregatedDiscovery, apiGroupDocument, apiGroupList, apiResourceList, apiVersions } from "./discovery.js";
import { queryBool, sendError, sendJson, sendObject } from "./http.js";
import { negotiateDiscovery } from "./negotiate.js";
import { acceptsJson, openapiDocument, openapiRoot, openapiV2 } from "./openapi.js";
import { TEXT_FORMAT } from "../metrics/registry.js";
import { parseRoute, type ResourceRoute, type Route } from "./router.js";
import type { Call } from "./handlers/common.js";
import { createObject } from "./handlers/create.js";
import { deleteCollection, deleteObject } from "./handlers/delete.js";
import { evictPod } from "./handlers/eviction.js";
import { bindPod } from "./handlers/binding.js";
import { streamLogs } from "./handlers/logs.js";
import { nodeMetrics, podMetrics } from "./handlers/metrics.js";
import { patchObject } from "./handlers/patch.js";
import { serveScale } from "./handlers/scale.js";
import { getObject, listObjects } from "./handlers/read.js";
import { REVIEW_KINDS, serveReview } from "./handlers/reviews.js";
import { requestToken } from "./handlers/token-request.js";
import { updateObject } from "./handlers/update.js";
import { watchObjects } from "./handlers/watch.js";

/** The version kubectl's dispatcher reads: minor "32" selects the built-in kubectl 1.32 (reference §0). */
export function versionInfo(): Record<string, string> {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.0-nodelet",
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: `node${process.version}`,
    compiler: "node",
    platform: `linux/${arch() === "x64" ? "amd64" : arch()}`,
  };
}

const METHOD_NOT_ALLOWED = () => new ApiError("MethodNotAllowed", "the server does not allow this method on the requested resource");

/**
 * Serves one request. `user` is who the listener authenticated (undefined: nobody, 401); the request is authorized
 * here (403 when refused) before any handler runs.
 */
export async function handleRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, user: UserInfo | undefined): Promise<void> {
  try {
    if (!user) return sendObject(res, 401, unauthorizedStatus());
    authorize(ctx.authorizer, user, req.method ?? "GET", req.url ?? "/");
    const url = new URL(req.url ?? "/", "http://nodelet");
    const route = parseRoute(url.pathname);
    if (route.type === "resource") return await serveResource({ ctx, req, res, route, query: url.searchParams, user });
    if (req.method !== "GET" && req.method !== "HEAD") throw METHOD_NOT_ALLOWED();
    await serveNonResource(ctx, req, res, route);
  } catch (err) {
    sendError(res, err);
  }
}

async function serveNonResource(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, route: Route): Promise<void> {
  const aggregated = negotiateDiscovery(req.headers.accept);
  switch (route.type) {
    case "version":
      return sendJson(res, 200, versionInfo());
    case "health":
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      return void res.end("ok");
    case "apiVersions":
      if (aggregated) return sendJson(res, 200, aggregatedDiscovery(true, aggregated), aggregatedContentType(aggregated));
      return sendJson(res, 200, apiVersions(req.headers.host ?? ""));
    case "apiGroupList":
      if (aggregated) return sendJson(res, 200, aggregatedDiscovery(false, aggregated), aggregatedContentType(aggregated));
      return sendJson(res, 200, apiGroupList());
    case "apiGroup":
      return sendJson(res, 200, apiGroupDocument(route.group));
    case "resourceList":
      return sendJson(res, 200, apiResourceList(route.group, route.version));
    case "openapiV2": {
      // Only JSON is served: a protobuf-only client gets 406 and falls back, as from a server without v2.
      if (!acceptsJson(req.headers.accept)) throw new ApiError("NotAcceptable", "only the following media types are accepted: application/json");
      const doc = openapiV2();
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(doc) });
      return void res.end(doc);
    }
    case "openapiV3Root":
      return sendJson(res, 200, openapiRoot());
    case "openapiV3": {
      const doc = openapiDocument(route.path);
      if (!doc) break;
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(doc) });
      return void res.end(doc);
    }
    case "nodeMetrics":
      return sendJson(res, 200, await nodeMetrics(ctx, route.name, new URL(req.url ?? "/", "http://localhost").searchParams.get("labelSelector") ?? undefined));
    case "metrics": {
      const registry = route.endpoint === "cadvisor" ? ctx.metrics.cadvisor : ctx.metrics.main;
      if (!registry) break;
      const text = await registry.render();
      res.writeHead(200, { "Content-Type": TEXT_FORMAT, "Content-Length": Buffer.byteLength(text) });
      return void res.end(req.method === "HEAD" ? undefined : text);
    }
    default:
      break;
  }
  throw new ApiError("NotFound", "the server could not find the requested resource");
}

async function serveResource(call: Call): Promise<void> {
  const { route, req } = call;
  const method = req.method ?? "GET";
  if (route.info.group === "metrics.k8s.io") {
    if (method !== "GET") throw METHOD_NOT_ALLOWED();
    return podMetrics(call);
  }
  if (REVIEW_KINDS.has(route.info.kind)) return serveReview(call);
  switch (route.subresource) {
    case "exec":
    case "attach":
    case "portforward":
      throw ApiError.badRequest("Upgrade request required");
    case "log":
      if (method !== "GET") throw METHOD_NOT_ALLOWED();
      return streamLogs(call);
    case "token":
      return requestToken(call);
    case "scale":
      return serveScale(call, method);
    case "eviction":
      return evictPod(call);
    case "binding":
      return bindPod(call);
    default:
      return route.name === undefined ? serveCollection(call, method) : serveObject(call, method, route);
  }
}

function isWatch(call: Call): boolean {
  return call.route.watchPrefix || queryBool(call.query, "watch");
}

async function serveCollection(call: Call, method: string): Promise<void> {
  switch (method) {
    case "GET":
      return isWatch(call) ? watchObjects(call) : listObjects(call);
    case "POST":
      return createObject(call);
    case "DELETE":
      return deleteCollection(call);
    default:
      throw METHOD_NOT_ALLOWED();
  }
}

async function serveObject(call: Call, method: string, route: ResourceRoute): Promise<void> {
  // status and ephemeralcontainers: GET, PUT and PATCH of the pod through the subresource's own write rules.
  const sub = route.subresource !== undefined;
  switch (method) {
    case "GET":
      return isWatch(call) && !sub ? watchObjects(call) : getObject(call);
    case "PUT":
      return updateObject(call);
    case "PATCH":
      return patchObject(call);
    case "DELETE":
      if (sub) break;
      return deleteObject(call);
    default:
      break;
  }
  throw METHOD_NOT_ALLOWED();
}
