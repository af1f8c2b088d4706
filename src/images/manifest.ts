/**
 * The one parser of what a registry or an archive says about an image — used by the registry client, the puller (pull
 * and import), push and inspect: manifests and indexes of both families (OCI image-spec and Docker schema 2) and image
 * configs, parsed from untrusted bytes into plain data with every field checked: media types, digests
 * (grammar-validated, they become paths), sizes (non-negative safe integers), platforms, counts bounded. Schema 1 and
 * anything else is refused by name. Which index entry this node runs is platform.ts'.
 */
import type { ImageConfig } from "../api/image.js";
import { validateDigest } from "./reference.js";
import { parseDigest } from "./store/layer-path.js";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

/** All four, in the order sent: distribution 2.8 answers 404 for a type the Accept header lacks (images.md A1). */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST];
export const IMAGE_MANIFEST_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
export const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);
const CONFIG_TYPES = new Set([OCI_CONFIG, DOCKER_CONFIG]);

/** Compression of each layer media type a container image may have (OCI, its non-distributable forms, Docker). */
const LAYER_TYPES: Record<string, "none" | "gzip" | "zstd"> = {
  "application/vnd.oci.image.layer.v1.tar": "none",
  "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
  "application/vnd.oci.image.layer.nondistributable.v1.tar": "none",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": "zstd",
  "application/vnd.docker.image.rootfs.diff.tar.gzip": "gzip",
  "application/vnd.docker.image.rootfs.diff.tar": "none",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "gzip",
};

/** Bounds on what a registry may send: a manifest over 4 MiB is refused unread (distribution's own limit). */
export const MAX_MANIFEST_BYTES = 4 << 20;
/** overlayfs stacks at most 500 lower layers: an image with more could never run. */
export const MAX_LAYERS = 500;
const MAX_INDEX_ENTRIES = 1000;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** A single-platform image: its config blob and its layers, base first. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** An OCI index or a Docker manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type ParsedManifest = { kind: "manifest"; manifest: ImageManifest } | { kind: "index"; index: ImageIndex };

/** Every layer media type the store unpacks (the one list: the layer store checks against it too). */
export const LAYER_MEDIA_TYPES: ReadonlySet<string> = new Set(Object.keys(LAYER_TYPES));

/** Whether a layer is gzip, zstd or plain tar; undefined for a type that is not a layer we can unpack. */
export function layerCompression(mediaType: string): "none" | "gzip" | "zstd" | undefined {
  return LAYER_TYPES[mediaType];
}

/** The media type without parameters ("application/json; charset=utf-8" → "application/json"). */
export function bareMediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Parses manifest bytes. `contentType` is the response's Content-Type; the body's own `mediaType`, when present,
 * must agree with it (distribution-spec: reject the manifest otherwise). Throws an Error naming the reason.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new Error(`manifest is ${bytes.length} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new Error(`manifest is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(doc)) throw new Error("manifest is not a JSON object");
  const header = bareMediaType(contentType);
  const declared = doc.mediaType;
  if (declared !== undefined && typeof declared !== "string") throw new Error("manifest mediaType is not a string");
  if (declared !== undefined && header !== "" && INDEX_OR_MANIFEST.has(header) && declared !== header) {
    throw new Error(`manifest declares media type ${declared} but was served as ${header}`);
  }
  const mediaType = declared ?? (INDEX_OR_MANIFEST.has(header) ? header : inferMediaType(doc));
  if (doc.schemaVersion === 1 || mediaType.startsWith("application/vnd.docker.distribution.manifest.v1")) {
    throw new Error("unsupported manifest media type: Docker schema 1 (re-push the image with a current client)");
  }
  if (doc.schemaVersion !== 2) throw new Error(`unsupported manifest schemaVersion ${JSON.stringify(doc.schemaVersion)}`);
  const annotations = stringMap(doc.annotations, "annotations");
  if (IMAGE_MANIFEST_TYPES.has(mediaType)) {
    const config = descriptor(doc.config, "config");
    if (!CONFIG_TYPES.has(config.mediaType)) throw new Error(`unsupported config media type ${config.mediaType} (not a container image)`);
    if (!Array.isArray(doc.layers)) throw new Error("manifest has no layers array");
    if (doc.layers.length > MAX_LAYERS) throw new Error(`manifest has ${doc.layers.length} layers, over the limit of ${MAX_LAYERS}`);
    const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`));
    return { kind: "manifest", manifest: { schemaVersion: 2, mediaType, config, layers, ...(annotations ? { annotations } : {}) } };
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new Error("index has no manifests array");
    if (doc.manifests.length > MAX_INDEX_ENTRIES) throw new Error(`index has ${doc.manifests.length} entries, over the limit of ${MAX_INDEX_ENTRIES}`);
    const manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    return { kind: "index", index: { schemaVersion: 2, mediaType, manifests, ...(annotations ? { annotations } : {}) } };
  }
  throw new Error(`unsupported manifest media type ${mediaType || "(none)"}`);
}

const INDEX_OR_MANIFEST = new Set([...IMAGE_MANIFEST_TYPES, ...INDEX_TYPES]);

/** An OCI document may omit mediaType; the spec says to tell an index by its `manifests` (image-spec index.md). */
function inferMediaType(doc: Record<string, unknown>): string {
  if (Array.isArray(doc.manifests)) return OCI_INDEX;
  if (isObject(doc.config) && Array.isArray(doc.layers)) return OCI_MANIFEST;
  return "";
}

/** A descriptor checked field by field; `where` names it in errors ("layers[2].digest: …"). */
export function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw new Error(`${where} is not an object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== "string" || mediaType.length === 0 || mediaType.length > 255) throw new Error(`${where}.mediaType is missing or invalid`);
  if (typeof digest !== "string") throw new Error(`${where}.digest is missing`);
  try {
    validateDigest(digest);
  } catch (err) {
    throw new Error(`${where}.digest: ${(err as Error).message}`, { cause: err });
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw new Error(`${where}.size must be a non-negative integer`);
  const out: Descriptor = { mediaType, digest, size };
  if (value.urls !== undefined) {
    if (!Array.isArray(value.urls) || !value.urls.every((u) => typeof u === "string")) throw new Error(`${where}.urls must be strings`);
    out.urls = value.urls;
  }
  const annotations = stringMap(value.annotations, `${where}.annotations`);
  if (annotations) out.annotations = annotations;
  if (value.platform !== undefined) out.platform = platform(value.platform, `${where}.platform`);
  return out;
}

function platform(value: unknown, where: string): Platform {
  if (!isObject(value) || typeof value.os !== "string" || typeof value.architecture !== "string") {
    throw new Error(`${where} must have string os and architecture`);
  }
  const p: Platform = { os: value.os, architecture: value.architecture };
  if (typeof value.variant === "string") p.variant = value.variant;
  if (typeof value["os.version"] === "string") p["os.version"] = value["os.version"];
  if (Array.isArray(value["os.features"])) p["os.features"] = value["os.features"].filter((f): f is string => typeof f === "string");
  return p;
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new Error(`${where} must be an object of strings`);
  for (const v of Object.values(value)) if (typeof v !== "string") throw new Error(`${where} must be an object of strings`);
  return value as Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export interface ParsedConfig {
  config: ImageConfig;
  diffIDs: string[];
  created?: string;
  os?: string;
  architecture?: string;
}

export function parseImageConfig(bytes: Buffer): ParsedConfig {
  const doc = parseJson(bytes, "image config");
  const rootfs = doc.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (!rootfs || rootfs.type !== "layers" || !Array.isArray(rootfs.diff_ids)) throw new Error('image config.rootfs: must be {type: "layers", diff_ids: [...]}');
  const diffIDs = (rootfs.diff_ids as unknown[]).map((d, i) => {
    parseDigest(d, `image config.rootfs.diff_ids[${i}]`);
    return d as string;
  });
  const c = (doc.config ?? {}) as Record<string, unknown>;
  const strings = (v: unknown, field: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw new Error(`image config.config.${field}: must be a list of strings`);
    return v;
  };
  const str = (v: unknown, field: string): string | undefined => {
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") throw new Error(`image config.config.${field}: must be a string`);
    return v;
  };
  const config: ImageConfig = {};
  const set = <K extends keyof ImageConfig>(k: K, v: ImageConfig[K] | undefined) => {
    if (v !== undefined) config[k] = v;
  };
  set("Entrypoint", strings(c.Entrypoint, "Entrypoint"));
  set("Cmd", strings(c.Cmd, "Cmd"));
  set("Env", strings(c.Env, "Env"));
  set("WorkingDir", str(c.WorkingDir, "WorkingDir"));
  set("User", str(c.User, "User"));
  set("StopSignal", str(c.StopSignal, "StopSignal"));
  return {
    config,
    diffIDs,
    created: typeof doc.created === "string" ? doc.created : undefined,
    os: typeof doc.os === "string" ? doc.os : undefined,
    architecture: typeof doc.architecture === "string" ? doc.architecture : undefined,
  };
}


function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new Error(`${what}: not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${what}: must be a JSON object`);
  return doc as Record<string, unknown>;
}
