/**
 * Makes OCI image layouts for tests from tar layers (tar-writer.ts): each layer compressed as asked (gzip, zstd
 * with Debian's binary, or none), its blob and diffID computed, config and manifest written, the image named in
 * index.json by the ref-name annotation. What a registry would serve, without one.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
export function sha256(b) {
    return `sha256:${createHash("sha256").update(b).digest("hex")}`;
}
export function compress(tar, how = "gzip") {
    if (how === "none")
        return tar;
    if (how === "gzip")
        return gzipSync(tar);
    const r = spawnSync("zstd", ["-q", "-c"], { input: tar, maxBuffer: 1 << 30 });
    if (r.status !== 0)
        throw new Error(`zstd: ${r.stderr}`);
    return r.stdout;
}
const LAYER_TYPE = { gzip: "application/vnd.oci.image.layer.v1.tar+gzip", zstd: "application/vnd.oci.image.layer.v1.tar+zstd", none: "application/vnd.oci.image.layer.v1.tar" };
function putBlob(dir, data) {
    const d = sha256(data);
    mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
    writeFileSync(join(dir, "blobs/sha256", d.slice(7)), data);
    return d;
}
/** Writes `images` as one OCI layout at dir; returns their digests, in order. */
export function writeOciLayout(dir, images) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    const out = [];
    const manifests = [];
    for (const img of images) {
        const how = img.compression ?? "gzip";
        const layers = img.layers.map((tar) => {
            const blob = compress(tar, how);
            return { digest: putBlob(dir, blob), diffID: sha256(tar), size: blob.length };
        });
        const config = Buffer.from(JSON.stringify({
            architecture: process.arch === "arm64" ? "arm64" : "amd64", os: "linux",
            config: img.config ?? { Cmd: ["sh"] },
            rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffID) },
        }));
        const configDigest = putBlob(dir, config);
        const manifest = Buffer.from(JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
            layers: layers.map((l) => ({ mediaType: LAYER_TYPE[how], digest: l.digest, size: l.size })),
        }));
        const manifestDigest = putBlob(dir, manifest);
        manifests.push({ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest, size: manifest.length, annotations: { "org.opencontainers.image.ref.name": img.name } });
        out.push({ manifestDigest, configDigest, layers });
    }
    writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests }));
    return out;
}
//# sourceMappingURL=oci-image.js.map