/**
 * Test images written as an OCI image layout directory (image-spec image-layout.md), for pushing to a test registry
 * with skopeo (registry.ts `pushImage`) or reading directly. Layers are deterministic gzip tars made with GNU tar, so
 * the same content gives the same digests; the busybox layer is the host's busybox-static (busybox-rootfs.ts).
 *
 *   const layout = new OciLayout(dir);
 *   const amd64 = await layout.image({ busybox: true, files: { "etc/motd": "hi\n" } });
 *   const arm64 = await layout.image({ architecture: "arm64", variant: "v8", files: { "etc/motd": "arm\n" } });
 *   const multi = await layout.index([amd64, arm64], { attestationFor: amd64 });
 *   await layout.tag("v1", amd64); await layout.tag("multi", multi);
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildBusyboxRootfs } from "./busybox-rootfs.js";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** The OCI architecture name of this machine (Node's "x64" is OCI's "amd64"). */
export function nodeArchitecture() {
    const map = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };
    return map[process.arch] ?? process.arch;
}
export function sha256(data) {
    return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}
export class OciLayout {
    dir;
    tags = new Map();
    constructor(dir) {
        this.dir = dir;
        mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
        writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
        this.writeIndex();
    }
    /** Stores bytes as a blob; returns its descriptor. */
    blob(mediaType, data) {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
        const digest = sha256(buf);
        writeFileSync(this.blobPath(digest), buf);
        return { mediaType, digest, size: buf.length };
    }
    blobPath(digest) {
        return join(this.dir, "blobs", ...digest.split(":"));
    }
    readBlob(digest) {
        return readFileSync(this.blobPath(digest));
    }
    /** Writes one single-platform image (config, layers, manifest) and returns its manifest descriptor. */
    async image(opts = {}) {
        const platform = { os: opts.os ?? "linux", architecture: opts.architecture ?? nodeArchitecture(), ...(opts.variant ? { variant: opts.variant } : {}) };
        const layers = [];
        if (opts.busybox)
            layers.push(this.layerFrom((root) => buildBusyboxRootfs(root)));
        if (opts.files && Object.keys(opts.files).length) {
            const files = opts.files;
            layers.push(this.layerFrom((root) => {
                for (const [path, content] of Object.entries(files)) {
                    mkdirSync(dirname(join(root, path)), { recursive: true });
                    writeFileSync(join(root, path), content);
                }
            }));
        }
        const config = this.blob(OCI_CONFIG, JSON.stringify({
            created: "2026-01-01T00:00:00Z",
            ...platform,
            config: { Env: ["PATH=/bin"], Cmd: opts.cmd ?? ["sh"] },
            rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
            history: layers.map(() => ({ created: "2026-01-01T00:00:00Z", created_by: "nodelet test" })),
        }));
        const manifest = this.blob(OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: layers.map(({ diffId: _d, ...l }) => l) }));
        return { ...manifest, platform, config, layers };
    }
    /**
     * An image index over `manifests` (each with its platform); with `attestationFor`, a BuildKit-style attestation
     * manifest (platform unknown/unknown, annotation vnd.docker.reference.type=attestation-manifest) is listed first,
     * so a client that does not skip it picks the wrong entry.
     */
    async index(manifests, opts = {}) {
        const entries = [];
        if (opts.attestationFor) {
            const statement = this.blob("application/vnd.in-toto+json", JSON.stringify({ _type: "https://in-toto.io/Statement/v0.1", subject: [] }));
            const config = this.blob(OCI_CONFIG, JSON.stringify({ architecture: "unknown", os: "unknown", rootfs: { type: "layers", diff_ids: [sha256("")] } }));
            const att = this.blob(OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [statement] }));
            entries.push({
                ...att,
                platform: { os: "unknown", architecture: "unknown" },
                annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": opts.attestationFor.digest },
            });
        }
        for (const m of manifests)
            entries.push({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: m.platform });
        return this.blob(OCI_INDEX, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }));
    }
    /** Names a manifest or index in index.json (org.opencontainers.image.ref.name), as skopeo's `oci:DIR:TAG` reads. */
    tag(name, desc) {
        this.tags.set(name, desc);
        this.writeIndex();
    }
    writeIndex() {
        const manifests = [...this.tags].map(([name, d]) => ({
            mediaType: d.mediaType,
            digest: d.digest,
            size: d.size,
            annotations: { "org.opencontainers.image.ref.name": name },
        }));
        writeFileSync(join(this.dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    }
    /** Fills a temp root, tars it deterministically (GNU tar, numeric root ownership, mtime 0), gzips it, stores it. */
    layerFrom(fill) {
        const work = mkdtempSync(join(tmpdir(), "oci-layer-"));
        try {
            const root = join(work, "root");
            mkdirSync(root);
            fill(root);
            const tar = execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", root, "-cf", "-", "."], {
                maxBuffer: 256 << 20,
            });
            const gz = gzipSync(tar);
            return { ...this.blob(OCI_LAYER_GZIP, gz), diffId: sha256(tar) };
        }
        finally {
            rmSync(work, { recursive: true, force: true });
        }
    }
}
//# sourceMappingURL=oci-layout.js.map