/**
 * The node's image service for the kubelet (kubelet/image-manager.ts) and the CLI: which images are present, and
 * pulls — the reference parsed and normalised, its source found (a registry, through the distribution client,
 * with the pod's pull secrets), the pull run by the Puller (shared by concurrent callers) into the store.
 */
import type { PresentImage, PullSecrets } from "../kubelet/image-manager.js";
import { InvalidImageNameError } from "../kubelet/image-manager.js";
import { normalizeImageRef, type ImageStore } from "../runtime/images.js";
import type { ImageSource, Puller, PullProgress, PullResult } from "./pull.js";

/** A reference taken apart: "docker.io/library/busybox:1.28" → repository "docker.io/library/busybox", tag. */
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

const NAME = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Parses and normalises a reference; throws InvalidImageNameError. */
export function parseRef(image: string): ParsedRef {
  if (image === "" || image !== image.trim() || /\s/.test(image)) throw new InvalidImageNameError(image, "invalid reference format");
  const ref = normalizeImageRef(image);
  const at = ref.indexOf("@");
  const named = at < 0 ? ref : ref.slice(0, at);
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const colon = named.lastIndexOf(":");
  const slash = named.lastIndexOf("/");
  const repo = colon > slash ? named.slice(0, colon) : named;
  const tag = colon > slash ? named.slice(colon + 1) : undefined;
  if (!NAME.test(repo) || repo.length > 255) throw new InvalidImageNameError(image, "invalid reference format");
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) throw new InvalidImageNameError(image, "invalid reference format");
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new InvalidImageNameError(image, "invalid reference format");
  const first = repo.indexOf("/");
  return { ref, registry: repo.slice(0, first), path: repo.slice(first + 1), tag, digest };
}

export class NodeImageService {
  constructor(
    private readonly store: ImageStore,
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
      tag: p.digest ? undefined : `${repository}:${p.tag ?? "latest"}`,
      source: await this.registries(p, secrets),
      onProgress,
    });
  }
}
