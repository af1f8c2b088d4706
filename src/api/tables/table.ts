/**
 * Server-side printing: metav1.Table responses, which `kubectl get` asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` and prints column by column. The server always renders the
 * wide columns (priority 1); kubectl shows them only with `-o wide`
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables).
 */
import type { KubeObject } from "../types.js";

export interface TableColumnDefinition {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: "Completed";
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: (string | number | boolean)[];
  conditions?: TableRowCondition[];
  object?: unknown;
}

export interface Table {
  kind: "Table";
  apiVersion: string;
  metadata: { resourceVersion?: string };
  /** Omitted in watch events after the first one, as upstream's watch encoder does (NoHeaders). */
  columnDefinitions?: TableColumnDefinition[];
  rows: TableRow[];
}

/** How one kind prints: its columns and, for one object, the cells (one per column) and row conditions. */
export interface Printer<T extends KubeObject = KubeObject> {
  columns: TableColumnDefinition[];
  cells(obj: T, now: number): (string | number | boolean)[];
  conditions?(obj: T): TableRowCondition[] | undefined;
}

/** A column; `priority` 1 marks the wide-only ones. */
export function column(name: string, description: string, opts: Partial<TableColumnDefinition> = {}): TableColumnDefinition {
  return { name, type: "string", format: "", description, priority: 0, ...opts };
}

export const NAME_COLUMN = column(
  "Name",
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.",
  { format: "name" },
);

export const AGE_COLUMN = column(
  "Age",
  "CreationTimestamp is a timestamp representing the server time when this object was created.",
);

/** What each row carries: the object's metadata only (default), the whole object, or nothing. */
export type IncludeObject = "Metadata" | "Object" | "None";

export interface TableOptions {
  /** "v1" or "v1beta1": the meta.k8s.io version the client asked for. */
  version: string;
  includeObject: IncludeObject;
  resourceVersion?: string;
  noHeaders?: boolean;
  now: number;
}

/** Renders objects as a Table with one row each. */
export function toTable(printer: Printer, objects: KubeObject[], opts: TableOptions): Table {
  const table: Table = {
    kind: "Table",
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {},
    rows: objects.map((o) => rowOf(printer, o, opts)),
  };
  if (!opts.noHeaders) table.columnDefinitions = printer.columns;
  return table;
}

function rowOf(printer: Printer, obj: KubeObject, opts: TableOptions): TableRow {
  const row: TableRow = { cells: printer.cells(obj, opts.now) };
  const conditions = printer.conditions?.(obj);
  if (conditions) row.conditions = conditions;
  if (opts.includeObject === "Object") row.object = obj;
  else if (opts.includeObject === "Metadata") row.object = partialObjectMetadata(obj, opts.version);
  return row;
}

/**
 * The object's metadata with kind/apiVersion, as rows carry by default. kubectl needs `kind` here to decode the row
 * (without it `get` prints `<unknown>`) and reads the namespace, labels and name from it.
 */
export function partialObjectMetadata(obj: KubeObject, version = "v1"): KubeObject {
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata };
}
