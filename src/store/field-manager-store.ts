/**
 * Field ownership for the writers inside the daemon that write the store directly (the kubelet, the controllers):
 * each create and update gets the Update entry in `metadata.managedFields` that the same write through the API would
 * get (api/managed-fields.ts), under the manager name upstream's component uses (`kubelet` for pod and node status,
 * `kube-controller-manager` for the controllers), so `kubectl get -o yaml --show-managed-fields` reads as it does
 * against a cluster. The 10-Update-entry cap applies as for API writes.
 */
import { managedFieldsAfterUpdate, type FieldManagerRequest } from "../api/managed-fields.js";
import { apiVersionOf, resourceForKind } from "../api/resources.js";
import type { KubeObject } from "../api/types.js";
import { rfc3339 } from "./metadata.js";
import type { Store, UpdateOptions } from "./store.js";

/** `store` with every create and update attributed to `manager`; reads, watches and deletes pass through. */
export function withFieldManager<S extends Store>(store: S, manager: string, now: () => number = Date.now): S {
  const request = (kind: string, subresource?: "status"): FieldManagerRequest | undefined => {
    const info = resourceForKind(kind);
    if (!info) return undefined;
    return { manager, apiVersion: apiVersionOf(info), ...(subresource ? { subresource } : {}), hasStatus: info.subresources.includes("status"), now: rfc3339(new Date(now())) };
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "create") {
        return <T extends KubeObject>(obj: T, opts?: { uid?: string }): T => {
          const req = request(obj.kind);
          if (!req) return target.create(obj, opts);
          return target.create({ ...obj, metadata: { ...obj.metadata, managedFields: managedFieldsAfterUpdate(undefined, obj, req) } }, opts);
        };
      }
      if (prop === "update") {
        return <T extends KubeObject>(obj: T, opts?: UpdateOptions): T => {
          const req = request(obj.kind, opts?.subresource);
          const m = obj.metadata ?? {};
          const live = req ? target.get(obj.kind, m.namespace ?? "", m.name ?? "") : undefined;
          if (!req || !live) return target.update(obj, opts);
          // What the write will store: on the status subresource only .status changes.
          const next = opts?.subresource === "status" ? ({ ...live, status: (obj as { status?: unknown }).status } as KubeObject) : { ...obj, status: (live as { status?: unknown }).status };
          const managedFields = managedFieldsAfterUpdate(live, { ...next, metadata: { ...next.metadata, managedFields: live.metadata.managedFields } }, req);
          return target.update({ ...obj, metadata: { ...m, managedFields } }, opts);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
