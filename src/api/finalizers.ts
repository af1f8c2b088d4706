/**
 * What a delete does to an object that still has finalizers (the generic registry's deletion with finalizers): it
 * is not removed but marked deleted with no grace left; the update that removes its last finalizer deletes it
 * (apiserver/handlers/write.ts finishIfFinalized). Shared by the API server's DELETE and the kubelet's final
 * delete of a pod, which reaches the store directly. Pure.
 */
import type { KubeObject } from "./types.js";

export type FinalizerHold<T> = { held: false } | { held: true; marked?: T };

/**
 * `held: false`: nothing holds the object, it can be removed. `held: true`: finalizers hold it; `marked` is the
 * object to store (deletionTimestamp kept or `nowIso`, grace 0), absent when it is marked so already.
 */
export function holdForFinalizers<T extends KubeObject>(obj: T, nowIso: string): FinalizerHold<T> {
  const m = obj.metadata;
  if ((m.finalizers?.length ?? 0) === 0) return { held: false };
  if (m.deletionTimestamp && m.deletionGracePeriodSeconds === 0) return { held: true };
  return { held: true, marked: { ...obj, metadata: { ...m, deletionTimestamp: m.deletionTimestamp ?? nowIso, deletionGracePeriodSeconds: 0 } } };
}
