/**
 * What a push reads: an image's manifests and blobs from anything that serves blobs by digest (BlobReader): an OCI
 * image layout directory (image-spec image-layout.md; the image named by a tag in index.json's
 * `org.opencontainers.image.ref.name`) or the node's blob store. Every digest is validated before it names a file;
 * manifests are checked against their digests, blob sizes against the descriptors.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { openInside, readInside, streamInside } from "../layout-file.js";
import { validateDigest } from "../reference.js";
import { MAX_MANIFEST_BYTES, parseManifest, type Descriptor } from "../manifest.js";
import type { PushSource } from "./push.js";

const REF_NAME = "org.opencontainers.image.ref.name";

/** Reads blobs by digest: an OCI layout's blobs/ directory, or the node's blob store. */
export interface BlobReader {
  /** The whole blob (manifests; bounded by the caller). */
  read(digest: string): Promise<Buffer>;
  open(digest: string): Promise<Readable>;
  size(digest: string): Promise<number>;
}

/**
 * An OCI layout's `blobs/<alg>/<hex>` files, each digest validated before it names a file, each file opened inside the
 * layout (layout-file.ts: no symlink out of it, regular files only, bounded).
 */
export function layoutBlobs(dir: string): BlobReader {
  const path = (digest: string): string => `blobs/${validateDigest(digest).replace(":", "/")}`;
  return {
    read: (digest) => readInside(dir, path(digest), dir, MAX_MANIFEST_BYTES),
    open: async (digest) => {
      const { fh, size } = await openInside(dir, path(digest), dir, Number.MAX_SAFE_INTEGER);
      await fh.close();
      return streamInside(dir, path(digest), dir, size);
    },
    size: async (digest) => {
      const { fh, size } = await openInside(dir, path(digest), dir, Number.MAX_SAFE_INTEGER);
      await fh.close();
      return size;
    },
  };
}

/** The image tagged `tag` in an OCI layout directory, as a PushSource. */
export async function layoutPushSource(dir: string, tag: string): Promise<PushSource> {
  const indexBytes = await readInside(dir, "index.json", dir, MAX_MANIFEST_BYTES);
  const top = parseManifest(indexBytes, undefined);
  if (top.kind !== "index") throw new Error(`${dir}/index.json is not an image index`);
  const named = top.index.manifests.filter((d) => d.annotations?.[REF_NAME] === tag);
  if (named.length !== 1) {
    const tags = top.index.manifests.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
    throw new Error(`${dir}: ${named.length ? "several images are" : "no image is"} tagged "${tag}" (tags: ${tags.join(", ") || "none"})`);
  }
  return blobsPushSource(named[0], layoutBlobs(dir), dir);
}

/**
 * The manifest (or index and its manifests) `top` names and every blob they list, read through `blobs`; sizes are
 * checked against the descriptors. `where` names the source in errors.
 */
export async function blobsPushSource(top: Pick<Descriptor, "digest"> & { size?: number; mediaType?: string }, blobs: BlobReader, where: string): Promise<PushSource> {
  const manifests: PushSource["manifests"] = [];
  const wanted = new Map<string, number>();

  const visit = async (desc: Pick<Descriptor, "digest"> & { size?: number; mediaType?: string }, depth: number): Promise<void> => {
    const bytes = await blobs.read(desc.digest);
    if (desc.size !== undefined && bytes.length !== desc.size) throw new Error(`${where}: ${desc.digest} is ${bytes.length} bytes, its descriptor says ${desc.size}`);
    const actual = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    if (desc.digest.startsWith("sha256:") && actual !== desc.digest) throw new Error(`${where}: manifest ${desc.digest} hashes to ${actual}`);
    const parsed = parseManifest(bytes, desc.mediaType);
    if (parsed.kind === "index") {
      if (depth > 0) throw new Error(`${where}: nested index ${desc.digest} is not supported`);
      for (const child of parsed.index.manifests) await visit(child, depth + 1);
      manifests.push({ mediaType: parsed.index.mediaType, bytes });
      return;
    }
    for (const d of [parsed.manifest.config, ...parsed.manifest.layers]) wanted.set(d.digest, d.size);
    manifests.push({ mediaType: parsed.manifest.mediaType, bytes });
  };
  await visit(top, 0);

  return {
    manifests,
    blobs: [...wanted].map(([digest, size]) => ({ digest, size })),
    openBlob: async (digest) => {
      const size = await blobs.size(digest);
      if (size !== wanted.get(digest)) throw new Error(`${where}: blob ${digest} is ${size} bytes, the manifest says ${wanted.get(digest)}`);
      return blobs.open(digest);
    },
  };
}

