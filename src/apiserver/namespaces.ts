/**
 * Namespace lifecycle, as the API server and the namespace controller together do it:
 * - `default`, `kube-system`, `kube-public` and `kube-node-lease` exist from the start; the first three cannot be
 *   deleted (403, like upstream's NamespaceLifecycle admission).
 * - DELETE marks the namespace Terminating, deletes every object in it (pods gracefully, so the kubelet stops
 *   them), and removes the namespace once its last pod is gone. kubectl's `delete ns` waits for that.
 * - A namespace created through the API starts in phase Active.
 */
import { ApiError } from "../api/errors.js";
import { RESOURCES } from "../api/resources.js";
import type { KubeObject, Namespace } from "../api/types.js";
import { rfc3339 } from "../store/metadata.js";
import type { Store } from "../store/store.js";
import { createIfMissing } from "../store/create-if-missing.js";
import type { ServerContext } from "./context.js";
import { deleteOne } from "./deletion.js";

export const INITIAL_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
const UNDELETABLE = new Set(["default", "kube-system", "kube-public"]);

function namespaceObject(name: string): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name } }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } };
}

/** Creates the initial namespaces that are missing. Idempotent. */
export function ensureInitialNamespaces(store: Store): void {
  for (const name of INITIAL_NAMESPACES) {
    createIfMissing(store, namespaceObject(name));
  }
}

/** Create hook for Namespace: phase Active and the name label upstream adds. */
export function defaultNamespace(obj: KubeObject): KubeObject {
  const ns = obj as Namespace;
  const name = ns.metadata.name ?? "";
  return {
    ...ns,
    metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, "kubernetes.io/metadata.name": name } },
    spec: { finalizers: ["kubernetes"], ...ns.spec },
    status: { phase: "Active" },
  } as Namespace;
}

/** Starts deleting a namespace; returns it as it now is (Terminating, or the removed object). */
export function deleteNamespace(ctx: ServerContext, obj: KubeObject, dryRun: boolean): KubeObject {
  const name = obj.metadata.name ?? "";
  if (UNDELETABLE.has(name)) {
    throw new ApiError("Forbidden", `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: "namespaces" });
  }
  const ns = obj as Namespace;
  const marked: Namespace = {
    ...ns,
    metadata: { ...ns.metadata, deletionTimestamp: ns.metadata.deletionTimestamp ?? rfc3339(new Date(ctx.now())), deletionGracePeriodSeconds: 0 },
    status: { phase: "Terminating" },
  };
  if (dryRun) return marked;
  let current: KubeObject = obj;
  if (!ns.metadata.deletionTimestamp) {
    ctx.store.update(marked);
    current = ctx.store.update(marked, { subresource: "status" });
  }
  emptyNamespace(ctx, name);
  return finishNamespace(ctx.store, name) ?? current;
}

function emptyNamespace(ctx: ServerContext, ns: string): void {
  for (const r of RESOURCES) {
    if (!r.namespaced || r.group === "metrics.k8s.io") continue;
    for (const obj of ctx.store.list<KubeObject>(r.kind, { namespace: ns }).items) {
      try {
        if (r.kind === "Pod") deleteOne(ctx, obj, { preconditions: {}, dryRun: false });
        else ctx.store.delete(r.kind, ns, obj.metadata.name ?? "");
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
  }
}

/** Removes a Terminating namespace once no pod is left in it; returns the removed object, if it was. */
function finishNamespace(store: Store, name: string): KubeObject | undefined {
  const ns = store.get<Namespace>("Namespace", "", name);
  if (!ns?.metadata.deletionTimestamp) return undefined;
  if (store.list("Pod", { namespace: name }).items.length > 0) return undefined;
  return store.delete("Namespace", "", name);
}

/**
 * Watches pods and removes Terminating namespaces as they empty (also those left Terminating by a restart).
 * Returns the function that stops it.
 */
export function startNamespaceReaper(store: Store): () => void {
  for (const ns of store.list<Namespace>("Namespace").items) {
    if (ns.metadata.deletionTimestamp) finishNamespace(store, ns.metadata.name ?? "");
  }
  return store.watch("Pod", {}, (ev) => {
    if (ev.type === "DELETED" && ev.object.metadata.namespace) finishNamespace(store, ev.object.metadata.namespace);
  });
}
