/**
 * The little language schema.ts and pod-schema.ts describe the served kinds in: JSON types of fields and the
 * strategic-merge-patch metadata of lists, plus the pieces every kind shares (ObjectMeta, references, selectors).
 */
export const str = { kind: "scalar", type: "string" };
export const i32 = { kind: "scalar", type: "int32" };
export const i64 = { kind: "scalar", type: "int64" };
export const bool = { kind: "scalar", type: "bool" };
export const qty = { kind: "quantity" };
export const ios = { kind: "intOrString" };
export const ANY = { kind: "any" };
export const map = (values, go) => ({ kind: "map", values, ...(go ? { go } : {}) });
export const list = (items, opts = {}) => ({ kind: "list", items, ...opts });
export const byKey = (items, mergeKey, retainKeys = false) => list(items, { merge: true, mergeKey, ...(retainKeys ? { retainKeys } : {}) });
export const struct = (go, fields) => ({ kind: "struct", go, fields });
export const strings = (names) => Object.fromEntries(names.split(" ").map((n) => [n, str]));
/** Fields nodelet neither checks nor patches specially (cloud volume sources, affinity...): anything goes inside. */
export const anyFields = (...names) => Object.fromEntries(names.join(" ").split(" ").map((n) => [n, ANY]));
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
    ownerReferences: byKey(struct("OwnerReference", { ...strings("apiVersion kind name uid"), controller: bool, blockOwnerDeletion: bool }), "uid"),
    finalizers: list(str, { merge: true }),
    managedFields: list(ANY),
});
/** TypeMeta + ObjectMeta + the given top-level fields. */
export function kind(go, fields) {
    return struct(go, { apiVersion: str, kind: str, metadata: objectMeta, ...fields });
}
//# sourceMappingURL=schema-dsl.js.map