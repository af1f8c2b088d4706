/**
 * A list response written a part at a time (chunked): the envelope of the negotiated shape (a kind List, a Table or
 * a PartialObjectMetadataList) up to its items, then the items as they come, each part serialised and written as
 * soon as it is read, then the list metadata and the close. The metadata comes last because a page's continue
 * token and remainingItemCount are known only once its last part is read (JSON clients read fields in any order).
 * Memory holds one part, never the list or its text. In protobuf, the envelope's length comes before the list, so the
 * encoded list is held and written at the end; an item that cannot be encoded turns the response into JSON.
 */
import { once } from "node:events";
import { apiVersionOf } from "../../api/resources.js";
import type { KubeObject, ListMeta } from "../../api/types.js";
import { negotiateObject } from "../negotiate.js";
import { protobufListEncoder, type ProtobufListEncoder } from "../protobuf/encode.js";
import { sendProtobuf } from "../http.js";
import { partialObjectMetadata, printerFor, toTable } from "../../api/tables/index.js";
import { includeObject, present, protobufKind, type Call } from "./common.js";

export interface ListWriter {
  /** Writes items without waiting; false when the socket's buffer is full (call drained() before much more). */
  write(objs: KubeObject[]): boolean;
  /** Resolves once the client has taken what was written; false when it has gone (stop reading). */
  drained(): Promise<boolean>;
  /** Writes the list metadata and ends the response. */
  end(metadata: ListMeta): void;
}

export function listWriter(call: Call, resourceVersion: string): ListWriter {
  const want = negotiateObject(call.req.headers.accept, protobufKind(call));
  if (want.shape !== "table" && want.protobuf) {
    const info = call.route.info;
    const [apiVersion, kind] = want.shape === "partial" ? ["meta.k8s.io/v1", "PartialObjectMetadataList"] : [apiVersionOf(info), `${info.kind}List`];
    const item = want.shape === "partial" ? (o: KubeObject) => partialObjectMetadata(o, "v1") : (o: KubeObject) => present(call, o);
    const encoder = protobufListEncoder(apiVersion, kind);
    if (encoder) return protobufWriter(call, resourceVersion, encoder, item);
  }
  return jsonWriter(call, resourceVersion);
}

/** The list in protobuf, sent whole at the end; the objects are kept (references) to answer JSON if one fails. */
function protobufWriter(call: Call, resourceVersion: string, encoder: ProtobufListEncoder, item: (o: KubeObject) => object): ListWriter {
  const taken: KubeObject[] = [];
  let json: ListWriter | undefined;
  const toJson = (): ListWriter => {
    json = jsonWriter(call, resourceVersion);
    json.write(taken);
    return json;
  };
  return {
    write(objs) {
      if (json) return json.write(objs);
      taken.push(...objs);
      for (const o of objs) if (!encoder.add(item(o) as Record<string, unknown>)) return toJson().write([]);
      return true;
    },
    drained() {
      return json ? json.drained() : Promise.resolve(!call.res.destroyed);
    },
    end(metadata) {
      if (json) return json.end(metadata);
      const data = encoder.finish(metadata as Record<string, unknown>);
      if (data) sendProtobuf(call.res, 200, data);
      else toJson().end(metadata);
    },
  };
}

function jsonWriter(call: Call, resourceVersion: string): ListWriter {
  const { res } = call;
  const { head, item } = shape(call, resourceVersion);
  res.writeHead(200, { "Content-Type": "application/json" });
  res.write(head);
  let first = true;
  let gone = false;
  let full = false;
  res.on("close", () => (gone = true));
  res.on("error", () => undefined);
  return {
    write(objs) {
      if (gone || res.destroyed) return false;
      let chunk = "";
      for (const o of objs) {
        chunk += (first ? "" : ",") + JSON.stringify(item(o));
        first = false;
      }
      if (chunk && !res.write(chunk)) full = true;
      return !full;
    },
    async drained() {
      if (full && !gone && !res.destroyed) {
        // The listener that loses the race is removed, or every part would leave one on the response.
        const ac = new AbortController();
        await Promise.race([once(res, "drain", { signal: ac.signal }), once(res, "close", { signal: ac.signal })]);
        ac.abort();
      }
      full = false;
      return !gone && !res.destroyed;
    },
    end(metadata) {
      res.end(`],"metadata":${JSON.stringify(metadata)}}`);
    },
  };
}

/** The envelope up to its opening `[` (without metadata) and the encoding of one item, per the Accept header. */
function shape(call: Call, resourceVersion: string): { head: string; item: (o: KubeObject) => unknown } {
  const want = negotiateObject(call.req.headers.accept, protobufKind(call));
  const info = call.route.info;
  const open = (envelope: object, field: string) => `${JSON.stringify(envelope).slice(0, -1)},"${field}":[`;
  if (want.shape === "table") {
    const opts = { version: want.version, includeObject: includeObject(call.query), resourceVersion, now: call.ctx.now() };
    const printer = printerFor(info.kind);
    const { rows: _rows, metadata: _metadata, ...envelope } = toTable(printer, [], opts);
    return { head: open(envelope, "rows"), item: (o) => toTable(printer, [o], { ...opts, noHeaders: true }).rows[0] };
  }
  if (want.shape === "partial") {
    const envelope = { kind: "PartialObjectMetadataList", apiVersion: `meta.k8s.io/${want.version}` };
    return { head: open(envelope, "items"), item: (o) => partialObjectMetadata(o, want.version) };
  }
  return { head: open({ kind: `${info.kind}List`, apiVersion: apiVersionOf(info) }, "items"), item: (o) => present(call, o) };
}
