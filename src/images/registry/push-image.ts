/**
 * `nodelet image push REF`: an image of the node's store pushed to the registry its reference names. The store
 * gives the manifest digest the image was pulled or built as and serves blobs by digest; the push (push.ts) sends the
 * blobs the registry lacks, then the manifest under the reference's tag. A reference without a tag pushes `latest`,
 * as `docker push` does after normalising.
 */
import { formatReference, parseImageReference, repositoryName } from "../reference.js";
import type { DistributionClient } from "./client.js";
import type { CredentialSource } from "./credentials.js";
import { blobsPushSource, type BlobReader } from "./layout-source.js";

export interface PushedImage {
  /** "127.0.0.1:5000/team/app" */
  repository: string;
  /** The tag pushed, or the digest when the reference named only one. */
  tag: string;
  /** Digest of the manifest the registry now has. */
  digest: string;
  /** Bytes of that manifest (what `docker push` prints as size). */
  size: number;
  uploaded: number;
  existing: number;
  mounted: number;
}

/** What a push needs of the node's store: the manifest an image was stored as, and its blobs. */
export interface LocalImages {
  /** The manifest digest of the image this reference names on the node, or undefined. */
  manifestDigest(ref: string): string | undefined;
  blobs: BlobReader;
}

export class ImageNotFoundError extends Error {
  constructor(readonly image: string) {
    super(`image "${image}" is not on this node`);
    this.name = "ImageNotFoundError";
  }
}

export async function pushLocalImage(client: DistributionClient, image: string, local: LocalImages, creds: CredentialSource): Promise<PushedImage> {
  const ref = parseImageReference(image);
  const manifestDigest = local.manifestDigest(formatReference(ref));
  if (manifestDigest === undefined) throw new ImageNotFoundError(image);
  const source = await blobsPushSource({ digest: manifestDigest }, local.blobs, `image ${image}`);
  const result = await client.pushImage(ref, source, creds);
  const last = source.manifests[source.manifests.length - 1];
  return { repository: repositoryName(ref), tag: ref.tag ?? result.digest, digest: result.digest, size: last.bytes.length, uploaded: result.uploaded, existing: result.existing, mounted: result.mounted };
}
