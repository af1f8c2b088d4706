/**
 * Binds a pod to a node in the store (BindingREST's GuaranteedUpdate): re-read and retried while the pod changes
 * under the write; spec.nodeName and the Binding's annotations, then the PodScheduled condition, each write
 * conditional on the version the previous one read or made. Throws api/pod-binding.ts's Conflict when the pod is
 * already bound, deleting or gated, NotFound when it is gone or its uid is not `uid`. Used by the pods/binding
 * handler and the scheduler.
 */
import { ApiError } from "../api/errors.js";
import { assignPod } from "../api/pod-binding.js";
import type { Pod } from "../api/types.js";
import type { Store } from "./store.js";

const RETRIES = 5;

export interface BindRequest {
  namespace: string;
  name: string;
  node: string;
  annotations?: Record<string, string>;
  /** The Binding's metadata.uid: a precondition on the pod's uid. */
  uid?: string;
  /** RFC 3339 time for the condition. */
  now: string;
  dryRun?: boolean;
}

export function bindPodInStore(store: Store, r: BindRequest): Pod {
  for (let attempt = 1; ; attempt++) {
    const pod = store.get<Pod>("Pod", r.namespace, r.name);
    if (!pod) throw ApiError.notFound("pods", r.name);
    if (r.uid && pod.metadata.uid !== r.uid) {
      throw ApiError.conflict("pods/binding", r.name, `Precondition failed: UID in precondition: ${r.uid}, UID in object meta: ${pod.metadata.uid ?? ""}`);
    }
    const bound = assignPod(pod, r.node, r.annotations, r.now);
    if (r.dryRun) return bound;
    try {
      const written = store.update(bound, { resourceVersion: pod.metadata.resourceVersion });
      return store.update({ ...written, status: bound.status }, { subresource: "status", resourceVersion: written.metadata.resourceVersion });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409 && err.details.kind !== "pods/binding") || attempt >= RETRIES) throw err;
    }
  }
}
