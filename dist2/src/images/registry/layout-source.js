/**
 * A PushSource over an OCI image layout directory (image-spec image-layout.md): the manifest (or index and its
 * manifests) named by a tag in index.json (`org.opencontainers.image.ref.name`), and the blobs they list, read from
 * `blobs/<alg>/<hex>`. Every digest is validated before it names a file; sizes are taken from the descriptors and
 * checked against the files.
 */
import { createReadStream, promises as fsp } from "node:fs";
import { join } from "node:path";
import { validateDigest } from "../reference.js";
import { MAX_MANIFEST_BYTES, parseManifest } from "./manifest.js";
const REF_NAME = "org.opencontainers.image.ref.name";
export async function layoutPushSource(dir, tag) {
    const indexBytes = await readLimited(join(dir, "index.json"), `${dir}/index.json`);
    const top = parseManifest(indexBytes, undefined);
    if (top.kind !== "index")
        throw new Error(`${dir}/index.json is not an image index`);
    const named = top.index.manifests.filter((d) => d.annotations?.[REF_NAME] === tag);
    if (named.length !== 1) {
        const tags = top.index.manifests.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
        throw new Error(`${dir}: ${named.length ? "several images are" : "no image is"} tagged "${tag}" (tags: ${tags.join(", ") || "none"})`);
    }
    const blobPath = (digest) => join(dir, "blobs", ...validateDigest(digest).split(":"));
    const manifests = [];
    const blobs = new Map();
    const visit = async (desc, depth) => {
        const bytes = await readLimited(blobPath(desc.digest), desc.digest);
        if (bytes.length !== desc.size)
            throw new Error(`${dir}: ${desc.digest} is ${bytes.length} bytes, its descriptor says ${desc.size}`);
        const parsed = parseManifest(bytes, desc.mediaType);
        if (parsed.kind === "index") {
            if (depth > 0)
                throw new Error(`${dir}: nested index ${desc.digest} is not supported`);
            for (const child of parsed.index.manifests)
                await visit(child, depth + 1);
            manifests.push({ mediaType: parsed.index.mediaType, bytes });
            for (const child of parsed.index.manifests)
                blobs.delete(child.digest); // pushed as manifests, not blobs
            return;
        }
        for (const d of [parsed.manifest.config, ...parsed.manifest.layers])
            blobs.set(d.digest, d.size);
        manifests.push({ mediaType: parsed.manifest.mediaType, bytes });
    };
    await visit(named[0], 0);
    return {
        manifests,
        blobs: [...blobs].map(([digest, size]) => ({ digest, size })),
        openBlob: async (digest) => {
            const path = blobPath(digest);
            const size = (await fsp.stat(path)).size;
            if (size !== blobs.get(digest))
                throw new Error(`${dir}: blob ${digest} is ${size} bytes, the manifest says ${blobs.get(digest)}`);
            return createReadStream(path);
        },
    };
}
async function readLimited(path, what) {
    const stat = await fsp.stat(path);
    if (stat.size > MAX_MANIFEST_BYTES)
        throw new Error(`${what} is ${stat.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`);
    return fsp.readFile(path);
}
//# sourceMappingURL=layout-source.js.map