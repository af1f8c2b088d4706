/**
 * WATCH: a chunked 200 response with one JSON watch event per line, each written (and so flushed) as the store
 * commits it. Semantics of the API server (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
 * - resourceVersion "" → changes from now; "0" → synthetic ADDED for the current state first; "N" → changes after N.
 * - A resourceVersion older than the retained history → 200 and one ERROR event carrying a 410 Expired Status, then
 *   the end of the stream, as upstream's watch cache answers; informers re-list, `kubectl get -w` prints it. The
 *   same ends a watch whose store lost changes under it (etcd compacted past the store's watch stream).
 * - allowWatchBookmarks → periodic BOOKMARK events; sendInitialEvents → initial ADDED then the
 *   `k8s.io/initial-events-end` bookmark (the streaming-list protocol).
 * - With a Table Accept header each event carries a one-row Table; only the first has columnDefinitions.
 * - A client that prefers protobuf (and a kind that has it) gets `application/vnd.kubernetes.protobuf;stream=watch`:
 *   frames of a 4-byte length and a WatchEvent whose object is the object's protobuf envelope.
 * - The stream stays open until timeoutSeconds or until the client goes away (detected with res 'close':
 *   req 'close' fires when the request body ends).
 * - Bounded (watch-limits.ts): a client over its number of open watches gets 429 TooManyRequests; a client that
 *   stops reading is closed once its unsent events pass the backlog bound.
 */
import { apiVersionOf } from "../../api/resources.js";
import type { KubeObject, WatchEvent } from "../../api/types.js";
import { escapeFieldValue } from "../../api/labels.js";
import { queryBool, queryInt, sendError, toApiError } from "../http.js";
import { PROTOBUF, negotiateObject } from "../negotiate.js";
import { protobufWatchFrame } from "../protobuf/encode.js";
import { partialObjectMetadata, printerFor, toTable } from "../../api/tables/index.js";
import { BacklogGuard, clientOf } from "../watch-limits.js";
import { includeObject, present, protobufKind, requireVerb, type Call } from "./common.js";

export function watchObjects(call: Call): void {
  requireVerb(call, "watch");
  const { ctx, res, route, query } = call;
  const bookmarks = queryBool(query, "allowWatchBookmarks");
  const initialEvents = queryBool(query, "sendInitialEvents");
  const timeoutSeconds = queryInt(query, "timeoutSeconds");
  const encode = eventEncoder(call);
  const protobuf = wantsProtobuf(call);
  let release: () => void;
  try {
    release = ctx.watches.acquire(clientOf(call.req));
  } catch (err) {
    res.setHeader("Retry-After", "1");
    return sendError(res, err);
  }
  const guard = new BacklogGuard(res, ctx.limits.maxWatchBacklogBytes);

  let ready = false;
  const early: WatchEvent[] = [];
  const send = (ev: WatchEvent) => {
    if (!ready) early.push(ev);
    else if (!res.writableEnded && !res.destroyed) {
      const out = encode(ev);
      const data = frame(out, protobuf);
      if (data === undefined) return void res.end(unencodable(out));
      res.write(data);
      // The store lost changes this watch should have had (etcd compacted past its stream): it ends, and the
      // client lists again, as after the apiserver's own 410.
      if (ev.type === "ERROR") return void res.end();
      guard.check();
    }
  };
  let stop: () => void;
  try {
    stop = ctx.store.watch(route.info.kind, { ...watchFilter(call), resourceVersion: initialEvents ? "0" : query.get("resourceVersion") ?? "", lostChanges: "error" }, send);
  } catch (err) {
    release();
    const e = toApiError(err);
    if (e.reason !== "Expired") return sendError(res, e);
    startStream(call, protobuf);
    const expired = { type: "ERROR" as const, object: e.toStatus() };
    res.end(frame(expired, protobuf) ?? unencodable(expired));
    return;
  }
  startStream(call, protobuf);
  ready = true;
  early.forEach(send);
  if (initialEvents) send(bookmark(call, { "k8s.io/initial-events-end": "true" }));
  guard.settle();

  const timers: NodeJS.Timeout[] = [];
  if (bookmarks) timers.push(setInterval(() => send(bookmark(call)), ctx.bookmarkIntervalMs));
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) timers.push(setTimeout(() => res.end(), timeoutSeconds * 1000));
  res.on("close", () => {
    stop();
    release();
    timers.forEach((t) => clearTimeout(t));
  });
  res.on("finish", () => stop());
  // A client gone mid-write surfaces here; 'close' follows and cleans up.
  res.on("error", () => undefined);
}

/** A JSON line, or a protobuf frame; undefined when the protobuf form cannot carry the object. */
function frame(ev: WatchEvent<unknown>, protobuf: boolean): string | Buffer | undefined {
  if (!protobuf) return `${JSON.stringify(ev)}\n`;
  return protobufWatchFrame(ev.type, ev.object as Record<string, unknown>);
}

/** The last frame of a protobuf stream whose object could not be encoded: an ERROR event (500), as upstream ends one. */
function unencodable(ev: WatchEvent<unknown>): Buffer {
  const kind = String((ev.object as { kind?: unknown }).kind);
  const status = toApiError(new Error(`the ${kind} could not be encoded as protobuf`)).toStatus();
  return protobufWatchFrame("ERROR", status as unknown as Record<string, unknown>) ?? Buffer.alloc(0);
}

/** Protobuf events: for a kind that has them when the client prefers them (metadata-only events included). */
function wantsProtobuf(call: Call): boolean {
  const want = negotiateObject(call.req.headers.accept, protobufKind(call));
  return want.shape !== "table" && want.protobuf;
}

function startStream(call: Call, protobuf: boolean): void {
  const type = protobuf ? `${PROTOBUF};stream=watch` : "application/json";
  call.res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-cache, private" });
  call.res.flushHeaders();
  call.res.socket?.setNoDelay(true);
}

/** Namespace and selectors; a watch on one object's path (`GET …/pods/X?watch=1`) selects it by name. */
function watchFilter(call: Call): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
  const { route, query } = call;
  const fields = [query.get("fieldSelector") ?? ""];
  if (route.name !== undefined) fields.push(`metadata.name=${escapeFieldValue(route.name)}`);
  return {
    namespace: route.info.namespaced ? route.namespace : undefined,
    labelSelector: query.get("labelSelector") ?? undefined,
    fieldSelector: fields.filter(Boolean).join(",") || undefined,
  };
}

function bookmark(call: Call, annotations?: Record<string, string>): WatchEvent {
  const info = call.route.info;
  const metadata: KubeObject["metadata"] = { resourceVersion: call.ctx.store.currentResourceVersion() };
  if (annotations) metadata.annotations = annotations;
  return { type: "BOOKMARK", object: { kind: info.kind, apiVersion: apiVersionOf(info), metadata } };
}

/** Renders events in the negotiated shape; Table events after the first omit columnDefinitions. */
function eventEncoder(call: Call): (ev: WatchEvent) => WatchEvent<unknown> {
  const want = negotiateObject(call.req.headers.accept, protobufKind(call));
  let first = true;
  return (ev) => {
    if (ev.type === "BOOKMARK" || ev.type === "ERROR") return ev;
    if (want.shape === "partial") return { type: ev.type, object: partialObjectMetadata(ev.object, want.version) };
    if (want.shape !== "table") return call.route.info.view ? { type: ev.type, object: present(call, ev.object) } : ev;
    const table = toTable(printerFor(ev.object.kind), [ev.object], {
      version: want.version,
      includeObject: includeObject(call.query),
      resourceVersion: ev.object.metadata.resourceVersion,
      noHeaders: !first,
      now: call.ctx.now(),
    });
    first = false;
    return { type: ev.type, object: table };
  };
}
