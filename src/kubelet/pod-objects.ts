/**
 * Which stored object stands for a pod the kubelet runs: the pod itself for pods from the API, the mirror pod for
 * static pods (pods from the manifest directory, which the API only reflects — pkg/kubelet/pod/mirror_client.go).
 * The status goes there, and it is removed there once the pod has left the node.
 */
import { ApiError } from "../api/errors.js";
import { holdForFinalizers } from "../api/finalizers.js";
import type { Pod } from "../api/types.js";
import type { Store } from "../store/store.js";
import { rfc3339 } from "../api/time.js";

/** kubetypes.ConfigMirrorAnnotationKey: marks a mirror pod; its value is the static pod's hash (its uid here). */
export const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
export const SOURCE_ANNOTATION = "kubernetes.io/config.source";
export const HASH_ANNOTATION = "kubernetes.io/config.hash";
export const SEEN_ANNOTATION = "kubernetes.io/config.seen";

export const isMirrorPod = (pod: Pod): boolean => pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined;
export const isStaticPod = (pod: Pod): boolean => pod.metadata.annotations?.[SOURCE_ANNOTATION] === "file";

/** The uid the runtime knows a pod by: a mirror pod stands for its static pod, whose uid is the mirror annotation. */
export const runtimeUid = (pod: Pod): string => pod.metadata.annotations?.[MIRROR_ANNOTATION] ?? pod.metadata.uid!;

export interface PodObjects {
  /** The stored object that carries this pod's status, or undefined when there is none (yet). */
  statusObject(pod: Pod): Pod | undefined;
  /** Removes that object once the pod is gone from the node (the kubelet's final delete, with the uid). */
  removeObject(pod: Pod): void;
}

export class StorePodObjects implements PodObjects {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  statusObject(pod: Pod): Pod | undefined {
    const found = this.store.get<Pod>("Pod", pod.metadata.namespace ?? "default", pod.metadata.name!);
    if (!found) return undefined;
    if (isStaticPod(pod)) return found.metadata.annotations?.[MIRROR_ANNOTATION] === pod.metadata.uid ? found : undefined;
    return found.metadata.uid === pod.metadata.uid ? found : undefined;
  }

  removeObject(pod: Pod): void {
    const target = this.statusObject(pod);
    if (!target) return;
    try {
      // As the API answers the kubelet's final DELETE: a pod with finalizers (a Job's, until it counted the pod)
      // stays, marked with no grace left, and goes when its last finalizer is removed.
      const hold = holdForFinalizers(target, rfc3339(this.now()));
      if (hold.held) {
        if (hold.marked) this.store.update(hold.marked, { resourceVersion: target.metadata.resourceVersion });
        return;
      }
      this.store.delete("Pod", target.metadata.namespace ?? "default", target.metadata.name!, { uid: target.metadata.uid });
    } catch (err) {
      if (!(err instanceof ApiError) || (err.reason !== "NotFound" && err.reason !== "Conflict")) throw err;
    }
  }
}
