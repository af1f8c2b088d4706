import { manifestSelector } from "../reference.js";
import { Keyring, NO_CREDENTIALS } from "./credentials.js";
/**
 * Opens `ref` on its registry. `pullSecrets` are the `.dockerconfigjson` texts of the pod's pull secrets, in order;
 * a malformed one is skipped (the kubelet skips it too), never quoted.
 */
export function registryImageSource(client, ref, pullSecrets = [], node = NO_CREDENTIALS) {
    const secrets = pullSecrets.flatMap((json, i) => {
        try {
            return [Keyring.from({ json, origin: `the pod's imagePullSecrets[${i}]` })];
        }
        catch {
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
//# sourceMappingURL=image-source.js.map