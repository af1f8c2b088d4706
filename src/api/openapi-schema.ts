/**
 * OpenAPI schemas of the served kinds, generated from the one description of their shape (schema.ts, the same
 * source the decoder checks and strategic merge read) with the doc comments of schema-docs.ts: definitions named
 * as upstream's (`io.k8s.api.core.v1.PodSpec`), the kind's own carrying `x-kubernetes-group-version-kind`, lists
 * carrying their patch strategy and merge key. `v3` references `#/components/schemas/...` through `allOf` (3.0
 * ignores siblings of `$ref`, so upstream wraps it to keep the field's description); `v2` uses `$ref` directly.
 * A served kind schema.ts does not describe gets an object of apiVersion, kind and metadata that keeps unknown
 * fields, so it is still found by its GVK.
 */
import type { ResourceInfo } from "./resources.js";
import { COMMON_FIELD_DOCS, FIELD_DOCS, TYPE_DOCS } from "./schema-docs.js";
import { SCHEMAS, type Schema } from "./schema.js";
import { objectMeta } from "./schema-dsl.js";

export type Flavor = "v2" | "v3";
export type JsonSchema = Record<string, unknown>;

const META_PKG = "io.k8s.apimachinery.pkg.apis.meta.v1";
const META_TYPES = new Set(["ObjectMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference"]);
/** Core types that other groups' kinds embed. */
const CORE_TYPES = new Set(["PodTemplateSpec", "ObjectReference"]);
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

/** The Go package upstream names a group/version's definitions by. */
export function packageOf(group: string, version: string): string {
  if (group === "") return `io.k8s.api.core.${version}`;
  if (group === "metrics.k8s.io") return `io.k8s.metrics.pkg.apis.metrics.${version}`;
  return `io.k8s.api.${group.replace(/\.k8s\.io$/, "").replace(/^rbac\.authorization$/, "rbac").split(".")[0]}.${version}`;
}

/** The definition name of a kind. */
export function definitionName(r: Pick<ResourceInfo, "group" | "version" | "kind">): string {
  return `${packageOf(r.group, r.version)}.${r.kind}`;
}

class Generator {
  readonly definitions: Record<string, JsonSchema> = {};

  constructor(private readonly flavor: Flavor) {}

  private ref(name: string, description?: string): JsonSchema {
    if (this.flavor === "v2") return { $ref: `#/definitions/${name}`, ...(description ? { description } : {}) };
    return { allOf: [{ $ref: `#/components/schemas/${name}` }], ...(description ? { description } : {}), default: {} };
  }

  private builtins(): void {
    this.definitions[QUANTITY] ??= {
      description:
        "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.",
      type: "string",
    };
    this.definitions[INT_OR_STRING] ??= {
      description: "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.",
      type: "string",
      format: "int-or-string",
    };
  }

  /** The schema of a field of type `s` found in package `pkg`. */
  field(s: Schema, pkg: string, description?: string): JsonSchema {
    const d = description ? { description } : {};
    switch (s.kind) {
      case "scalar": {
        const t = { string: { type: "string" }, int32: { type: "integer", format: "int32" }, int64: { type: "integer", format: "int64" }, bool: { type: "boolean" }, float64: { type: "number", format: "double" } }[s.type];
        return { ...t, ...d };
      }
      case "quantity":
        this.builtins();
        return this.ref(QUANTITY, description);
      case "intOrString":
        this.builtins();
        return this.ref(INT_OR_STRING, description);
      case "any":
        return { type: "object", "x-kubernetes-preserve-unknown-fields": true, ...d };
      case "map":
        return { type: "object", additionalProperties: this.field(s.values, pkg), ...d };
      case "list": {
        const patch = s.merge ? { "x-kubernetes-patch-strategy": s.retainKeys ? "merge,retainKeys" : "merge", ...(s.mergeKey ? { "x-kubernetes-patch-merge-key": s.mergeKey } : {}) } : {};
        return { type: "array", items: this.field(s.items, pkg), ...d, ...patch };
      }
      case "struct":
        return this.ref(this.struct(s, pkg), description);
    }
  }

  /** Adds the definition of a struct (and what it references); returns its name. */
  struct(s: Extract<Schema, { kind: "struct" }>, pkg: string, gvk?: { group: string; version: string; kind: string }): string {
    const own = META_TYPES.has(s.go) ? META_PKG : CORE_TYPES.has(s.go) ? "io.k8s.api.core.v1" : pkg;
    const name = `${own}.${s.go}`;
    if (this.definitions[name]) return name;
    const def: JsonSchema = { type: "object" };
    if (TYPE_DOCS[s.go]) def.description = TYPE_DOCS[s.go];
    this.definitions[name] = def; // before the fields: a type may reach itself
    const properties: Record<string, JsonSchema> = {};
    for (const [field, fs] of Object.entries(s.fields)) {
      properties[field] = this.field(fs, own, FIELD_DOCS[`${s.go}.${field}`] ?? (gvk ? COMMON_FIELD_DOCS[field] : undefined));
    }
    def.properties = properties;
    if (gvk) def["x-kubernetes-group-version-kind"] = [gvk];
    return name;
  }

  /** Adds a served kind's definition. */
  kind(r: ResourceInfo): string {
    const gvk = { group: r.group, kind: r.kind, version: r.version };
    const pkg = packageOf(r.group, r.version);
    const schema = SCHEMAS[r.kind];
    if (schema?.kind === "struct") return this.struct({ ...schema, go: r.kind }, pkg, gvk);
    const name = `${pkg}.${r.kind}`;
    this.definitions[name] = {
      ...(TYPE_DOCS[r.kind] ? { description: TYPE_DOCS[r.kind] } : {}),
      type: "object",
      properties: {
        apiVersion: this.field({ kind: "scalar", type: "string" }, pkg, COMMON_FIELD_DOCS.apiVersion),
        kind: this.field({ kind: "scalar", type: "string" }, pkg, COMMON_FIELD_DOCS.kind),
        metadata: this.field(objectMeta, pkg, COMMON_FIELD_DOCS.metadata),
      },
      "x-kubernetes-preserve-unknown-fields": true,
      "x-kubernetes-group-version-kind": [gvk],
    };
    return name;
  }
}

/** The definitions of `resources`' kinds and every type they reference. */
export function openapiDefinitions(resources: readonly ResourceInfo[], flavor: Flavor): Record<string, JsonSchema> {
  const g = new Generator(flavor);
  for (const r of resources) g.kind(r);
  return Object.fromEntries(Object.entries(g.definitions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
