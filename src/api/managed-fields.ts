/**
 * Field ownership (`metadata.managedFields`) as kube-apiserver keeps it (k8s.io/apiserver/pkg/util/managedfields,
 * sigs.k8s.io/structured-merge-diff/v4 merge.Updater): one entry per manager and operation, each with the set of
 * fields it owns (field-set.ts).
 * - An Update (create, PUT, PATCH, a subresource write) gives its manager the fields it added or changed, takes them
 *   from every other manager, and takes removed fields from everyone.
 * - An Apply gives its manager exactly the fields of the applied configuration; a field it would change that
 *   another manager owns is a conflict (409) unless forced, which moves the field; fields the manager applied
 *   before and no longer applies are removed from the object unless another manager owns them.
 * A request owns only what its endpoint writes: the main resource never owns `.status` when a status subresource
 * exists, the status subresource owns only `.status`; apiVersion, kind and the server-set metadata are never owned.
 */
import { ApiError } from "./errors.js";
import { compare, fieldSetOf, FieldSet, mergeApplied, pathString, removePath } from "./field-set.js";
import { clone, isObject, type JsonObject, type JsonValue } from "./json.js";
import { ANY, schemaForKind, type Schema } from "./schema.js";
import type { KubeObject } from "./types.js";

export type ManagedFieldsOperation = "Apply" | "Update";

/** metav1.ManagedFieldsEntry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: JsonObject;
  subresource?: string;
}

/** Who writes, through which endpoint, and when. */
export interface FieldManagerRequest {
  manager: string;
  /** group/version the request was made in ("apps/v1"). */
  apiVersion: string;
  /** "status", "scale" or undefined for the main resource. */
  subresource?: string;
  /** True when the kind has a status subresource (so the main resource does not own .status). */
  hasStatus: boolean;
  /** RFC 3339 time of the request. */
  now: string;
}

interface Manager {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  fields: FieldSet;
}

/** The identity conflicts name and entries are merged by (BuildManagerIdentifier: no time, no apiVersion for Apply). */
function identity(m: Pick<Manager, "manager" | "operation" | "apiVersion" | "subresource">): string {
  return JSON.stringify([m.manager, m.operation, m.operation === "Apply" ? "" : m.apiVersion, m.subresource ?? ""]);
}

/** A manager as conflicts print it (printManager): `"kubectl" with subresource "scale" using apps/v1`. */
export function describeManager(m: Pick<Manager, "manager" | "operation" | "apiVersion" | "subresource">): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s += ` using ${m.apiVersion}`;
  return s;
}

/** Fields no request owns (structured-merge-diff's stripped metadata). */
const NEVER_OWNED: readonly string[][] = [
  ["f:apiVersion"],
  ["f:kind"],
  ...["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"].map((f) => ["f:metadata", `f:${f}`]),
];

/** `set` without what the request's endpoint cannot own. */
function scoped(set: FieldSet, req: FieldManagerRequest): FieldSet {
  const out = set.copy();
  out.member = false;
  for (const p of NEVER_OWNED) drop(out, p);
  const meta = out.children.get("f:metadata");
  if (meta) meta.member = false;
  if (req.subresource === "status") {
    for (const k of [...out.children.keys()]) if (k !== "f:status") out.children.delete(k);
  } else if (req.hasStatus) {
    out.children.delete("f:status");
  }
  return out;
}

function drop(set: FieldSet, path: readonly string[]): void {
  let n: FieldSet | undefined = set;
  for (const k of path.slice(0, -1)) n = n?.children.get(k);
  n?.children.delete(path[path.length - 1]);
}

/**
 * The managers recorded on an object. Entries that cannot be decoded make the whole list start over empty, as
 * upstream resets managedFields it cannot decode.
 */
function decode(entries: unknown): Manager[] {
  if (!Array.isArray(entries)) return [];
  try {
    return entries.map((e, i) => {
      if (!isObject(e)) throw new Error("not an object");
      const { manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource } = e;
      if (typeof manager !== "string" || (operation !== "Apply" && operation !== "Update") || typeof apiVersion !== "string") throw new Error(`entry ${i}`);
      if (fieldsType !== undefined && fieldsType !== "FieldsV1") throw new Error(`entry ${i}: fieldsType`);
      return {
        manager,
        operation,
        apiVersion,
        ...(typeof subresource === "string" && subresource ? { subresource } : {}),
        ...(typeof time === "string" ? { time } : {}),
        fields: fieldsV1 === undefined ? new FieldSet() : FieldSet.fromFieldsV1(fieldsV1),
      };
    });
  } catch {
    return [];
  }
}

/** Entries sorted as upstream sorts them: Apply before Update, then by time, manager, apiVersion, subresource. */
function encode(managers: Manager[]): ManagedFieldsEntry[] {
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return managers
    .filter((m) => !m.fields.empty())
    .sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? "", q.subresource ?? ""))
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: "FieldsV1" as const,
      fieldsV1: m.fields.toFieldsV1(),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

/** Update entries kept per object before the oldest are merged (the apiserver's DefaultMaxUpdateManagers). */
export const MAX_UPDATE_MANAGERS = 10;
/** The manager the oldest Update entries are merged into, one per apiVersion. */
export const ANCIENT_CHANGES = "ancient-changes";

/**
 * capManagersManager: beyond MAX_UPDATE_MANAGERS Update entries, the oldest (by time in seconds, then identity) are
 * merged, per apiVersion, into one `ancient-changes` Update entry (the first of a version becomes the bucket when
 * there is none yet), which takes the time of the last entry merged, until MAX_UPDATE_MANAGERS are left. Apply
 * entries are never merged; empty entries are dropped first, as the updater drops them before the cap.
 */
function capUpdateManagers(managers: Manager[]): Manager[] {
  const live = managers.filter((m) => !m.fields.empty());
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const updaters = live
    .filter((m) => m.operation === "Update")
    .map((m) => ({ m, id: identity(m) }))
    .sort((p, q) => seconds(p.m.time) - seconds(q.m.time) || (p.id < q.id ? -1 : p.id > q.id ? 1 : 0))
    .map(({ m }) => m);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return live;
  const merged = new Set<Manager>();
  const firstOfVersion = new Map<string, Manager>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const m = updaters[i];
    const first = firstOfVersion.get(m.apiVersion);
    if (!first) {
      firstOfVersion.set(m.apiVersion, m);
      continue;
    }
    const bucketId = identity({ manager: ANCIENT_CHANGES, operation: "Update", apiVersion: m.apiVersion });
    let bucket = live.find((x) => !merged.has(x) && identity(x) === bucketId);
    if (!bucket) {
      bucket = first;
      bucket.manager = ANCIENT_CHANGES;
      delete bucket.subresource;
    }
    if (bucket === m) continue;
    bucket.fields = bucket.fields.union(m.fields);
    if (m.time) bucket.time = m.time;
    else delete bucket.time;
    merged.add(m);
    length--;
  }
  return live.filter((m) => !merged.has(m));
}

/**
 * The managers an update starts from (decodeLiveOrNew): the ones the new object carries when it carries any (a
 * client may rewrite them), none when it carries exactly one empty entry (the documented way to clear them),
 * otherwise the live object's.
 */
function startingManagers(live: KubeObject | undefined, next: KubeObject, req: FieldManagerRequest): Manager[] {
  const given = next.metadata.managedFields;
  const liveManagers = () => decode(live?.metadata.managedFields);
  if (req.subresource || !Array.isArray(given) || given.length === 0) return liveManagers();
  if (given.length === 1 && isObject(given[0]) && Object.keys(given[0]).length === 0) return [];
  const decoded = decode(given);
  return decoded.length ? decoded : liveManagers();
}

function own(managers: Manager[], req: FieldManagerRequest, operation: ManagedFieldsOperation): Manager {
  const id = identity({ ...req, operation });
  let m = managers.find((x) => identity(x) === id);
  if (!m) {
    m = { manager: req.manager, operation, apiVersion: req.apiVersion, ...(req.subresource ? { subresource: req.subresource } : {}), fields: new FieldSet() };
    managers.push(m);
  }
  return m;
}

function schemaOf(obj: KubeObject): Schema {
  return schemaForKind(obj.kind) ?? ANY;
}

/**
 * The managedFields of `next` after an Update by `req` from `live` (undefined on create): the manager gains what
 * changed, the others lose it, everyone loses what was removed.
 */
export function managedFieldsAfterUpdate(live: KubeObject | undefined, next: KubeObject, req: FieldManagerRequest): ManagedFieldsEntry[] {
  const managers = startingManagers(live, next, req);
  const schema = schemaOf(next);
  const c = compare(ownable(live, req), ownable(next, req), schema);
  const changed = scoped(c.changed, req);
  const removed = scoped(c.removed, req);
  const lost = changed.union(removed);
  for (const m of managers) m.fields = m.fields.difference(lost);
  if (!changed.empty()) {
    const self = own(managers, req, "Update");
    self.fields = self.fields.union(changed);
    self.time = req.now;
  }
  return encode(capUpdateManagers(managers));
}

function stripManaged(obj: KubeObject | undefined): JsonValue | undefined {
  if (!obj) return undefined;
  const out = clone(obj) as unknown as JsonObject;
  delete (out["metadata"] as JsonObject)["managedFields"];
  return out;
}

/**
 * The part of `obj` whose changes `req` can own (what scoped() keeps of a comparison), to compare instead of the
 * whole object: a status write compares .status alone, a write to the main resource of a kind with a status
 * subresource leaves .status out. Shallow copies: compare() only reads. A status write compared the whole pod
 * before, twice per pod start.
 */
function ownable(obj: KubeObject | undefined, req: FieldManagerRequest): JsonValue | undefined {
  if (!obj) return undefined;
  const value = obj as unknown as JsonObject;
  if (req.subresource === "status") return value["status"] === undefined ? {} : { status: value["status"] };
  const { managedFields: _managed, ...metadata } = obj.metadata;
  const out: JsonObject = { ...value, metadata: metadata as JsonObject };
  if (req.hasStatus) delete out["status"];
  return out;
}

/** One field another manager owns that an apply would change. */
export interface Conflict {
  manager: string;
  path: string[];
}

/** The result of an Apply: the object to admit and store, and its managedFields. */
export interface Applied {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of `config` by `req` onto `live` (undefined on create). Throws the 409 upstream answers when
 * the configuration would change fields other managers own and `force` is false.
 */
export function applyConfiguration(live: KubeObject | undefined, config: KubeObject, req: FieldManagerRequest, force: boolean): Applied {
  if (config.metadata.managedFields !== undefined) throw ApiError.badRequest("metadata.managedFields must be nil");
  const schema = schemaOf(config);
  const managers = decode(live?.metadata.managedFields);
  const liveValue = stripManaged(live);
  const merged = (liveValue === undefined ? clone(config) : mergeApplied(liveValue, config as unknown as JsonValue, schema)) as JsonObject;
  const applied = scoped(fieldSetOf(config as unknown as JsonValue, schema), req);
  const changed = scoped(compare(liveValue, merged, schema).changed, req).intersection(applied);
  const self = own(managers, req, "Apply");
  const conflicts = new Map<Manager, string[][]>();
  for (const m of managers) {
    if (m === self) continue;
    const taken = m.fields.intersection(changed);
    if (taken.empty()) continue;
    conflicts.set(m, taken.paths());
    if (force) m.fields = m.fields.difference(taken);
  }
  if (conflicts.size && !force) throw conflictError(conflicts);
  const previous = self.fields;
  self.fields = applied;
  self.time = req.now;
  prune(merged, previous.difference(applied), managers, schema);
  const object = merged as unknown as KubeObject;
  return { object, managedFields: encode(capUpdateManagers(managers)) };
}

/** Removes from `obj` the fields the applier let go of that no manager (the applier included) still owns. */
function prune(obj: JsonObject, released: FieldSet, managers: Manager[], schema: Schema): void {
  const paths = released.paths().reverse(); // children before their parents
  for (const p of paths) {
    if (managers.some((m) => m.fields.hasWithin(p))) continue;
    removePath(obj, p, schema);
  }
}

/** The 409 of NewApplyConflict, worded as getConflictMessage words it. */
function conflictError(conflicts: Map<Manager, string[][]>): ApiError {
  const byManager = [...conflicts.entries()].sort(([a], [b]) => (identity(a) < identity(b) ? -1 : 1));
  const causes = byManager.flatMap(([m, paths]) => paths.map((p) => ({ reason: "FieldManagerConflict", message: `conflict with ${describeManager(m)}`, field: pathString(p) })));
  let detail: string;
  if (causes.length === 1) {
    detail = `${causes[0].message}: ${causes[0].field}`;
  } else {
    detail = byManager.map(([m, paths]) => [`conflicts with ${describeManager(m)}:`, ...paths.map((p) => `- ${pathString(p)}`)].join("\n")).join("\n");
  }
  const n = causes.length;
  return new ApiError("Conflict", `Apply failed with ${n} conflict${n === 1 ? "" : "s"}: ${detail}`, { causes });
}
