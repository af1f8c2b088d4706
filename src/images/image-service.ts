/**
 * The node's image service for the kubelet (kubelet/image-manager.ts) and the CLI: which images are present, and
 * pulls — the reference parsed and normalised, its source found (a registry, through the distribution client,
 * with the pod's pull secrets), the pull run by the Puller (shared by concurrent callers) into the store.
 */
import type { ImageStoreAccess, PresentImage, PullSecrets } from "./node-images.js";
import { formatReference, parseImageReference } from "./reference.js";
import type { ImageSource, Puller, PullProgress, PullResult } from "./pull.js";

/** A reference taken apart: "docker.io/library/busybox:1.28" → registry "docker.io", path "library/busybox", tag. */
export interface ParsedRef {
  /** The normalised reference. */
  ref: string;
  registry: string;
  /** The repository path in the registry ("library/busybox"). */
  path: string;
  tag?: string;
  digest?: string;
}

/** Opens the source of an image in a registry, with the pod's credentials. */
export type RegistrySources = (ref: ParsedRef, secrets: PullSecrets) => Promise<ImageSource>;

/** Parses and normalises a reference (images/reference.ts); throws its InvalidImageNameError. */
export function parseRef(image: string): ParsedRef {
  const r = parseImageReference(image);
  return { ref: formatReference(r), registry: r.registry, path: r.repository, tag: r.tag, digest: r.digest };
}

export class NodeImageService {
  constructor(
    private readonly store: ImageStoreAccess,
    private readonly puller: Puller,
    private readonly registries: RegistrySources,
  ) {}

  async present(image: string): Promise<PresentImage | undefined> {
    const p = parseRef(image);
    const found = await this.store.resolve(p.ref);
    return found && { id: found.id, size: found.size, local: found.local };
  }

  async pull(image: string, secrets: PullSecrets, onProgress?: (p: PullProgress) => void): Promise<PresentImage> {
    const r = await this.pullImage(image, secrets, onProgress);
    return { id: r.image.id, size: r.image.size, local: r.image.local };
  }

  /** Pulls and returns the full result (the CLI shows the image and the bytes downloaded). */
  async pullImage(image: string, secrets: PullSecrets, onProgress?: (p: PullProgress) => void): Promise<PullResult> {
    const p = parseRef(image);
    const repository = `${p.registry}/${p.path}`;
    return this.puller.pull({
      ref: p.ref,
      repository,
      tag: p.tag !== undefined ? `${repository}:${p.tag}` : undefined,
      source: await this.registries(p, secrets),
      onProgress,
    });
  }
}
