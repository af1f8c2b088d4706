/**
 * Kubernetes strategic merge patch, applied as the API server applies it
 * (k8s.io/apimachinery/pkg/util/strategicpatch/patch.go, StrategicMergeMapPatchUsingLookupPatchMeta):
 * - maps merge recursively; `null` deletes a key; `$patch: replace` replaces a map, `$patch: delete` empties it;
 * - lists whose field is declared `patchStrategy:"merge"` merge by their `patchMergeKey` (containers by name,
 *   ports by containerPort, volumeMounts by mountPath, ...); an item `{name: x, $patch: delete}` deletes item x,
 *   an item `{$patch: replace}` replaces the whole list; lists of scalars with merge strategy are a set union;
 * - every other list is replaced;
 * - `$setElementOrder/<list>` fixes the order of a merged list, `$deleteFromPrimitiveList/<list>` removes scalars,
 *   `$retainKeys` drops every key of the map not listed.
 *
 * The same merge also runs in "parallel list" mode (mergeParallelList false), where directives are kept in the
 * result instead of applied: that is how kubectl combines two patches into one (apply-patch.ts).
 *
 * Beyond Kubernetes: in apply mode, directive keys inside newly added subtrees are dropped rather than stored
 * (Kubernetes drops them later, when it decodes the result into a typed object).
 */
import { clone, deepEqual, isObject, jsonType } from "./json.js";
import { ANY, fieldSchema, mapStrategy } from "./schema.js";
import { bad, dedupe, DIRECTIVE, elementKind, findByKey, hasDirective, isDeleteItem, mergeKeyEqual, noMergeKey, normalizeElementOrder, partition, SliceEdit, } from "./smp-lists.js";
export const RETAIN_KEYS = "$retainKeys";
export const SET_ELEMENT_ORDER = "$setElementOrder";
export const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
export const APPLY_OPTIONS = { mergeParallelList: true, ignoreUnmatchedNulls: true };
export function listMeta(schema, key) {
    const f = fieldSchema(schema, key);
    if (f.kind !== "list")
        return { merge: false, retainKeys: false, items: ANY };
    return { merge: f.merge === true, mergeKey: f.mergeKey, retainKeys: f.retainKeys === true, items: f.items };
}
/** The list key after a directive prefix ("$setElementOrder/containers" → "containers"). */
function extractKey(key, prefix) {
    const slash = key.indexOf("/");
    if (slash < 0 || key.slice(0, slash) !== prefix) {
        throw bad(prefix === SET_ELEMENT_ORDER ? "invalid patch format of setElementOrder list" : "invalid patch format of primitive list");
    }
    return key.slice(slash + 1);
}
function isDirectiveKey(k) {
    return k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}
/**
 * removeDirectives: a map carrying `$patch` disappears (keep = false). In apply mode the parallel-list directive
 * keys are dropped too, so they never reach the store.
 */
export function removeDirectives(v, opts) {
    if (Array.isArray(v)) {
        const out = [];
        for (const x of v) {
            const [r, keep] = removeDirectives(x, opts);
            if (keep)
                out.push(r);
        }
        return [out, true];
    }
    if (!isObject(v))
        return [v, true];
    if (DIRECTIVE in v)
        return [null, false];
    for (const [k, x] of Object.entries(v)) {
        const [r, keep] = removeDirectives(x, opts);
        if (!keep || (opts.mergeParallelList && isDirectiveKey(k)))
            delete v[k];
        else
            v[k] = r;
    }
    return [v, true];
}
function discardNulls(v) {
    if (Array.isArray(v))
        v.forEach(discardNulls);
    else if (isObject(v)) {
        for (const [k, x] of Object.entries(v)) {
            if (x === null)
                delete v[k];
            else
                discardNulls(x);
        }
    }
    return v;
}
/** A value that does not merge with anything: cleaned up and stored as is. */
function setNew(out, k, v, opts) {
    const [r, keep] = removeDirectives(opts.ignoreUnmatchedNulls ? discardNulls(v) : v, opts);
    if (keep)
        out[k] = r;
    else
        delete out[k];
}
function handleMapDirective(patch, opts) {
    const directive = patch[DIRECTIVE];
    if (directive === "replace") {
        delete patch[DIRECTIVE];
        return opts.mergeParallelList ? removeDirectives(patch, opts)[0] : patch;
    }
    if (directive === "delete")
        return {};
    throw bad(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
}
function applyRetainKeys(out, patch, opts) {
    if (!(RETAIN_KEYS in patch))
        return;
    const retain = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!opts.mergeParallelList) {
        if (RETAIN_KEYS in out && !deepEqual(out[RETAIN_KEYS], retain)) {
            throw bad(`${JSON.stringify(out[RETAIN_KEYS])} and ${JSON.stringify(retain)} are not deep equal: this may happen when calculating the 3-way diff patch`);
        }
        out[RETAIN_KEYS] = retain;
        return;
    }
    if (!Array.isArray(retain))
        throw bad("invalid patch format of retainKeys");
    const keep = new Set(retain);
    for (const [k, v] of Object.entries(patch)) {
        if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER))
            continue;
        if (!keep.has(k))
            throw bad("invalid patch format of retainKeys");
    }
    for (const k of Object.keys(out))
        if (!keep.has(k))
            delete out[k];
}
/** The patch list must follow the `$setElementOrder` list (validatePatchWithSetOrderList). */
function checkOrderMatches(patchList, order, mergeKey) {
    if (order.length === 0 || patchList.length === 0)
        return;
    const items = mergeKey ? patchList.filter((v) => !isDeleteItem(v)) : patchList;
    let pi = 0;
    let si = 0;
    while (pi < items.length && si < order.length) {
        if (hasDirective(items[pi])) {
            pi++;
            continue;
        }
        if (mergeKeyEqual(items[pi], order[si], mergeKey))
            pi++;
        si++;
    }
    if (pi < items.length && si >= order.length) {
        throw bad(`The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${JSON.stringify(order)}\n`);
    }
}
function asList(v) {
    if (v === undefined || v === null)
        return undefined;
    if (!Array.isArray(v))
        throw bad(`expected a []interface {}, but received a ${jsonType(v)}`);
    return v;
}
/** Processes every `$setElementOrder/<list>` key: merges that list and puts it in the requested order. */
function applySetElementOrder(out, patch, schema, opts) {
    for (const key of Object.keys(patch)) {
        if (!key.startsWith(SET_ELEMENT_ORDER))
            continue;
        const order = patch[key];
        if (!opts.mergeParallelList) {
            if (key in out && !deepEqual(out[key], order))
                throw bad("invalid patch format of setElementOrder list");
            out[key] = order;
        }
        delete patch[key];
        const orderList = asList(order) ?? [];
        const listKey = extractKey(key, SET_ELEMENT_ORDER);
        const original = asList(out[listKey]);
        const patchList = asList(patch[listKey]);
        const meta = listMeta(schema, listKey);
        checkOrderMatches(patchList ?? [], orderList, meta.mergeKey);
        let merged;
        let serverOrder = original ?? [];
        if (original && !patchList)
            merged = original;
        else if (!original && patchList) {
            const [r, keep] = removeDirectives(patchList, opts);
            if (!keep)
                continue;
            merged = r;
        }
        else if (original && patchList)
            ({ merged, view: serverOrder } = mergeListWithView(original, patchList, meta, false, opts));
        else
            continue;
        const kind = elementKind(meta.mergeKey ? "map" : "scalar", original, patchList);
        const [patchItems, serverOnly] = partition(merged, orderList, meta.mergeKey, kind);
        out[listKey] = normalizeElementOrder(patchItems, serverOnly, orderList, serverOrder, meta.mergeKey, kind);
        delete patch[listKey];
    }
}
/** Lists of maps: `$patch: delete` items delete every match, a `$patch: replace` item replaces the list. */
function applyListDirectives(edit, patch, mergeKey) {
    const rest = [];
    let replace = false;
    for (const v of patch) {
        if (!isObject(v) || !(DIRECTIVE in v)) {
            rest.push(v);
            continue;
        }
        const directive = v[DIRECTIVE];
        if (directive === "delete") {
            if (!(mergeKey in v))
                throw noMergeKey(v, mergeKey);
            for (let i = findByKey(edit.items, mergeKey, v[mergeKey]); i >= 0; i = findByKey(edit.items, mergeKey, v[mergeKey]))
                edit.remove(i);
        }
        else if (directive === "replace")
            replace = true;
        else if (directive === "merge")
            throw bad("merging lists cannot yet be specified in the patch");
        else
            throw bad(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(v)}`);
    }
    return { replace, rest };
}
/** Merges each patch item into the item with the same key, or appends it. */
function mergeMapsByKey(edit, patch, meta, opts) {
    const mergeKey = meta.mergeKey;
    for (const v of patch) {
        const item = v;
        if (!(mergeKey in item))
            throw noMergeKey(item, mergeKey);
        const i = findByKey(edit.items, mergeKey, item[mergeKey]);
        if (i >= 0)
            edit.set(i, mergeObject(edit.items[i], item, meta.items, opts));
        else if (!opts.mergeParallelList)
            edit.push(item);
        else {
            const holder = {};
            setNew(holder, "item", item, opts);
            if ("item" in holder)
                edit.push(holder["item"]);
        }
    }
}
function mergeMapList(original, patch, meta, opts) {
    if (!meta.mergeKey)
        throw bad("cannot merge lists without merge key");
    const edit = new SliceEdit(original);
    const { replace, rest } = applyListDirectives(edit, patch, meta.mergeKey);
    const target = replace ? new SliceEdit(rest) : edit;
    const items = replace ? [] : rest;
    const server = [...target.items];
    mergeMapsByKey(target, items, meta, opts);
    const [patchItems, serverOnly] = partition(target.items, items, meta.mergeKey, "map");
    return { merged: normalizeElementOrder(patchItems, serverOnly, items, server, meta.mergeKey, "map"), view: edit.view };
}
/** mergeSliceHandler + mergeSlice: merge-strategy lists merge, the others are replaced by the patch. */
function mergeListWithView(original, patch, meta, isDeleteList, opts) {
    if (!meta.merge && !isDeleteList) {
        return { merged: opts.mergeParallelList ? removeDirectives(patch, opts)[0] : patch, view: original };
    }
    if (original.length === 0 && patch.length === 0)
        return { merged: original, view: original };
    if (elementKind(meta.mergeKey ? "map" : "scalar", original, patch) === "map")
        return mergeMapList(original, patch, meta, opts);
    if (opts.mergeParallelList && isDeleteList)
        return { merged: original.filter((x) => !patch.some((p) => p === x)), view: original };
    const merged = dedupe([...original, ...patch]);
    const [patchItems, serverOnly] = partition(merged, patch, undefined, "scalar");
    return { merged: normalizeElementOrder(patchItems, serverOnly, patch, original, undefined, "scalar"), view: original };
}
/** Merges a list field: merge-strategy lists by key (or as a set of scalars), the others replaced by the patch. */
export function mergeList(original, patch, meta, isDeleteList, opts) {
    return mergeListWithView(original, patch, meta, isDeleteList, opts).merged;
}
function mergeEntry(out, rawKey, patchV, schema, opts) {
    let k = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        if (!opts.mergeParallelList) {
            out[rawKey] = patchV;
            return;
        }
        k = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
        isDeleteList = true;
    }
    if (patchV === null) {
        delete out[k];
        if (opts.ignoreUnmatchedNulls)
            return;
    }
    if (!(k in out) || jsonType(out[k]) !== jsonType(patchV)) {
        if (!isDeleteList)
            setNew(out, k, patchV, opts);
        return;
    }
    const current = out[k];
    if (Array.isArray(current))
        out[k] = mergeList(current, patchV, listMeta(schema, k), isDeleteList, opts);
    else if (isObject(current)) {
        const sub = fieldSchema(schema, k);
        out[k] = mapStrategy(sub) === "replace" ? patchV : mergeObject(current, patchV, sub, opts);
    }
    else
        setNew(out, k, patchV, opts);
}
/** mergeMap: merges `patch` into `original` (mutated and returned) following `schema`. */
export function mergeObject(original, patch, schema, opts) {
    if (DIRECTIVE in patch)
        return handleMapDirective(patch, opts);
    const out = original ?? {};
    applyRetainKeys(out, patch, opts);
    applySetElementOrder(out, patch, schema, opts);
    // Deletions from primitive lists first, so a patch that both removes and adds to a list is order-independent.
    const keys = Object.keys(patch).sort((a, b) => Number(!a.startsWith(DELETE_FROM_PRIMITIVE_LIST)) - Number(!b.startsWith(DELETE_FROM_PRIMITIVE_LIST)));
    for (const k of keys)
        mergeEntry(out, k, patch[k], schema, opts);
    return out;
}
/** Applies a strategic merge patch to a copy of `original`. */
export function strategicMerge(original, patch, schema) {
    return mergeObject(clone(original), clone(patch), schema, APPLY_OPTIONS);
}
//# sourceMappingURL=smp.js.map