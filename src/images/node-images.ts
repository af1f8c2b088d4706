/**
 * The node's images as the layers above see them: what the kubelet asks of the image service, and what the
 * puller and the image service need of the store. The store itself (runtime/images.ts ImageStore) implements
 * `ImageStoreAccess`; these types live here so that images/ depends on nothing above it.
 */
import type { Image } from "../api/image.js";
import type { BlobStore } from "./store/blob-store.js";
import type { ImageRecord, ImageRecords } from "./store/image-records.js";
import type { LayerStore } from "./store/layer-store.js";

/** An image on the node, as the kubelet needs to know it. */
export interface PresentImage {
  id: string;
  size: number;
  /** Built on this node: no registry has it, so no policy pulls it. */
  local: boolean;
}

/** Credentials of a pod for its pulls: the `.dockerconfigjson` of each imagePullSecret, in order. */
export type PullSecrets = string[];

/** The node's image service as the kubelet sees it (the CRI ImageService's part it uses). */
export interface ImageService {
  /** Throws images/reference.ts InvalidImageNameError when the reference does not parse. */
  present(ref: string): Promise<PresentImage | undefined>;
  pull(ref: string, secrets: PullSecrets): Promise<PresentImage>;
}

/** The parts of the node's image store the puller and the image service use. */
export interface ImageStoreAccess {
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  readonly records: ImageRecords;
  /** The image a (normalised) reference names, or undefined. */
  resolve(ref: string): Promise<Image | undefined>;
  /** Records an image whose blobs and layers are all present, under the given tags. */
  commit(record: ImageRecord, tags: string[]): Promise<Image>;
}
