/**
 * Patches as the API server applies them (PATCH with these Content-Types):
 * - application/merge-patch+json: RFC 7386 JSON merge patch.
 * - application/json-patch+json: RFC 6902 JSON patch.
 * - application/strategic-merge-patch+json: Kubernetes strategic merge patch for built-in kinds (lists merged by
 *   their patchMergeKey, `$patch`, `$setElementOrder`, `$retainKeys`, `$deleteFromPrimitiveList` directives).
 * Pure functions; they return a new object and throw ApiError BadRequest/Invalid on a malformed patch.
 *
 * CONTRACT placeholder: implemented by the API-types work; the signatures are fixed.
 */
import { ApiError } from "./errors.js";

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  void target;
  void patch;
  throw ApiError.badRequest("merge patch is not implemented yet");
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  void target;
  void patch;
  throw ApiError.badRequest("json patch is not implemented yet");
}

/** `kind` selects the schema (which lists merge by which key). */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  void target;
  void patch;
  void kind;
  throw ApiError.badRequest("strategic merge patch is not implemented yet");
}
