/**
 * The API server's start-up objects (default namespaces, RBAC policy, built-in PriorityClasses) are created when
 * missing by every replica; replicas starting together on one etcd race, and the loser's create is refused with
 * AlreadyExists — which, for an object that only has to exist, is success (kube-apiserver's post-start hooks treat it
 * so).
 */
import { ApiError } from "../api/errors.js";
import type { KubeObject } from "../api/types.js";
import type { Store } from "./store.js";

/** Creates `obj` unless its kind has an object of that namespace and name; says whether this call created it. */
export function createIfMissing<T extends KubeObject>(store: Store, obj: T): boolean {
  if (store.get(obj.kind, obj.metadata.namespace ?? "", obj.metadata.name ?? "")) return false;
  try {
    store.create<T>(obj);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.reason === "AlreadyExists") return false;
    throw err;
  }
}
