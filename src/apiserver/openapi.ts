/**
 * /openapi/v3 and /openapi/v2, generated from the one schema source (api/openapi-schema.ts over api/schema.ts).
 * v3: a root listing each group/version's document with a hash (kubectl caches by URL), each document holding the
 * paths of its kinds (PATCH with `fieldValidation`, which kubectl's server-side validation check looks for,
 * cli-runtime query_param_verifier_v3.go) and `components.schemas` with every kind's definition tagged with
 * `x-kubernetes-group-version-kind`, which `kubectl explain` and `kubectl apply`'s patch computation look up.
 * v2: one Swagger 2.0 document of all kinds, served as JSON only; a client that accepts nothing but protobuf (as
 * client-go's OpenAPISchema does) gets 406, which it treats as "not served" and falls back from.
 */
import { createHash } from "node:crypto";
import { openapiDefinitions, definitionName, type JsonSchema } from "../api/openapi-schema.js";
import { RESOURCES, type ResourceInfo } from "../api/resources.js";
import { groupVersions } from "./router.js";

const QUERY_PARAMS = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"];

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function parameters(v2: boolean): JsonSchema[] {
  return QUERY_PARAMS.map((name) => {
    const type = name === "force" ? "boolean" : "string";
    return { name, in: "query", uniqueItems: true, ...(v2 ? { type } : { schema: { type } }) };
  });
}

const ACTIONS: Record<string, [method: string, action: string]> = {
  list: ["get", "list"],
  create: ["post", "post"],
  get: ["get", "get"],
  update: ["put", "put"],
  patch: ["patch", "patch"],
  delete: ["delete", "delete"],
};

function operations(r: ResourceInfo, verbs: string[], v2: boolean): Record<string, unknown> {
  const ops: Record<string, unknown> = {};
  const name = definitionName(r);
  const ref = v2 ? { $ref: `#/definitions/${name}` } : { $ref: `#/components/schemas/${name}` };
  for (const verb of verbs) {
    if (!r.verbs.includes(verb)) continue;
    const [method, action] = ACTIONS[verb];
    const ok = verb === "list" ? { description: "OK" } : v2 ? { description: "OK", schema: ref } : { description: "OK", content: { "application/json": { schema: ref } } };
    ops[method] = {
      operationId: `${verb}${r.kind}`,
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind },
      parameters: parameters(v2),
      responses: { "200": ok },
    };
  }
  return ops;
}

function pathsFor(resources: readonly ResourceInfo[], v2: boolean): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const base = `/${gvPath(r.group, r.version)}${r.namespaced ? "/namespaces/{namespace}" : ""}/${r.plural}`;
    paths[base] = operations(r, ["list", "create"], v2);
    paths[`${base}/{name}`] = operations(r, ["get", "update", "patch", "delete"], v2);
  }
  return paths;
}

const INFO = { title: "Kubernetes", version: "v1.32.0-nodelet" };

function v3Document(group: string, version: string): Record<string, unknown> {
  const resources = RESOURCES.filter((x) => x.group === group && x.version === version);
  return { openapi: "3.0.0", info: INFO, paths: pathsFor(resources, false), components: { schemas: openapiDefinitions(resources, "v3") } };
}

interface Documents {
  root: Record<string, unknown>;
  byPath: Map<string, string>;
  v2: string;
}

let cached: Documents | undefined;

/** The documents, serialized once. The hash changes when a document does. */
function documents(): Documents {
  if (cached) return cached;
  const byPath = new Map<string, string>();
  const paths: Record<string, unknown> = {};
  for (const { group, version } of groupVersions()) {
    const body = JSON.stringify(v3Document(group, version));
    const hash = createHash("sha512").update(body).digest("hex").toUpperCase();
    const p = gvPath(group, version);
    byPath.set(p, body);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  const v2 = JSON.stringify({ swagger: "2.0", info: INFO, paths: pathsFor(RESOURCES, true), definitions: openapiDefinitions(RESOURCES, "v2") });
  cached = { root: { paths }, byPath, v2 };
  return cached;
}

/** `/openapi/v3`: where each group/version's document lives. */
export function openapiRoot(): Record<string, unknown> {
  return documents().root;
}

/** `/openapi/v3/<path>` as a JSON string, or undefined for a group/version we do not serve. */
export function openapiDocument(path: string): string | undefined {
  return documents().byPath.get(path);
}

/** `/openapi/v2` as a JSON string. */
export function openapiV2(): string {
  return documents().v2;
}

/** Whether an Accept header takes JSON (absent, `*\/*`, `application/*` or `application/json`, q > 0). */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(",").some((part) => {
    const [type, ...params] = part.trim().split(";").map((s) => s.trim());
    const q = params.find((p) => p.startsWith("q="));
    if (q && Number(q.slice(2)) === 0) return false;
    return type === "*/*" || type === "application/*" || type === "application/json";
  });
}
