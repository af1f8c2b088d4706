/**
 * The registry as the puller's image source: manifests by tag or digest (through mirrors, verified by the client) and
 * blobs as the client's verified, resumable streams, with the credentials of the pod's pull secrets first and the
 * node's Docker config after them (the kubelet's order).
 *
 * Typed structurally (RegistryImageSource) so the puller's ImageSource interface and this client need not import each
 * other.
 */
import type { Readable } from "node:stream";
import { manifestSelector, type ImageReference } from "../reference.js";
import type { DistributionClient } from "./client.js";
import { Keyring, NO_CREDENTIALS, type CredentialSource } from "./credentials.js";

export interface RegistryImageSource {
  /** The manifest or index the reference names (or the one with `digest`), its digest verified. */
  manifest(digest?: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }>;
  /** A blob as a stream that fails at its end unless the bytes match the digest and size. */
  blob(desc: { digest: string; size: number }): Promise<Readable>;
}

/**
 * Opens `ref` on its registry. `pullSecrets` are the `.dockerconfigjson` texts of the pod's pull secrets, in order;
 * a malformed one is skipped (the kubelet skips it too), never quoted.
 */
export function registryImageSource(client: DistributionClient, ref: ImageReference, pullSecrets: string[] = [], node: CredentialSource = NO_CREDENTIALS): RegistryImageSource {
  const secrets = pullSecrets.flatMap((json, i) => {
    try {
      return [Keyring.from({ json, origin: `the pod's imagePullSecrets[${i}]` })];
    } catch {
      return [];
    }
  });
  const creds = Keyring.chain(...secrets, node);
  return {
    manifest: async (digest) => {
      const got = await client.getManifest(ref, digest ?? manifestSelector(ref), creds);
      return { bytes: got.bytes, mediaType: got.mediaType, digest: got.digest };
    },
    blob: (desc) => client.openBlob(ref, desc, creds),
  };
}
