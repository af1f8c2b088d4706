/** A column; `priority` 1 marks the wide-only ones. */
export function column(name, description, opts = {}) {
    return { name, type: "string", format: "", description, priority: 0, ...opts };
}
export const NAME_COLUMN = column("Name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.", { format: "name" });
export const AGE_COLUMN = column("Age", "CreationTimestamp is a timestamp representing the server time when this object was created.");
/** Renders objects as a Table with one row each. */
export function toTable(printer, objects, opts) {
    const table = {
        kind: "Table",
        apiVersion: `meta.k8s.io/${opts.version}`,
        metadata: opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {},
        rows: objects.map((o) => rowOf(printer, o, opts)),
    };
    if (!opts.noHeaders)
        table.columnDefinitions = printer.columns;
    return table;
}
function rowOf(printer, obj, opts) {
    const row = { cells: printer.cells(obj, opts.now) };
    const conditions = printer.conditions?.(obj);
    if (conditions)
        row.conditions = conditions;
    if (opts.includeObject === "Object")
        row.object = obj;
    else if (opts.includeObject === "Metadata")
        row.object = partialObjectMetadata(obj, opts.version);
    return row;
}
/**
 * The object's metadata with kind/apiVersion, as rows carry by default. kubectl needs `kind` here to decode the row
 * (without it `get` prints `<unknown>`) and reads the namespace, labels and name from it.
 */
export function partialObjectMetadata(obj, version = "v1") {
    const { managedFields: _drop, ...metadata } = obj.metadata;
    return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata };
}
//# sourceMappingURL=table.js.map