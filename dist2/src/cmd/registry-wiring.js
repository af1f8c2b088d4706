/**
 * The daemon's registries: the settings of its flags loaded and checked at start (images/registry/settings.ts), and
 * the adapter that opens an image in its registry for the puller, with a pod's pull secrets and then the node's
 * credentials.
 */
import { registryImageSource } from "../images/registry/image-source.js";
import { loadNodeRegistries } from "../images/registry/settings.js";
export { loadNodeRegistries };
/** Opens `ref` with the pod's pull secrets (`.dockerconfigjson` texts, in order), then the node's credentials. */
export function registrySources(r) {
    return async (ref, pullSecrets) => registryImageSource(r.client, { registry: ref.registry, repository: ref.path, ...(ref.tag !== undefined ? { tag: ref.tag } : {}), ...(ref.digest !== undefined ? { digest: ref.digest } : {}) }, pullSecrets, r.nodeCredentials);
}
//# sourceMappingURL=registry-wiring.js.map