/**
 * Which stored object stands for a pod the kubelet runs: the pod itself for pods from the API, the mirror pod for
 * static pods (pods from the manifest directory, which the API only reflects — pkg/kubelet/pod/mirror_client.go).
 * The status goes there, and it is removed there once the pod has left the node.
 */
import { ApiError } from "../api/errors.js";
/** kubetypes.ConfigMirrorAnnotationKey: marks a mirror pod; its value is the static pod's hash (its uid here). */
export const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
export const SOURCE_ANNOTATION = "kubernetes.io/config.source";
export const HASH_ANNOTATION = "kubernetes.io/config.hash";
export const SEEN_ANNOTATION = "kubernetes.io/config.seen";
export const isMirrorPod = (pod) => pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined;
export const isStaticPod = (pod) => pod.metadata.annotations?.[SOURCE_ANNOTATION] === "file";
/** The uid the runtime knows a pod by: a mirror pod stands for its static pod, whose uid is the mirror annotation. */
export const runtimeUid = (pod) => pod.metadata.annotations?.[MIRROR_ANNOTATION] ?? pod.metadata.uid;
export class StorePodObjects {
    store;
    constructor(store) {
        this.store = store;
    }
    statusObject(pod) {
        const found = this.store.get("Pod", pod.metadata.namespace ?? "default", pod.metadata.name);
        if (!found)
            return undefined;
        if (isStaticPod(pod))
            return found.metadata.annotations?.[MIRROR_ANNOTATION] === pod.metadata.uid ? found : undefined;
        return found.metadata.uid === pod.metadata.uid ? found : undefined;
    }
    removeObject(pod) {
        const target = isStaticPod(pod) ? this.statusObject(pod) : pod;
        if (!target)
            return;
        try {
            this.store.delete("Pod", target.metadata.namespace ?? "default", target.metadata.name, { uid: target.metadata.uid });
        }
        catch (err) {
            if (!(err instanceof ApiError) || (err.reason !== "NotFound" && err.reason !== "Conflict"))
                throw err;
        }
    }
}
//# sourceMappingURL=pod-objects.js.map