/**
 * Client-side `kubectl apply`: the three-way strategic merge patch kubectl computes from the last-applied
 * configuration (stored in an annotation), the new configuration and the live object
 * (CreateThreeWayMergePatch in k8s.io/apimachinery/pkg/util/strategicpatch/patch.go, with overwrite):
 * - changes and additions: the diff from the live object to the new configuration, never deleting anything the
 *   user did not write (defaults and server-set fields survive);
 * - deletions: fields present in the last-applied configuration and gone from the new one become null /
 *   `$patch: delete` / `$deleteFromPrimitiveList`;
 * - the last-applied annotation itself is updated to the new configuration.
 * The patch is sent with Content-Type application/strategic-merge-patch+json (for kinds without a schema, a
 * three-way JSON merge patch, sent as application/merge-patch+json).
 */
import { clone, deepEqual, goJsonStringify, goString, isObject, jsonType } from "./json.js";
import { fieldSchema, mapStrategy, schemaForKind } from "./schema.js";
import { bad, dedupe, elementKind, mergeKeyEqual, noMergeKey, sortByOrder, sortMaps, sortScalars } from "./smp-lists.js";
import { DELETE_FROM_PRIMITIVE_LIST, listMeta, mergeObject, RETAIN_KEYS, SET_ELEMENT_ORDER } from "./smp.js";
/** The annotation client-side apply keeps the applied configuration in. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
function diffScalars(original, modified, o) {
    const os = sortScalars(original);
    const ms = sortScalars(modified);
    const add = [];
    const del = [];
    let i = 0;
    let j = 0;
    while (i < os.length || j < ms.length) {
        const a = i < os.length ? goString(os[i]) : undefined;
        const b = j < ms.length ? goString(ms[j]) : undefined;
        if (a !== undefined && a === b) {
            i++;
            j++;
        }
        else if (a === undefined || (b !== undefined && a > b)) {
            if (!o.ignoreChangesAndAdditions)
                add.push(ms[j]);
            j++;
        }
        else {
            if (!o.ignoreDeletions)
                del.push(os[i]);
            i++;
        }
    }
    return [add, dedupe(del)];
}
function diffMapLists(original, modified, meta, o) {
    const key = meta.mergeKey;
    if (!key)
        throw bad("cannot diff lists of maps without a merge key");
    const os = sortMaps(original, key);
    const ms = sortMaps(modified, key);
    for (const m of [...os, ...ms])
        if (!(key in m))
            throw noMergeKey(m, key);
    const patch = [];
    const del = [];
    let i = 0;
    let j = 0;
    while (i < os.length || j < ms.length) {
        const a = i < os.length ? goString(os[i][key]) : undefined;
        const b = j < ms.length ? goString(ms[j][key]) : undefined;
        if (a !== undefined && a === b) {
            const d = diffMaps(os[i], ms[j], meta.items, { ...o, buildRetainKeys: meta.retainKeys });
            if (Object.keys(d).length > 0)
                patch.push({ ...d, [key]: ms[j][key] });
            i++;
            j++;
        }
        else if (a === undefined || (b !== undefined && a > b)) {
            if (!o.ignoreChangesAndAdditions)
                patch.push(ms[j]);
            j++;
        }
        else {
            if (!o.ignoreDeletions)
                del.push({ [key]: os[i][key], $patch: "delete" });
            i++;
        }
    }
    return [patch, del];
}
/** The additions, deletions and `$setElementOrder` list of a merge-strategy list. */
function diffLists(original, modified, meta, o) {
    if (original.length === 0)
        return modified.length === 0 || o.ignoreChangesAndAdditions ? [[], [], []] : [modified, [], []];
    const kind = elementKind(meta.mergeKey ? "map" : "scalar", original, modified);
    if (kind === "map") {
        const [changes, deletes] = diffMapLists(original, modified, meta, o);
        const patchList = [...sortByOrder(changes, modified, meta.mergeKey, kind), ...deletes];
        const orderSame = original.length === modified.length && modified.every((m, i) => mergeKeyEqual(original[i], m, meta.mergeKey));
        const wantOrder = (!o.ignoreChangesAndAdditions && (patchList.length > 0 || !orderSame)) || (!o.ignoreDeletions && patchList.length > 0);
        const order = o.setElementOrder && wantOrder ? modified.map((m) => ({ [meta.mergeKey]: m[meta.mergeKey] })) : [];
        return [patchList, [], order];
    }
    const [adds, deletes] = diffScalars(original, modified, o);
    const wantOrder = (!o.ignoreDeletions && deletes.length > 0) || (!o.ignoreChangesAndAdditions && !deepEqual(original, modified));
    return [sortByOrder(adds, modified, undefined, kind), deletes, o.setElementOrder && wantOrder ? modified : []];
}
function diffEntry(key, ov, mv, patch, schema, o) {
    if (key === "$patch") {
        if (typeof ov !== "string" || typeof mv !== "string")
            throw bad("invalid value for special key: $patch");
        if (ov !== mv)
            patch[key] = mv;
    }
    else if (jsonType(ov) !== jsonType(mv)) {
        if (!o.ignoreChangesAndAdditions)
            patch[key] = mv;
    }
    else if (isObject(ov)) {
        const sub = fieldSchema(schema, key);
        const strategy = mapStrategy(sub);
        if (strategy === "replace") {
            // Kubernetes sends a replace-strategy map whole, changed or not.
            if (!o.ignoreChangesAndAdditions)
                patch[key] = mv;
            return;
        }
        const d = diffMaps(ov, mv, sub, { ...o, buildRetainKeys: strategy === "retainKeys" });
        if (Object.keys(d).length > 0)
            patch[key] = d;
    }
    else if (Array.isArray(ov)) {
        const meta = listMeta(schema, key);
        if (!meta.merge) {
            if (!o.ignoreChangesAndAdditions && !deepEqual(ov, mv))
                patch[key] = mv;
            return;
        }
        const [adds, deletes, order] = diffLists(ov, mv, meta, o);
        if (adds.length)
            patch[key] = adds;
        if (deletes.length)
            patch[`${DELETE_FROM_PRIMITIVE_LIST}/${key}`] = deletes;
        if (order.length)
            patch[`${SET_ELEMENT_ORDER}/${key}`] = order;
    }
    else if (!o.ignoreChangesAndAdditions && ov !== mv) {
        patch[key] = mv;
    }
}
/** The strategic merge patch turning `original` into `modified`, within the limits of the options. */
export function diffMaps(original, modified, schema, o) {
    const patch = {};
    const retain = [];
    for (const [key, mv] of Object.entries(modified)) {
        if (o.buildRetainKeys && mv !== null)
            retain.push(key);
        if (!(key in original)) {
            if (!o.ignoreChangesAndAdditions)
                patch[key] = mv;
            continue;
        }
        diffEntry(key, original[key], mv, patch, schema, o);
    }
    if (!o.ignoreDeletions)
        for (const key of Object.keys(original))
            if (!(key in modified))
                patch[key] = null;
    const removedField = Object.entries(original).some(([k, v]) => v !== null && !(k in modified));
    if (retain.length > 0 && (Object.keys(patch).length > 0 || removedField))
        patch[RETAIN_KEYS] = sortScalars(retain);
    return patch;
}
/** JSON merge patch from `from` to `to`: changed values, and null for keys that are gone (when allowed). */
function mergeDiff(from, to, deletions, additions) {
    const patch = {};
    for (const [k, v] of Object.entries(to)) {
        const f = from[k];
        if (isObject(f) && isObject(v)) {
            const d = mergeDiff(f, v, deletions, additions);
            if (Object.keys(d).length)
                patch[k] = d;
        }
        else if (additions && (f === undefined || !deepEqual(f, v)))
            patch[k] = v;
    }
    if (deletions)
        for (const k of Object.keys(from))
            if (!(k in to))
                patch[k] = null;
    return patch;
}
/** `modified` with the last-applied annotation set to its own serialization, as kubectl stores it. */
export function withLastApplied(modified) {
    const out = clone(modified);
    const meta = isObject(out["metadata"]) ? out["metadata"] : (out["metadata"] = {});
    const annotations = isObject(meta["annotations"]) ? meta["annotations"] : {};
    delete annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(annotations).length)
        meta["annotations"] = annotations;
    else
        delete meta["annotations"];
    const serialized = `${goJsonStringify(out)}\n`;
    meta["annotations"] = { ...annotations, [LAST_APPLIED_ANNOTATION]: serialized };
    return out;
}
/**
 * The patch `kubectl apply` sends when the object exists: `lastApplied` is the parsed last-applied annotation of
 * `current` (undefined when there is none), `modified` the configuration being applied (as read from the file, with
 * its namespace set). The result carries the updated last-applied annotation.
 */
export function createApplyPatch(lastApplied, modified, current, kind) {
    if (!isObject(modified))
        throw bad("the applied configuration must be a JSON object");
    const mod = withLastApplied(modified);
    const orig = isObject(lastApplied) ? lastApplied : {};
    const cur = isObject(current) ? current : {};
    const schema = schemaForKind(kind);
    if (!schema) {
        const deletions = mergeDiff(orig, mod, true, false);
        const changes = mergeDiff(cur, mod, false, true);
        return mergeObject(deletions, changes, { kind: "any" }, { mergeParallelList: true, ignoreUnmatchedNulls: false });
    }
    return threeWayMergePatch(orig, mod, cur, schema);
}
/**
 * CreateThreeWayMergePatch (with overwrite): the changes from `current` to `modified` that do not delete anything,
 * combined with the deletions from `original` (last applied) to `modified`.
 */
export function threeWayMergePatch(original, modified, current, schema) {
    const delta = diffMaps(current, modified, schema, { ignoreDeletions: true, setElementOrder: true });
    const deletions = diffMaps(original, modified, schema, { setElementOrder: true, ignoreChangesAndAdditions: true });
    return mergeObject(deletions, delta, schema, { mergeParallelList: false, ignoreUnmatchedNulls: false });
}
/** CreateTwoWayMergePatch: the strategic merge patch turning `original` into `modified`. */
export function twoWayMergePatch(original, modified, schema) {
    return diffMaps(original, modified, schema, { setElementOrder: true });
}
//# sourceMappingURL=apply-patch.js.map