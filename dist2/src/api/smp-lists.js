/**
 * List helpers of the strategic merge patch: finding items by merge key, partitioning, and the ordering rules
 * (normalizeElementOrder and mergeSortedSlice in k8s.io/apimachinery/pkg/util/strategicpatch/patch.go), which
 * decide where new, patched and server-only items end up.
 */
import { ApiError } from "./errors.js";
import { goString, isObject, jsonType } from "./json.js";
export const DIRECTIVE = "$patch";
export function bad(message) {
    return ApiError.badRequest(message);
}
export function noMergeKey(item, mergeKey) {
    return bad(`map: ${goString(item)} does not contain declared merge key: ${mergeKey}`);
}
/** The element kind shared by every item of the lists: all maps, or all scalars of one type. */
export function elementKind(fallback, ...lists) {
    let seen;
    for (const list of lists) {
        for (const v of list ?? []) {
            const t = jsonType(v);
            if (t === "array")
                throw bad("lists of lists are not supported");
            if (seen !== undefined && t !== seen)
                throw bad(`list element types are not identical: ${JSON.stringify(lists)}`);
            seen = t;
        }
    }
    if (seen === undefined)
        return fallback;
    return seen === "object" ? "map" : "scalar";
}
/** Index of the first item whose merge key (or, for scalars, value) equals that of `v`; -1 when absent. */
export function indexOf(list, v, mergeKey, kind) {
    const keyOf = (x) => (kind === "map" ? (isObject(x) ? x[mergeKey ?? ""] : undefined) : x);
    const want = keyOf(v);
    return list.findIndex((x) => keyOf(x) === want);
}
/** Index of the map whose `key` field equals `value` (findMapInSliceBasedOnKeyValue). */
export function findByKey(list, key, value) {
    return list.findIndex((x, i) => {
        if (!isObject(x))
            throw bad(`value for key ${i} is not a map`);
        return x[key] === value;
    });
}
export function isDeleteItem(v) {
    return isObject(v) && v[DIRECTIVE] === "delete";
}
export function hasDirective(v) {
    return isObject(v) && DIRECTIVE in v;
}
function requireMergeKeys(mergeKey, ...lists) {
    for (const list of lists) {
        for (const item of list) {
            if (!isObject(item))
                throw bad(`expected a map, but received ${jsonType(item)}`);
            if (!(mergeKey in item))
                throw noMergeKey(item, mergeKey);
        }
    }
}
/** Sorts `toSort` by each item's position in `order` (stable); `$patch: delete` items go last. */
export function sortByOrder(toSort, order, mergeKey, kind) {
    let items = toSort;
    let deletes = [];
    if (kind === "map") {
        requireMergeKeys(mergeKey ?? "", toSort, [...order]);
        deletes = toSort.filter(isDeleteItem);
        items = toSort.filter((v) => !isDeleteItem(v));
    }
    const pos = (v) => indexOf(order, v, mergeKey, kind);
    const sorted = [...items].sort((a, b) => {
        const pa = pos(a);
        const pb = pos(b);
        return pa >= 0 && pb >= 0 ? pa - pb : 0;
    });
    return [...sorted, ...deletes];
}
/**
 * Interleaves server-only items (left) with patch items (right): a server item goes first only when both appear in
 * the server's order and it came earlier there. Items the server never had therefore come before the server items
 * that follow them, which is why Kubernetes puts a new list item first unless `$setElementOrder` says otherwise.
 */
function mergeSorted(left, right, serverOrder, mergeKey, kind) {
    const out = [];
    let i = 0;
    let j = 0;
    while (i < left.length || j < right.length) {
        if (i >= left.length)
            out.push(right[j++]);
        else if (j >= right.length)
            out.push(left[i++]);
        else {
            const li = indexOf(serverOrder, left[i], mergeKey, kind);
            const ri = indexOf(serverOrder, right[j], mergeKey, kind);
            out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
        }
    }
    return out;
}
/** Orders patch items by the patch's order, server-only items by the server's order, then interleaves them. */
export function normalizeElementOrder(patchItems, serverOnly, patchOrder, serverOrder, mergeKey, kind) {
    const p = sortByOrder(patchItems, patchOrder, mergeKey, kind);
    const s = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
    return mergeSorted(s, p, serverOrder, mergeKey, kind);
}
/** Splits merged items into those named in `by` (by merge key, or by value for scalars) and the rest. */
export function partition(merged, by, mergeKey, kind) {
    const inBy = [];
    const rest = [];
    for (const v of merged) {
        let found;
        if (kind === "map") {
            if (!isObject(v))
                throw bad(`expected a map, but received ${jsonType(v)}`);
            if (!(mergeKey in v))
                throw noMergeKey(v, mergeKey);
            found = findByKey(by, mergeKey, v[mergeKey]) >= 0;
        }
        else
            found = by.some((x) => x === v);
        (found ? inBy : rest).push(v);
    }
    return [inBy, rest];
}
/** Scalars without duplicates, first occurrence kept. */
export function dedupe(list) {
    return list.filter((v, i) => list.findIndex((x) => x === v) === i);
}
/** Go's `%v` ordering of scalars, used to walk two lists in step. */
export function sortScalars(list) {
    return [...list].sort((a, b) => (goString(a) < goString(b) ? -1 : goString(a) > goString(b) ? 1 : 0));
}
/** Maps sorted by the `%v` form of their merge key. */
export function sortMaps(list, mergeKey) {
    const key = (v) => goString(isObject(v) ? v[mergeKey] : undefined);
    return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
/** Merge keys of two maps equal (or the values themselves when there is no merge key). */
export function mergeKeyEqual(left, right, mergeKey) {
    if (!mergeKey)
        return left === right;
    if (!isObject(left) || !isObject(right))
        throw bad(`expected a map, but received ${jsonType(isObject(left) ? right : left)}`);
    if (!(mergeKey in left))
        throw noMergeKey(left, mergeKey);
    if (!(mergeKey in right))
        throw noMergeKey(right, mergeKey);
    return left[mergeKey] === right[mergeKey];
}
/**
 * A list edited the way Go edits a slice in place. Deleting shifts the following items left inside the backing array
 * (the last slot keeps a stale copy) and appending writes into it while there is room. Kubernetes'
 * `$setElementOrder` code later reads the original list through that same backing array, so the order it computes
 * depends on those shifts and appends: `view` reproduces what it reads, `items` is the list itself.
 */
export class SliceEdit {
    items;
    view;
    constructor(original) {
        this.items = [...original];
        this.view = [...original];
    }
    remove(i) {
        const n = this.items.length;
        this.items.splice(i, 1);
        for (let j = i; j < n - 1 && j < this.view.length - 1; j++)
            this.view[j] = this.view[j + 1];
    }
    set(i, v) {
        this.items[i] = v;
        if (i < this.view.length)
            this.view[i] = v;
    }
    push(v) {
        const pos = this.items.length;
        this.items.push(v);
        if (pos < this.view.length)
            this.view[pos] = v;
    }
}
//# sourceMappingURL=smp-lists.js.map