/**
 * The daemon's images: the puller over the node's store (this node's platform), and the image service the
 * kubelet and the node API use. Registry access comes from the distribution client (src/images/registry/).
 */
import { NodeImageService, type RegistrySources } from "../images/image-service.js";
import { Puller } from "../images/pull.js";
import { ociArch, type ImageStore } from "../runtime/images.js";

/** Layers fetched at once per pull: containerd's default (max_concurrent_downloads 3). */
const LAYER_CONCURRENCY = 3;

export function nodeImageService(images: ImageStore, registries: RegistrySources = noRegistryClient): NodeImageService {
  const puller = new Puller(images, { platform: { os: "linux", architecture: ociArch(process.arch) }, concurrency: LAYER_CONCURRENCY });
  return new NodeImageService(images, puller, registries);
}

/** Until the distribution client is wired in, a pull from a registry fails with this reason (ErrImagePull). */
const noRegistryClient: RegistrySources = async (ref) => {
  throw new Error(`cannot reach registry ${ref.registry}: this node has no registry client configured`);
};
