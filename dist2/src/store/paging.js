/**
 * Paged lists as the API server serves them (`limit` and `continue`,
 * https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks): a page is
 * read in key order (namespace, then name) starting after the last key of the previous page, and every page of one
 * list shows the store as of the resourceVersion of its first page. The store holds only current rows, so a later
 * page is the current rows with every key changed since that version put back as it was then (the watch history
 * knows the old states). Once the history no longer reaches back, the token is Expired (410), as a token whose
 * revision etcd has compacted is, and the error carries a token that continues from the current state instead.
 *
 * The token has upstream's shape (storage.EncodeContinue): base64url (no padding) of
 * `{"v":"meta.k8s.io/v1","rv":N,"start":"KEY\u0000"}`; rv -1 asks for the remainder as the store is now.
 */
import { ApiError } from "../api/errors.js";
const TOKEN_VERSION = "meta.k8s.io/v1";
/** The storage key of an object as the token names it: NAMESPACE/NAME, or NAME for cluster-scoped objects. */
function keyText(k) {
    return k.namespace ? `${k.namespace}/${k.name}` : k.name;
}
export function encodeContinue(t) {
    const body = JSON.stringify({ v: TOKEN_VERSION, rv: t.rv, start: `${keyText(t.after)}\u0000` });
    return Buffer.from(body, "utf8").toString("base64url");
}
/** Parses a continue token; a malformed one is a 400 `invalid continue token: continue key is not valid: ...`. */
export function decodeContinue(token) {
    const bad = (why) => ApiError.badRequest(`invalid continue token: continue key is not valid: ${why}`);
    if (!/^[A-Za-z0-9_-]+$/.test(token))
        throw bad("illegal base64 data");
    let parsed;
    try {
        parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    }
    catch {
        throw bad("the token is not JSON");
    }
    const c = parsed;
    if (typeof c !== "object" || c === null)
        throw bad("the token is not an object");
    if (c.v !== TOKEN_VERSION)
        throw bad(`server does not recognize this encoded version "${String(c.v)}"`);
    if (typeof c.rv !== "number" || !Number.isSafeInteger(c.rv) || c.rv === 0 || c.rv < -1) {
        throw bad(`incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
    }
    if (typeof c.start !== "string" || c.start === "" || c.start === "\u0000")
        throw bad("encoded start key empty");
    const start = c.start.endsWith("\u0000") ? c.start.slice(0, -1) : c.start;
    const slash = start.indexOf("/");
    const after = slash < 0 ? { namespace: "", name: start } : { namespace: start.slice(0, slash), name: start.slice(slash + 1) };
    if (after.name === "" || after.name.includes("/") || after.name === "." || after.name === "..")
        throw bad("invalid start key");
    return { rv: c.rv, after };
}
/** The 410 for a token older than the history: upstream's message, with a token for the current state's remainder. */
export function continueExpired(after) {
    const err = new ApiError("Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
    err.listContinue = encodeContinue({ rv: -1, after });
    return err;
}
export function compareKeys(a, b) {
    if (a.namespace !== b.namespace)
        return a.namespace < b.namespace ? -1 : 1;
    return a.name === b.name ? 0 : a.name < b.name ? -1 : 1;
}
/**
 * Merges two key-ordered streams of candidates: the current rows whose key has not changed since the list's version
 * (`current`, with changed keys already skipped) and the changed keys as they were then (`prior`, some absent).
 */
export function* mergeByKey(current, prior) {
    let i = 0;
    for (const c of current) {
        while (i < prior.length && compareKeys(prior[i], c) < 0)
            yield prior[i++];
        yield c;
    }
    while (i < prior.length)
        yield prior[i++];
}
/**
 * Takes up to `limit` objects that pass `filter` from ordered candidates (limit 0: all of them). The page has a
 * continuation when it filled and another candidate follows, as etcd's `more` flag; that candidate may not match,
 * so a selector can leave the last page empty, as upstream's can.
 */
export function takePage(candidates, limit, filter) {
    const items = [];
    let last;
    for (const c of candidates) {
        if (limit > 0 && items.length === limit)
            return { items, continueAfter: last };
        const obj = c.load();
        last = { namespace: c.namespace, name: c.name };
        if (obj && filter(obj))
            items.push(obj);
    }
    return { items };
}
//# sourceMappingURL=paging.js.map