/**
 * The daemon's registries: the settings of its flags loaded and checked at start (images/registry/settings.ts), and
 * the adapter that opens an image in its registry for the puller, with a pod's pull secrets and then the node's
 * credentials.
 */
import { promises as fsp } from "node:fs";
import { ApiError, FieldError } from "../api/errors.js";
import { InvalidImageNameError } from "../images/reference.js";
import { registryImageSource, type RegistryImageSource } from "../images/registry/image-source.js";
import { ImageNotFoundError, pushLocalImage, type LocalImages, type PushedImage } from "../images/registry/push-image.js";
import { parseDigest } from "../images/store/layer-path.js";
import type { ImageStore } from "../runtime/images.js";
import { loadNodeRegistries, type NodeRegistries, type RegistrySettings } from "../images/registry/settings.js";

export { loadNodeRegistries, type NodeRegistries };

/** A reference as the puller hands it over: registry host, repository path in it, tag and/or digest. */
export interface RegistryRef {
  registry: string;
  path: string;
  tag?: string;
  digest?: string;
}

/** Opens `ref` with the pod's pull secrets (`.dockerconfigjson` texts, in order), then the node's credentials. */
export function registrySources(r: NodeRegistries): (ref: RegistryRef, pullSecrets: string[]) => Promise<RegistryImageSource> {
  return async (ref, pullSecrets) =>
    registryImageSource(
      r.client,
      { registry: ref.registry, repository: ref.path, ...(ref.tag !== undefined ? { tag: ref.tag } : {}), ...(ref.digest !== undefined ? { digest: ref.digest } : {}) },
      pullSecrets,
      r.nodeCredentials,
    );
}

/** The node's store as a push reads it: the manifest an image was stored as, and its blobs by digest. */
export function storeImages(images: ImageStore): LocalImages {
  return {
    manifestDigest: (ref) => images.record(ref)?.manifestDigest,
    blobs: {
      read: (digest) => images.blobs.read(parseDigest(digest)),
      open: async (digest) => images.blobs.open(parseDigest(digest)),
      size: async (digest) => (await fsp.stat(images.blobs.path(parseDigest(digest)))).size,
    },
  };
}

/** `nodelet image push`: the node API's push, with a bad name as 422 and a missing image as 404. */
export function pushFromStore(r: NodeRegistries, images: ImageStore): (image: string) => Promise<PushedImage> {
  return async (image) => {
    try {
      return await pushLocalImage(r.client, image, storeImages(images), r.nodeCredentials);
    } catch (err) {
      if (err instanceof InvalidImageNameError) throw new FieldError("image", err.message);
      if (err instanceof ImageNotFoundError) throw new ApiError("NotFound", err.message);
      throw err;
    }
  };
}

export type { RegistrySettings };
