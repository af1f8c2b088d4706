/**
 * GET of one object (and its status) and LIST of a collection, with selectors and paging (`limit`/`continue`,
 * store/paging.ts). A list longer than a part (PART objects) is read from the store a part at a time, each part
 * serialised and written before the next is read (list-writer.ts), so no request holds a page of kubectl's 500
 * objects, let alone the 50,000 events of an unpaged list, parsed or as text: objects that live only while their
 * part is written die young, where a whole page's objects outlived the young generation and grew the old one.
 */
import { ApiError } from "../../api/errors.js";
import type { KubeObject, ListMeta } from "../../api/types.js";
import type { ListOptions, ListResult } from "../../store/store.js";
import { queryInt } from "../http.js";
import { listWriter } from "./list-writer.js";
import { requireVerb, loadObject, respondList, respondObject, type Call } from "./common.js";

/** Objects read, serialised and written at a time. */
export const PART = 100;

export function getObject(call: Call): void {
  requireVerb(call, "get");
  respondObject(call, 200, loadObject(call));
}

export async function listObjects(call: Call): Promise<void> {
  requireVerb(call, "list");
  const { route, query } = call;
  const token = query.get("continue") ?? "";
  const rv = query.get("resourceVersion") ?? "";
  if (token && rv && rv !== "0") throw ApiError.badRequest("specifying resource version is not allowed when using continue");
  const limit = Math.max(0, queryInt(query, "limit") ?? 0);
  const opts: ListOptions = {
    namespace: route.info.namespaced ? route.namespace : undefined,
    labelSelector: query.get("labelSelector") ?? undefined,
    fieldSelector: query.get("fieldSelector") ?? undefined,
  };
  const parts = new Parts(call, opts, limit);
  // The first part is read before anything is written: a bad or expired token is still an error response.
  const first = parts.read(token || undefined);
  if (!parts.more(first)) return respondList(call, limit > 0 ? first : { items: first.items, resourceVersion: first.resourceVersion });
  await streamList(call, parts, first);
}

/** Reads a list (or one page of `limit` objects) a part at a time, all parts as of the first one's version. */
class Parts {
  private taken = 0;

  constructor(
    private readonly call: Call,
    private readonly opts: ListOptions,
    private readonly limit: number,
  ) {}

  /** The next part after `token`. The part that may be the page's last counts what remains (remainingItemCount). */
  read(token: string | undefined): ListResult<KubeObject> {
    const left = this.limit > 0 ? this.limit - this.taken : Infinity;
    const size = Math.min(PART, left);
    const part = this.call.ctx.store.list<KubeObject>(this.call.route.info.kind, { ...this.opts, limit: size, continue: token, countRemaining: size === left });
    this.taken += part.items.length;
    return part;
  }

  /** Whether another part follows `part` in this response. */
  more(part: ListResult<KubeObject>): boolean {
    return part.continue !== undefined && (this.limit === 0 || this.taken < this.limit);
  }
}

/**
 * A list, or one page of `limit` objects, written part by part; once the socket's buffer is full, the next part is
 * read only when the client has taken what was written. Every part is read as of the first one's resourceVersion;
 * if the store's history no longer reaches back to it before the client has read everything (the version expired
 * mid-stream), the response is cut off rather than made inconsistent. The page's continue token and
 * remainingItemCount are those of its last part.
 */
async function streamList(call: Call, parts: Parts, first: ListResult<KubeObject>): Promise<void> {
  const out = listWriter(call, first.resourceVersion);
  let part = first;
  out.write(part.items);
  while (parts.more(part)) {
    if (!(await out.drained())) return;
    try {
      part = parts.read(part.continue);
    } catch {
      call.res.destroy();
      return;
    }
    out.write(part.items);
  }
  const metadata: ListMeta = { resourceVersion: first.resourceVersion };
  if (part.continue) metadata.continue = part.continue;
  if (part.remainingItemCount !== undefined) metadata.remainingItemCount = part.remainingItemCount;
  out.end(metadata);
}
