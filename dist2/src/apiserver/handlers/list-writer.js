/**
 * A list response written a page at a time (chunked): the envelope of the negotiated shape (a kind List, a Table or
 * a PartialObjectMetadataList), then its items as they come, then the close. Waits for the socket to drain between
 * pages, so memory holds one page, not the list.
 */
import { once } from "node:events";
import { apiVersionOf } from "../../api/resources.js";
import { negotiateObject } from "../negotiate.js";
import { partialObjectMetadata, printerFor, toTable } from "../../api/tables/index.js";
import { includeObject } from "./common.js";
export function listWriter(call, resourceVersion) {
    const { res } = call;
    const { head, item } = shape(call, resourceVersion);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write(head);
    let first = true;
    let gone = false;
    res.on("close", () => (gone = true));
    res.on("error", () => undefined);
    return {
        async items(objs) {
            if (gone || res.destroyed)
                return false;
            let chunk = "";
            for (const o of objs) {
                chunk += (first ? "" : ",") + JSON.stringify(item(o));
                first = false;
            }
            if (chunk && !res.write(chunk))
                await Promise.race([once(res, "drain"), once(res, "close")]);
            return !gone && !res.destroyed;
        },
        end() {
            res.end("]}");
        },
    };
}
/** The envelope up to its opening `[` and the encoding of one item, per the Accept header. */
function shape(call, resourceVersion) {
    const want = negotiateObject(call.req.headers.accept);
    const info = call.route.info;
    const metadata = { resourceVersion };
    const open = (envelope, field) => `${JSON.stringify(envelope).slice(0, -1)},"${field}":[`;
    if (want.shape === "table") {
        const opts = { version: want.version, includeObject: includeObject(call.query), resourceVersion, now: call.ctx.now() };
        const printer = printerFor(info.kind);
        const { rows: _rows, ...envelope } = toTable(printer, [], opts);
        return { head: open(envelope, "rows"), item: (o) => toTable(printer, [o], { ...opts, noHeaders: true }).rows[0] };
    }
    if (want.shape === "partial") {
        const envelope = { kind: "PartialObjectMetadataList", apiVersion: `meta.k8s.io/${want.version}`, metadata };
        return { head: open(envelope, "items"), item: (o) => partialObjectMetadata(o, want.version) };
    }
    return { head: open({ kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata }, "items"), item: (o) => o };
}
//# sourceMappingURL=list-writer.js.map