/**
 * Request bodies of writes: JSON (what kubectl mostly sends), YAML, or protobuf for the kinds kubectl's generators
 * send that way (protobuf/), checked to be an object of the route's kind and
 * placed in the route's namespace, as the API server's decoders and `rest.BeforeCreate` do.
 */
import { parse as parseYaml } from "yaml";
import { ApiError } from "../../api/errors.js";
import { nestedDeeperThan } from "../../api/json.js";
import { apiVersionOf } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import { decodeKubernetesProtobuf } from "../protobuf/decode.js";
import { baseMediaType, isObject, parseJson, readBody } from "../http.js";
import type { Call } from "./common.js";

/**
 * How deep a body may nest. The deepest Kubernetes object nests about 20 levels (affinity terms); the code that
 * copies, compares and validates objects recurses, so a body of thousands of levels (a few kilobytes of "[") is
 * refused here, as Go's decoder refuses one over 10,000 ("exceeded max depth"), before anything walks it.
 */
const MAX_DEPTH = 100;

const YAML_TYPES = new Set(["application/yaml", "application/apply-patch+yaml", "text/yaml"]);

/** Reads and decodes the body (JSON, or YAML for YAML content types). Empty bodies decode to undefined. */
export async function decodeBody(call: Call): Promise<unknown> {
  return decodeBytes(await readBody(call.req), call.req.headers["content-type"]);
}

/** decodeBody on bytes already read: JSON, YAML or protobuf by content type, no deeper than MAX_DEPTH. */
export function decodeBytes(buf: Buffer, contentType: string | undefined): unknown {
  const value = parseBytes(buf, contentType);
  if (nestedDeeperThan(value, MAX_DEPTH)) throw ApiError.badRequest(`the request body nests more than ${MAX_DEPTH} levels deep`);
  return value;
}

function parseBytes(buf: Buffer, contentType: string | undefined): unknown {
  if (buf.length === 0) return undefined;
  const type = baseMediaType(contentType);
  if (type === "application/vnd.kubernetes.protobuf") return decodeKubernetesProtobuf(buf);
  if (!YAML_TYPES.has(type)) return parseJson(buf);
  try {
    return parseYaml(buf.toString("utf8")) as unknown;
  } catch (err) {
    throw ApiError.badRequest(`the request body is not valid YAML: ${(err as Error).message}`);
  }
}

/** checkRouteObject, then converted to the stored version when the route's version is another (OTHER_VERSIONS). */
export function asRouteObject(call: Call, body: unknown): KubeObject {
  const obj = checkRouteObject(call, body);
  return call.route.info.view ? call.route.info.view.toStored(obj) : obj;
}

/**
 * Checks that `body` is an object of the route's kind and version (filling kind/apiVersion when absent), that its
 * name and namespace agree with the URL, and files it under the route's namespace.
 */
export function checkRouteObject(call: Call, body: unknown): KubeObject {
  if (!isObject(body)) throw ApiError.badRequest("the request body must be a JSON object");
  const info = call.route.info;
  const obj = body as unknown as KubeObject;
  const want = apiVersionOf(info);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw ApiError.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== info.kind) {
    throw ApiError.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${info.kind})`);
  }
  obj.apiVersion = want;
  obj.kind = info.kind;
  if (!isObject(obj.metadata)) obj.metadata = {};
  const meta = obj.metadata;
  const { name, namespace } = call.route;
  if (name !== undefined && meta.name !== undefined && meta.name !== name) {
    throw ApiError.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  }
  if (name !== undefined) meta.name = name;
  if (info.namespaced) {
    if (meta.namespace && namespace !== undefined && meta.namespace !== namespace) {
      throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    meta.namespace = namespace ?? meta.namespace;
  } else {
    delete meta.namespace;
  }
  return obj;
}
