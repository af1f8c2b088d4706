/**
 * Patches as the API server applies them (PATCH with these Content-Types):
 * - application/merge-patch+json: RFC 7386 JSON merge patch.
 * - application/json-patch+json: RFC 6902 JSON patch.
 * - application/strategic-merge-patch+json: Kubernetes strategic merge patch for built-in kinds (lists merged by
 *   their patchMergeKey, `$patch`, `$setElementOrder`, `$retainKeys`, `$deleteFromPrimitiveList` directives).
 * Pure functions; they return a new object and throw ApiError BadRequest/Invalid on a malformed patch.
 *
 * Errors: a patch that is not JSON of the right shape is 400 BadRequest; a JSON patch operation that does not apply
 * (missing path, failed `test`) is 422 Invalid; a strategic merge patch that contradicts the schema (a missing
 * merge key, a `$setElementOrder` list that does not match) is 400 BadRequest. Strategic merge patches of kinds
 * nodelet does not know are applied as merge patches.
 */
import { ApiError } from "./errors.js";
import { clone, isObject } from "./json.js";
import { jsonPatch } from "./json-patch.js";
import { schemaForKind } from "./schema.js";
import { strategicMerge } from "./smp.js";
export { createApplyPatch, LAST_APPLIED_ANNOTATION } from "./apply-patch.js";
/** RFC 7386 on plain values: objects merge recursively, null deletes, anything else replaces. */
export function mergePatchValue(target, patch) {
    if (!isObject(patch))
        return clone(patch);
    const out = isObject(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
        if (v === null)
            delete out[k];
        else
            out[k] = mergePatchValue(out[k], v);
    }
    return out;
}
/** application/merge-patch+json: a new object; 400 when the patch is not a JSON object. */
export function applyMergePatch(target, patch) {
    if (!isObject(patch))
        throw ApiError.badRequest("a merge patch must be a JSON object");
    return mergePatchValue(clone(target), patch);
}
/** application/json-patch+json: a new object; 400 for a malformed patch, 422 for an operation that fails. */
export function applyJsonPatch(target, patch) {
    return jsonPatch(target, patch);
}
/** `kind` selects the schema (which lists merge by which key). */
export function applyStrategicMergePatch(target, patch, kind) {
    if (!isObject(patch))
        throw ApiError.badRequest("a strategic merge patch must be a JSON object");
    const schema = schemaForKind(kind);
    if (!schema)
        return applyMergePatch(target, patch);
    const original = isObject(target) ? clone(target) : {};
    return strategicMerge(original, clone(patch), schema);
}
//# sourceMappingURL=patch.js.map