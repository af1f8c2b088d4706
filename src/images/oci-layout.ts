/**
 * An OCI image layout directory (image-spec image-layout.md: oci-layout, index.json, blobs/<alg>/<hex>) as an
 * ImageSource: what `image import DIR` and the tests pull from. index.json names images by the annotation
 * org.opencontainers.image.ref.name; a layout with a single entry needs no name. Blob paths are built only from
 * validated digests and every file is opened inside the layout, bounded (layout-file.ts): index.json, oci-layout and
 * manifests by MAX_JSON, a blob by its descriptor's size (checked before a byte is used); every byte is then verified
 * by the store as it is consumed.
 */
import { createHash } from "node:crypto";
import { readInside, streamInside } from "./layout-file.js";
import { parseManifest, type Descriptor } from "./manifest.js";
import type { FetchedManifest, ImageSource } from "./pull.js";
import { parseDigest } from "./store/layer-path.js";

const REF_NAME = "org.opencontainers.image.ref.name";
const MAX_JSON = 4 << 20;

export interface LayoutEntry {
  /** The ref name annotation, if any ("v1", or a full "docker.io/library/busybox:1.28"). */
  name?: string;
  descriptor: Descriptor;
}

/** The entries of the layout's index.json. Throws naming the file when it is not a layout. */
export async function layoutEntries(dir: string): Promise<LayoutEntry[]> {
  const marker = parseJson(await readInside(dir, "oci-layout", "OCI layout", MAX_JSON), `${dir}/oci-layout`) as { imageLayoutVersion?: unknown } | null;
  if (typeof marker?.imageLayoutVersion !== "string") throw new Error(`${dir}/oci-layout: no imageLayoutVersion`);
  // index.json is an image index, read by the one manifest parser (descriptors, digests, platforms checked).
  let index;
  try {
    index = parseManifest(await readInside(dir, "index.json", "OCI layout", MAX_JSON), undefined);
  } catch (err) {
    throw new Error(`${dir}/index.json: ${(err as Error).message}`, { cause: err });
  }
  if (index.kind !== "index") throw new Error(`${dir}/index.json: not an image index`);
  return index.index.manifests.map((m) => ({ name: m.annotations?.[REF_NAME], descriptor: m }));
}

export class OciLayoutSource implements ImageSource {
  constructor(
    private readonly dir: string,
    private readonly entry: Descriptor,
  ) {}

  /** The source for the image named `name` in the layout (or its only image when name is undefined). */
  static async open(dir: string, name?: string): Promise<OciLayoutSource> {
    const entries = await layoutEntries(dir);
    const matches = name === undefined ? entries : entries.filter((e) => e.name === name);
    if (matches.length !== 1) {
      const names = entries.map((e) => e.name ?? "(unnamed)").join(", ");
      throw new Error(name === undefined ? `${dir}: ${entries.length} images in the layout (${names}): name one` : `${dir}: no image named "${name}" (it has ${names || "none"})`);
    }
    return new OciLayoutSource(dir, matches[0].descriptor);
  }

  async manifest(digest = this.entry.digest): Promise<FetchedManifest> {
    const d = parseDigest(digest, "manifest digest");
    const bytes = await readInside(this.dir, this.blobPath(digest), `manifest ${digest}`, MAX_JSON);
    const got = createHash(d.algorithm).update(bytes).digest("hex");
    if (got !== d.hex) throw new Error(`manifest ${digest}: digest mismatch: got ${d.algorithm}:${got}`);
    return { bytes, digest, ...(digest === this.entry.digest ? { mediaType: this.entry.mediaType } : {}) };
  }

  async blob(desc: Pick<Descriptor, "digest" | "size">): Promise<AsyncIterable<Buffer>> {
    return streamInside(this.dir, this.blobPath(desc.digest), `blob ${desc.digest}`, desc.size);
  }

  /** blobs/<alg>/<hex>, relative to the layout: built from a validated digest only. */
  private blobPath(digest: string): string {
    const d = parseDigest(digest, "blob digest");
    return `blobs/${d.algorithm}/${d.hex}`;
  }
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    const doc: unknown = JSON.parse(bytes.toString("utf8"));
    return doc && typeof doc === "object" && !Array.isArray(doc) ? doc : null;
  } catch (err) {
    throw new Error(`${what}: not JSON: ${(err as Error).message}`, { cause: err });
  }
}
