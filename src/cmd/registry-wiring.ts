/**
 * The daemon's registries: the settings of its flags loaded and checked at start (images/registry/settings.ts), and
 * the adapter that opens an image in its registry for the puller, with a pod's pull secrets and then the node's
 * credentials.
 */
import { registryImageSource, type RegistryImageSource } from "../images/registry/image-source.js";
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

export type { RegistrySettings };
