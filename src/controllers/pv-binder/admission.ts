/**
 * The storage admission plugins of the API server, as hooks on writes through the API:
 * - DefaultStorageClass: a claim without storageClassName gets the default class (plugin/pkg/admission/storage/
 *   storageclass/setdefault); `storageClassName: ""` is left alone (it means "no class").
 * - StorageObjectInUseProtection: every claim and volume is created with its protection finalizer, so deleting one
 *   in use waits (plugin/pkg/admission/storage/storageobjectinuseprotection).
 * - PersistentVolumeClaimResize: a claim may grow only when its class allows expansion (plugin/pkg/admission/
 *   storage/persistentvolume/resize).
 */
import { ApiError } from "../../api/errors.js";
import { defaultClass, type StorageClass } from "../../api/storage-class.js";
import type { KubeObject, PersistentVolume, PersistentVolumeClaim } from "../../api/types.js";
import type { Store } from "../../store/store.js";
import { ANN_BETA_STORAGE_CLASS, claimClass, PV_PROTECTION, PVC_PROTECTION, requestBytes } from "../../api/pv-matching.js";

export interface StorageHookTarget {
  registerCreateHook(kind: string, fn: (obj: KubeObject) => KubeObject | void): () => void;
  registerUpdateHook(kind: string, fn: (obj: KubeObject, old: KubeObject) => KubeObject | void): () => void;
}

function withFinalizer<T extends KubeObject>(o: T, f: string): T {
  if (o.metadata.finalizers?.includes(f)) return o;
  return { ...o, metadata: { ...o.metadata, finalizers: [...(o.metadata.finalizers ?? []), f] } };
}

/** Registers the three plugins; returns the function that removes them. */
export function installStorageAdmission(store: Store, api: StorageHookTarget): () => void {
  const stops = [
    api.registerCreateHook("PersistentVolumeClaim", (obj) => {
      let c = withFinalizer(obj as PersistentVolumeClaim, PVC_PROTECTION);
      const def = defaultClass(store.list<StorageClass>("StorageClass").items);
      if (def && c.spec?.storageClassName == null && !c.metadata.annotations?.[ANN_BETA_STORAGE_CLASS]) {
        c = { ...c, spec: { ...c.spec, storageClassName: def.metadata.name } };
      }
      return c;
    }),
    api.registerCreateHook("PersistentVolume", (obj) => withFinalizer(obj as PersistentVolume, PV_PROTECTION)),
    api.registerUpdateHook("PersistentVolumeClaim", (obj, old) => {
      const c = obj as PersistentVolumeClaim;
      if (requestBytes(c) <= requestBytes(old as PersistentVolumeClaim)) return;
      const sc = store.get<StorageClass>("StorageClass", "", claimClass(c));
      if (!c.spec.volumeName || !sc?.allowVolumeExpansion) {
        throw new ApiError(
          "Forbidden",
          `persistentvolumeclaims "${c.metadata.name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
          { name: c.metadata.name, kind: "persistentvolumeclaims" },
        );
      }
    }),
  ];
  return () => stops.forEach((s) => s());
}
