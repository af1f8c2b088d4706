/**
 * The little language schema.ts and pod-schema.ts describe the served kinds in: JSON types of fields and the
 * strategic-merge-patch metadata of lists, plus the pieces every kind shares (ObjectMeta, references, selectors).
 */

export type ScalarType = "string" | "int32" | "int64" | "bool" | "float64";

export type Schema =
  | { kind: "scalar"; type: ScalarType }
  | { kind: "quantity" }
  | { kind: "intOrString" }
  | { kind: "any" }
  | { kind: "map"; values: Schema; go?: string; strategy?: MapStrategy }
  | { kind: "list"; items: Schema; merge?: boolean; mergeKey?: string; retainKeys?: boolean }
  | { kind: "struct"; go: string; fields: Readonly<Record<string, Schema>>; strategy?: MapStrategy };

/** patchStrategy of a map or struct field: "replace" swaps it whole, "retainKeys" makes diffs list the kept keys. */
export type MapStrategy = "replace" | "retainKeys";

export interface ListOptions {
  /** patchStrategy "merge": lists of maps merge by mergeKey, lists of scalars are a set union. */
  merge?: boolean;
  mergeKey?: string;
  retainKeys?: boolean;
}

export const str: Schema = { kind: "scalar", type: "string" };
export const i32: Schema = { kind: "scalar", type: "int32" };
export const i64: Schema = { kind: "scalar", type: "int64" };
export const bool: Schema = { kind: "scalar", type: "bool" };
export const qty: Schema = { kind: "quantity" };
export const ios: Schema = { kind: "intOrString" };
export const ANY: Schema = { kind: "any" };
export const map = (values: Schema, go?: string): Schema => ({ kind: "map", values, ...(go ? { go } : {}) });
export const list = (items: Schema, opts: ListOptions = {}): Schema => ({ kind: "list", items, ...opts });
export const byKey = (items: Schema, mergeKey: string, retainKeys = false): Schema =>
  list(items, { merge: true, mergeKey, ...(retainKeys ? { retainKeys } : {}) });
export const struct = (go: string, fields: Record<string, Schema>): Schema => ({ kind: "struct", go, fields });
export const strings = (names: string): Record<string, Schema> => Object.fromEntries(names.split(" ").map((n) => [n, str]));
/** Fields nodelet neither checks nor patches specially (cloud volume sources, affinity...): anything goes inside. */
export const anyFields = (...names: string[]): Record<string, Schema> =>
  Object.fromEntries(names.join(" ").split(" ").map((n) => [n, ANY]));

export const resourceList = map(qty, "v1.ResourceList");
export const labelSelector = struct("LabelSelector", {
  matchLabels: map(str),
  matchExpressions: list(struct("LabelSelectorRequirement", { ...strings("key operator"), values: list(str) })),
});
export const objectReference = struct("ObjectReference", strings("kind namespace name uid apiVersion resourceVersion fieldPath"));

export const objectMeta = struct("ObjectMeta", {
  ...strings("name generateName namespace uid resourceVersion creationTimestamp deletionTimestamp selfLink"),
  generation: i64,
  deletionGracePeriodSeconds: i64,
  labels: map(str),
  annotations: map(str),
  ownerReferences: byKey(
    struct("OwnerReference", { ...strings("apiVersion kind name uid"), controller: bool, blockOwnerDeletion: bool }),
    "uid",
  ),
  finalizers: list(str, { merge: true }),
  managedFields: list(ANY),
});

/** TypeMeta + ObjectMeta + the given top-level fields. */
export function kind(go: string, fields: Record<string, Schema>): Schema {
  return struct(go, { apiVersion: str, kind: str, metadata: objectMeta, ...fields });
}
