/**
 * Sets of field paths over an object, as structured-merge-diff (sigs.k8s.io/structured-merge-diff/v4 fieldpath)
 * keeps them for server-side apply, in the `fieldsV1` shape managedFields store: a tree whose keys are path
 * elements (`f:name` a field, `k:{"name":"c"}` a list item by its keys, `v:"x"` an item of a set, `i:0` an index)
 * and whose `.` marks a node that is itself a member as well as a parent of members.
 *
 * How an object's fields are addressed follows its schema (schema.ts): structs and maps by field; lists with a
 * merge key are associative (items by their keys), merged lists of scalars are sets, any other list is atomic (one
 * leaf), and a LabelSelector is atomic (`+structType=atomic` upstream). The list keys are upstream's
 * `+listMapKey`s, which for ports are the port and its protocol (defaulting to TCP, as the schema defaults it).
 */
import { deepEqual, isObject, type JsonObject, type JsonValue } from "./json.js";
import { ANY, fieldSchema, type Schema } from "./schema.js";

/** A node of a field set: whether the path itself is a member, and the members below it. */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  /** The node at `key` below this one, made when missing. */
  child(key: string): FieldSet {
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new FieldSet()));
    return c;
  }

  /** True when no path is a member. */
  empty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  /** The node at `path`, if there is one. */
  private at(path: readonly string[]): FieldSet | undefined {
    return path.reduce<FieldSet | undefined>((node, k) => node?.children.get(k), this);
  }

  /** True when `path` (a list of element keys) is a member. */
  has(path: readonly string[]): boolean {
    return this.at(path)?.member === true;
  }

  /** True when `path` or anything below it is a member. */
  hasWithin(path: readonly string[]): boolean {
    const n = this.at(path);
    return n !== undefined && !n.empty();
  }

  insert(path: readonly string[]): void {
    path.reduce<FieldSet>((node, k) => node.child(k), this).member = true;
  }

  /** Every member path, parents before children. */
  paths(prefix: string[] = [], out: string[][] = []): string[][] {
    if (this.member) out.push(prefix);
    for (const [k, c] of sortedEntries(this.children)) c.paths([...prefix, k], out);
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const p of other.paths()) out.insert(p);
    return out;
  }

  /** The members of this set that are not members of `other`. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) if (!other.has(p)) out.insert(p);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) if (other.has(p)) out.insert(p);
    return out;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) out.children.set(k, c.copy());
    return out;
  }

  /** The fieldsV1 JSON of this set (children sorted as upstream serializes them: fields, then keys, values, indexes). */
  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size > 0) out["."] = {};
    for (const [k, c] of sortedEntries(this.children)) if (!c.empty()) out[k] = c.toFieldsV1();
    return out;
  }

  /** Parses fieldsV1 JSON; throws on anything that is not a tree of objects with path-element keys. */
  static fromFieldsV1(v: unknown, where = "fieldsV1"): FieldSet {
    if (!isObject(v)) throw new Error(`${where}: expected an object`);
    const out = new FieldSet();
    const keys = Object.keys(v);
    out.member = keys.length === 0 || "." in v;
    for (const k of keys) {
      if (k === ".") continue;
      if (!/^[fkvi]:/.test(k)) throw new Error(`${where}: unexpected path element ${JSON.stringify(k)}`);
      out.children.set(k, FieldSet.fromFieldsV1(v[k], `${where}.${k}`));
    }
    return out;
  }
}

const ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };
function sortedEntries(m: Map<string, FieldSet>): [string, FieldSet][] {
  return [...m.entries()].sort(([a], [b]) => ORDER[a[0]] - ORDER[b[0]] || (a.slice(2) < b.slice(2) ? -1 : a.slice(2) > b.slice(2) ? 1 : 0));
}

/** The list-map keys of associative lists whose keys are more than their strategic-merge key (`+listMapKey`). */
const LIST_MAP_KEYS: Readonly<Record<string, { keys: string[]; defaults: Record<string, JsonValue> }>> = {
  ContainerPort: { keys: ["containerPort", "protocol"], defaults: { protocol: "TCP" } },
  ServicePort: { keys: ["port", "protocol"], defaults: { protocol: "TCP" } },
};
/** Structs upstream marks `+structType=atomic`: owned and replaced whole. */
const ATOMIC_STRUCTS = new Set(["LabelSelector"]);

export type ListShape = { kind: "associative"; keys: string[]; defaults: Record<string, JsonValue> } | { kind: "set" } | { kind: "atomic" };

/** How the items of a list field with schema `s` are addressed. */
export function listShape(s: Schema): ListShape {
  if (s.kind !== "list" || !s.merge) return { kind: "atomic" };
  if (!s.mergeKey) return { kind: "set" };
  const go = s.items.kind === "struct" ? s.items.go : "";
  return { kind: "associative", ...(LIST_MAP_KEYS[go] ?? { keys: [s.mergeKey], defaults: {} }) };
}

/** True when a value of schema `s` is one leaf: a scalar, an atomic list or struct, or a non-object. */
export function isAtomic(s: Schema, v: JsonValue): boolean {
  if (Array.isArray(v)) return listShape(s).kind === "atomic";
  if (!isObject(v)) return true;
  if (s.kind === "struct") return ATOMIC_STRUCTS.has(s.go);
  return s.kind === "scalar" || s.kind === "quantity" || s.kind === "intOrString" || s.kind === "list";
}

/** The path element of an item of an associative list, or undefined when it lacks a key. */
export function itemKey(shape: Extract<ListShape, { kind: "associative" }>, item: JsonValue): string | undefined {
  if (!isObject(item)) return undefined;
  const key: JsonObject = {};
  for (const k of [...shape.keys].sort()) {
    const v = item[k] ?? shape.defaults[k];
    if (v === undefined || v === null) return undefined;
    key[k] = v;
  }
  return `k:${JSON.stringify(key)}`;
}

/** The path element of an item of a list of the given shape; index elements for items without keys. */
export function itemElement(shape: ListShape, item: JsonValue, index: number): string {
  if (shape.kind === "associative") return itemKey(shape, item) ?? `i:${index}`;
  if (shape.kind === "set") return `v:${JSON.stringify(item)}`;
  return `i:${index}`;
}

/**
 * The set of fields `value` sets (TypedValue.ToFieldSet): every leaf, and every item of an associative list or set
 * (the item itself and its fields); a map or struct is a member only when it is empty. With `maps`, every map is a
 * member too, as a comparison counts a map that was nil before (structs are not: Go's zero value already has them).
 */
export function fieldSetOf(value: JsonValue, schema: Schema, prefix: string[] = [], out = new FieldSet(), maps = false): FieldSet {
  if (isAtomic(schema, value) || (isObject(value) && Object.keys(value).length === 0)) {
    out.insert(prefix);
    return out;
  }
  if (maps && !Array.isArray(value) && schema.kind !== "struct") out.insert(prefix);
  if (Array.isArray(value)) {
    const shape = listShape(schema);
    const items = schema.kind === "list" ? schema.items : ANY;
    value.forEach((item, i) => {
      const path = [...prefix, itemElement(shape, item, i)];
      out.insert(path);
      if (shape.kind === "associative") fieldSetOf(item, items, path, out, maps);
    });
    return out;
  }
  for (const [k, v] of Object.entries(value as JsonObject)) fieldSetOf(v, fieldSchema(schema, k), [...prefix, `f:${k}`], out, maps);
  return out;
}

/** What changed from one object to another: paths added or modified, and paths removed (with what was below them). */
export interface Comparison {
  changed: FieldSet;
  removed: FieldSet;
}

/** Compares `from` and `to` (TypedValue.Compare): an added or removed subtree counts its root and everything in it. */
export function compare(from: JsonValue | undefined, to: JsonValue | undefined, schema: Schema, prefix: string[] = [], c: Comparison = { changed: new FieldSet(), removed: new FieldSet() }): Comparison {
  if (from === to) return c;
  if (from === undefined) return addSubtree(c.changed, to!, schema, prefix), c;
  if (to === undefined) return addSubtree(c.removed, from, schema, prefix), c;
  const granular = !isAtomic(schema, from) && !isAtomic(schema, to) && Array.isArray(from) === Array.isArray(to);
  if (!granular) {
    if (!deepEqual(from, to)) addSubtree(c.changed, to, schema, prefix);
    return c;
  }
  const a = children(from, schema);
  const b = children(to, schema);
  for (const [k, [v, s]] of b) compare(a.get(k)?.[0], v, s, [...prefix, k], c);
  for (const [k, [v, s]] of a) if (!b.has(k)) compare(v, undefined, s, [...prefix, k], c);
  return c;
}

function addSubtree(set: FieldSet, v: JsonValue, schema: Schema, prefix: string[]): void {
  if (prefix.length > 0 && !prefix[prefix.length - 1].startsWith("f:")) set.insert(prefix); // a list item itself
  fieldSetOf(v, schema, prefix, set, true);
}

/** The children of a granular value by path element, each with its schema. */
export function children(v: JsonValue, schema: Schema): Map<string, [JsonValue, Schema]> {
  const out = new Map<string, [JsonValue, Schema]>();
  if (Array.isArray(v)) {
    const shape = listShape(schema);
    const items = schema.kind === "list" ? schema.items : ANY;
    v.forEach((item, i) => out.set(itemElement(shape, item, i), [item, items]));
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) out.set(`f:${k}`, [x, fieldSchema(schema, k)]);
  }
  return out;
}

/**
 * Merges an applied configuration into a live value (structured-merge-diff's merge): maps and structs field by
 * field, associative lists and sets item by item (live order, new items appended in the configuration's order),
 * anything atomic replaced by the configuration's value. A null in the configuration removes the field.
 */
export function mergeApplied(live: JsonValue | undefined, config: JsonValue, schema: Schema): JsonValue {
  if (live === undefined || live === null || isAtomic(schema, live) || isAtomic(schema, config) || Array.isArray(live) !== Array.isArray(config)) return config;
  if (Array.isArray(config)) {
    const shape = listShape(schema);
    const items = schema.kind === "list" ? schema.items : ANY;
    const liveItems = live as JsonValue[];
    const byElement = new Map(config.map((item, i) => [itemElement(shape, item, i), item]));
    const seen = new Set<string>();
    const out = liveItems.map((item, i) => {
      const el = itemElement(shape, item, i);
      seen.add(el);
      const c = byElement.get(el);
      return c === undefined ? item : mergeApplied(item, c, items);
    });
    for (const [el, item] of byElement) if (!seen.has(el)) out.push(item);
    return out;
  }
  const out: JsonObject = { ...(live as JsonObject) };
  for (const [k, v] of Object.entries(config as JsonObject)) {
    if (v === null) delete out[k];
    else out[k] = mergeApplied(out[k], v, fieldSchema(schema, k));
  }
  return out;
}

/**
 * Removes the value at `path` from `v` (in place); a path that is not there is ignored, and so is a key field of a
 * list item. A map or struct the removal empties goes too, as Go's `omitempty` drops it when written back.
 */
export function removePath(v: JsonValue, path: readonly string[], schema: Schema, itemKeys: readonly string[] = []): void {
  if (path.length === 0) return;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const shape = listShape(schema);
    const items = schema.kind === "list" ? schema.items : ANY;
    const i = v.findIndex((item, idx) => itemElement(shape, item, idx) === head);
    if (i < 0) return;
    if (rest.length === 0) v.splice(i, 1);
    else removePath(v[i], rest, items, shape.kind === "associative" ? shape.keys : []);
  } else if (isObject(v) && head.startsWith("f:")) {
    const k = head.slice(2);
    // The keys of a list item that stays identify it: they go only with the item.
    if (!(k in v) || (rest.length === 0 && itemKeys.includes(k))) return;
    if (rest.length > 0) removePath(v[k], rest, fieldSchema(schema, k));
    const child = v[k];
    if (rest.length === 0 || (isObject(child) && Object.keys(child).length === 0)) delete v[k];
  }
}

/** A path as structured-merge-diff prints it in conflicts: `.spec.containers[name="c"].image`, `.finalizers[="x"]`. */
export function pathString(path: readonly string[]): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      if (el.startsWith("f:")) return `.${body}`;
      if (el.startsWith("i:")) return `[${body}]`;
      if (el.startsWith("v:")) return `[=${body}]`;
      const key = JSON.parse(body) as JsonObject;
      return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}]`;
    })
    .join("");
}
