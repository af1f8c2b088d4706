/**
 * GET of one object (and its status) and LIST of a collection, with selectors and paging (`limit`/`continue`,
 * store/paging.ts). A list without `limit` is still read a page at a time and streamed, so no request holds every
 * object of a big collection (50 000 events) in memory at once.
 */
import { ApiError } from "../../api/errors.js";
import { queryInt } from "../http.js";
import { listWriter } from "./list-writer.js";
import { loadObject, requireVerb, respondList, respondObject } from "./common.js";
/** Objects read per page when a list without `limit` is streamed (kubectl's own chunk size). */
export const STREAM_PAGE = 500;
export function getObject(call) {
    requireVerb(call, "get");
    respondObject(call, 200, loadObject(call));
}
export async function listObjects(call) {
    requireVerb(call, "list");
    const { route, query } = call;
    const token = query.get("continue") ?? "";
    const rv = query.get("resourceVersion") ?? "";
    if (token && rv && rv !== "0")
        throw ApiError.badRequest("specifying resource version is not allowed when using continue");
    const limit = Math.max(0, queryInt(query, "limit") ?? 0);
    const opts = {
        namespace: route.info.namespaced ? route.namespace : undefined,
        labelSelector: query.get("labelSelector") ?? undefined,
        fieldSelector: query.get("fieldSelector") ?? undefined,
        continue: token || undefined,
    };
    const store = call.ctx.store;
    if (limit > 0)
        return respondList(call, store.list(route.info.kind, { ...opts, limit }));
    const first = store.list(route.info.kind, { ...opts, limit: STREAM_PAGE });
    if (!first.continue)
        return respondList(call, { items: first.items, resourceVersion: first.resourceVersion });
    await streamList(call, opts, first);
}
/**
 * Writes a whole list page by page, waiting for the client to take each page before reading the next. Every page
 * is read as of the first page's resourceVersion; if the store's history no longer reaches back to it before the
 * client has read everything (the token expired mid-stream), the response is cut off rather than made inconsistent.
 */
async function streamList(call, opts, first) {
    const out = listWriter(call, first.resourceVersion);
    let page = first;
    for (;;) {
        if (!(await out.items(page.items)))
            return;
        if (!page.continue)
            break;
        try {
            page = call.ctx.store.list(call.route.info.kind, { ...opts, limit: STREAM_PAGE, continue: page.continue });
        }
        catch {
            call.res.destroy();
            return;
        }
    }
    out.end();
}
//# sourceMappingURL=read.js.map