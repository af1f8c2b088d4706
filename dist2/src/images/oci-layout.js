/**
 * An OCI image layout directory (image-spec image-layout.md: oci-layout, index.json, blobs/<alg>/<hex>) as an
 * ImageSource: what `image import DIR` and the tests pull from. index.json names images by the annotation
 * org.opencontainers.image.ref.name; a layout with a single entry needs no name. Blob paths are built only from
 * validated digests, and every byte is verified by the store as it is consumed.
 */
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import { join } from "node:path";
import { parseDigest } from "./store/layer-path.js";
const REF_NAME = "org.opencontainers.image.ref.name";
const MAX_JSON = 4 << 20;
/** The entries of the layout's index.json. Throws naming the file when it is not a layout. */
export async function layoutEntries(dir) {
    const marker = JSON.parse(await readBounded(join(dir, "oci-layout")));
    if (typeof marker.imageLayoutVersion !== "string")
        throw new Error(`${dir}/oci-layout: no imageLayoutVersion`);
    const index = JSON.parse(await readBounded(join(dir, "index.json")));
    if (!Array.isArray(index.manifests))
        throw new Error(`${dir}/index.json: manifests must be a list`);
    return index.manifests.map((m, i) => {
        parseDigest(m?.digest, `${dir}/index.json manifests[${i}].digest`);
        return { name: m.annotations?.[REF_NAME], descriptor: m };
    });
}
export class OciLayoutSource {
    dir;
    entry;
    constructor(dir, entry) {
        this.dir = dir;
        this.entry = entry;
    }
    /** The source for the image named `name` in the layout (or its only image when name is undefined). */
    static async open(dir, name) {
        const entries = await layoutEntries(dir);
        const matches = name === undefined ? entries : entries.filter((e) => e.name === name);
        if (matches.length !== 1) {
            const names = entries.map((e) => e.name ?? "(unnamed)").join(", ");
            throw new Error(name === undefined ? `${dir}: ${entries.length} images in the layout (${names}): name one` : `${dir}: no image named "${name}" (it has ${names || "none"})`);
        }
        return new OciLayoutSource(dir, matches[0].descriptor);
    }
    async manifest(digest = this.entry.digest) {
        const d = parseDigest(digest, "manifest digest");
        const bytes = await fsp.readFile(this.blobPath(digest));
        if (bytes.length > MAX_JSON)
            throw new Error(`manifest ${digest}: more than ${MAX_JSON} bytes`);
        const got = createHash(d.algorithm).update(bytes).digest("hex");
        if (got !== d.hex)
            throw new Error(`manifest ${digest}: digest mismatch: got ${d.algorithm}:${got}`);
        return { bytes, digest, mediaType: digest === this.entry.digest ? this.entry.mediaType : undefined };
    }
    async blob(desc) {
        const path = this.blobPath(desc.digest);
        await fsp.access(path);
        return createReadStream(path, { highWaterMark: 1 << 20 });
    }
    blobPath(digest) {
        const d = parseDigest(digest, "blob digest");
        return join(this.dir, "blobs", d.algorithm, d.hex);
    }
}
async function readBounded(path) {
    const st = await fsp.stat(path);
    if (st.size > MAX_JSON)
        throw new Error(`${path}: more than ${MAX_JSON} bytes`);
    return fsp.readFile(path, "utf8");
}
//# sourceMappingURL=oci-layout.js.map