/** Pieces shared by the verb handlers: the request bundle, object lookup, and object responses in every shape. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../../api/errors.js";
import { apiVersionOf } from "../../api/resources.js";
import type { KubeObject, ListMeta, Namespace } from "../../api/types.js";
import type { ListResult } from "../../store/store.js";
import type { UserInfo } from "../../auth/user.js";
import type { ServerContext } from "../context.js";
import { sendJson, sendProtobuf } from "../http.js";
import { negotiateObject } from "../negotiate.js";
import { encodeKubernetesProtobuf, protobufMessageOf } from "../protobuf/encode.js";
import type { ResourceRoute } from "../router.js";
import { partialObjectMetadata, printerFor, toTable, type IncludeObject } from "../../api/tables/index.js";

/** One API request on a resource path, as every handler receives it. */
export interface Call {
  ctx: ServerContext;
  req: IncomingMessage;
  res: ServerResponse;
  route: ResourceRoute;
  query: URLSearchParams;
  /** Who makes the request (authenticated and authorized before the handler runs). */
  user: UserInfo;
}

/** The namespace the store files this route's objects under: "" for cluster-scoped kinds. */
export function storeNamespace(route: ResourceRoute): string {
  return route.info.namespaced ? route.namespace ?? "" : "";
}

export function notFound(route: ResourceRoute, name: string): ApiError {
  return ApiError.notFound(route.info.plural, name, route.info.group);
}

/** The object the route names; ApiError NotFound when absent. */
export function loadObject<T extends KubeObject = KubeObject>(call: Call): T {
  const { route } = call;
  const obj = call.ctx.store.get<T>(route.info.kind, storeNamespace(route), route.name ?? "");
  if (!obj) throw notFound(route, route.name ?? "");
  return obj;
}

/** An object as the route's version shows it: stored objects go through the view of a converted version (OTHER_VERSIONS). */
export function present(call: Pick<Call, "route">, obj: KubeObject): KubeObject {
  return call.route.info.view ? call.route.info.view.fromStored(obj) : obj;
}

/** Which object rows of a Table carry (`includeObject`, default Metadata). */
export function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get("includeObject");
  return v === "Object" || v === "None" ? v : "Metadata";
}

/** Whether the route's kind has a protobuf form (the kinds of k8s.io/api; not nodelet.io's). */
export function protobufKind(call: Pick<Call, "route">): boolean {
  return protobufMessageOf({ apiVersion: apiVersionOf(call.route.info), kind: call.route.info.kind }) !== undefined;
}

/** `body` as protobuf when negotiated and encodable, else as JSON. */
function send(call: Call, code: number, body: object, protobuf: boolean): void {
  const data = protobuf ? encodeKubernetesProtobuf(body as Record<string, unknown>) : undefined;
  if (data) sendProtobuf(call.res, code, data);
  else sendJson(call.res, code, body);
}

/** Answers one object as JSON, protobuf, a one-row Table or PartialObjectMetadata, per the Accept header. */
export function respondObject(call: Call, code: number, obj: KubeObject): void {
  const want = negotiateObject(call.req.headers.accept, protobufKind(call));
  if (want.shape === "table") {
    const table = toTable(printerFor(obj.kind), [obj], {
      version: want.version,
      includeObject: includeObject(call.query),
      resourceVersion: obj.metadata.resourceVersion,
      now: call.ctx.now(),
    });
    sendJson(call.res, code, table);
  } else {
    send(call, code, want.shape === "partial" ? partialObjectMetadata(obj, want.version) : present(call, obj), want.protobuf);
  }
}

/**
 * Answers a list (or one page of it) in the negotiated shape, stamped with its resourceVersion and, for a page that
 * stops early, the continue token and remainingItemCount in the list metadata (Tables carry them too).
 */
export function respondList(call: Call, list: ListResult<KubeObject>): void {
  const want = negotiateObject(call.req.headers.accept, protobufKind(call));
  const info = call.route.info;
  const { items, resourceVersion } = list;
  const metadata: ListMeta = { resourceVersion };
  if (list.continue) metadata.continue = list.continue;
  if (list.remainingItemCount !== undefined) metadata.remainingItemCount = list.remainingItemCount;
  if (want.shape === "table") {
    const opts = { version: want.version, includeObject: includeObject(call.query), resourceVersion, now: call.ctx.now() };
    sendJson(call.res, 200, { ...toTable(printerFor(info.kind), items, opts), metadata });
  } else if (want.shape === "partial") {
    const head = { kind: "PartialObjectMetadataList", apiVersion: `meta.k8s.io/${want.version}`, metadata };
    send(call, 200, { ...head, items: items.map((o) => partialObjectMetadata(o, want.version)) }, want.protobuf);
  } else {
    send(call, 200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata, items: items.map((o) => present(call, o)) }, want.protobuf);
  }
}

/** `dryRun=All` in the query (or in DeleteOptions): run everything but the store write. */
export function isDryRun(query: URLSearchParams, fromBody?: unknown): boolean {
  const values = [...query.getAll("dryRun"), ...(Array.isArray(fromBody) ? (fromBody as unknown[]) : [])];
  for (const v of values) {
    if (v !== "All") throw ApiError.badRequest(`invalid dryRun value "${String(v)}": only "All" is supported`);
  }
  return values.length > 0;
}

/**
 * Refuses writes into a namespace that does not exist (404 `namespaces "x" not found`) or is being deleted
 * (403, as the NamespaceLifecycle admission plugin does).
 */
export function requireWritableNamespace(call: Call, ns: string): void {
  const namespace = call.ctx.store.get<Namespace>("Namespace", "", ns);
  if (!namespace) throw ApiError.notFound("namespaces", ns);
  if (namespace.status?.phase === "Terminating" || namespace.metadata.deletionTimestamp) {
    throw new ApiError(
      "Forbidden",
      `${call.route.info.plural} "${call.route.name ?? ""}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      { name: call.route.name, kind: call.route.info.plural },
    );
  }
}

/** Read-only views and metadata-only write targets answer 405 for verbs they lack. */
export function requireVerb(call: Call, verb: string): void {
  if (!call.route.info.verbs.includes(verb)) {
    throw new ApiError("MethodNotAllowed", `the server does not allow this method on the requested resource`);
  }
}
