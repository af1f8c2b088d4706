import { parseDigest } from "./store/layer-path.js";
import { LAYER_MEDIA_TYPES } from "./store/layer-store.js";
export const MANIFEST_TYPES = {
    ociManifest: "application/vnd.oci.image.manifest.v1+json",
    ociIndex: "application/vnd.oci.image.index.v1+json",
    dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
    dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
};
const CONFIG_TYPES = new Set(["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"]);
/** Most layers an image may have (Docker's own limit is 127 with aufs; overlayfs takes 500 lower layers). */
export const MAX_LAYERS = 128;
export function isIndex(mediaType) {
    return mediaType === MANIFEST_TYPES.ociIndex || mediaType === MANIFEST_TYPES.dockerList;
}
/** The media type a manifest document declares, checked against the one it was served as (if any). */
export function manifestMediaType(bytes, servedAs) {
    const doc = parseJson(bytes, "manifest");
    const declared = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
    // An OCI manifest or index may omit mediaType; then the served type (or the shape) decides.
    const type = declared ?? servedAs ?? (Array.isArray(doc.manifests) ? MANIFEST_TYPES.ociIndex : MANIFEST_TYPES.ociManifest);
    if (servedAs && declared && servedAs !== declared)
        throw new Error(`manifest: served as "${servedAs}" but its mediaType is "${declared}"`);
    if (!Object.values(MANIFEST_TYPES).includes(type))
        throw new Error(`manifest: unsupported media type "${type}"`);
    return type;
}
export function parseManifest(bytes, mediaType) {
    const doc = parseJson(bytes, "manifest");
    if (doc.schemaVersion !== 2)
        throw new Error(`manifest.schemaVersion: must be 2, got ${JSON.stringify(doc.schemaVersion)}`);
    const config = descriptor(doc.config, "manifest.config");
    if (!CONFIG_TYPES.has(config.mediaType))
        throw new Error(`manifest.config.mediaType: unsupported "${config.mediaType}"`);
    if (!Array.isArray(doc.layers))
        throw new Error("manifest.layers: must be a list");
    if (doc.layers.length > MAX_LAYERS)
        throw new Error(`manifest.layers: ${doc.layers.length} layers, more than ${MAX_LAYERS}`);
    const layers = doc.layers.map((l, i) => {
        const d = descriptor(l, `manifest.layers[${i}]`);
        if (!LAYER_MEDIA_TYPES.has(d.mediaType))
            throw new Error(`manifest.layers[${i}].mediaType: unsupported "${d.mediaType}"`);
        return d;
    });
    return { mediaType, config, layers };
}
/**
 * The index entry for `platform`: the first whose os/architecture match and whose variant matches when both give
 * one (image-index.md: "the first matching entry SHOULD be used"); unknown media types and BuildKit attestation
 * entries (platform unknown/unknown) are skipped, never an error.
 */
export function selectPlatform(bytes, platform) {
    const doc = parseJson(bytes, "index");
    if (!Array.isArray(doc.manifests))
        throw new Error("index.manifests: must be a list");
    if (doc.manifests.length > 1024)
        throw new Error(`index.manifests: ${doc.manifests.length} entries, more than 1024`);
    const entries = doc.manifests.map((m, i) => descriptor(m, `index.manifests[${i}]`));
    const candidates = entries.filter((d) => (d.mediaType === MANIFEST_TYPES.ociManifest || d.mediaType === MANIFEST_TYPES.dockerManifest) &&
        d.annotations?.["vnd.docker.reference.type"] !== "attestation-manifest" &&
        (d.platform?.os ?? "") === platform.os && d.platform?.architecture === platform.architecture);
    const exact = candidates.find((d) => !platform.variant || !d.platform?.variant || d.platform.variant === platform.variant);
    if (!exact) {
        const have = entries.map((d) => `${d.platform?.os ?? "?"}/${d.platform?.architecture ?? "?"}${d.platform?.variant ? `/${d.platform.variant}` : ""}`);
        throw new Error(`no image for platform ${platform.os}/${platform.architecture} in the index (it has ${have.join(", ") || "none"})`);
    }
    return exact;
}
export function parseImageConfig(bytes) {
    const doc = parseJson(bytes, "image config");
    const rootfs = doc.rootfs;
    if (!rootfs || rootfs.type !== "layers" || !Array.isArray(rootfs.diff_ids))
        throw new Error('image config.rootfs: must be {type: "layers", diff_ids: [...]}');
    const diffIDs = rootfs.diff_ids.map((d, i) => {
        parseDigest(d, `image config.rootfs.diff_ids[${i}]`);
        return d;
    });
    const c = (doc.config ?? {});
    const strings = (v, field) => {
        if (v === undefined || v === null)
            return undefined;
        if (!Array.isArray(v) || !v.every((s) => typeof s === "string"))
            throw new Error(`image config.config.${field}: must be a list of strings`);
        return v;
    };
    const str = (v, field) => {
        if (v === undefined || v === null || v === "")
            return undefined;
        if (typeof v !== "string")
            throw new Error(`image config.config.${field}: must be a string`);
        return v;
    };
    const config = {};
    const set = (k, v) => {
        if (v !== undefined)
            config[k] = v;
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
function descriptor(v, field) {
    if (!v || typeof v !== "object")
        throw new Error(`${field}: must be a descriptor object`);
    const d = v;
    if (typeof d.mediaType !== "string")
        throw new Error(`${field}.mediaType: must be a string`);
    parseDigest(d.digest, `${field}.digest`);
    if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0)
        throw new Error(`${field}.size: must be a non-negative integer`);
    return {
        mediaType: d.mediaType,
        digest: d.digest,
        size: d.size,
        platform: d.platform && typeof d.platform === "object" ? d.platform : undefined,
        annotations: d.annotations && typeof d.annotations === "object" ? d.annotations : undefined,
    };
}
function parseJson(bytes, what) {
    let doc;
    try {
        doc = JSON.parse(bytes.toString("utf8"));
    }
    catch (err) {
        throw new Error(`${what}: not JSON: ${err.message}`);
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc))
        throw new Error(`${what}: must be a JSON object`);
    return doc;
}
//# sourceMappingURL=manifest.js.map