/**
 * Which PersistentVolume a claim may bind to, by the PV controller's rules (FindMatchingVolume and
 * CheckVolumeModeMismatches in pkg/controller/volume/persistentvolume/util/util.go, and the access-mode index of
 * index.go): capacity ≥ request, access modes ⊇ the requested ones, the same class, the claim's selector, the same
 * volume mode; of the volumes that fit, the smallest. A volume pre-bound to the claim (claimRef) wins whenever it is
 * large enough; once a node is chosen, only volumes its node affinity allows there. Pure: the PV binder binds by
 * it and the scheduler's VolumeBinding plugin looks for volumes a node can use by it.
 */
import { matchLabelSelector } from "./labels.js";
import { parseQuantity, toBytes } from "./quantity.js";
import { volumeNodeAffinityMatches } from "./scheduling.js";
import type { Node, PersistentVolume, PersistentVolumeClaim } from "./types.js";

export {
  ANN_BETA_STORAGE_CLASS,
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  PV_PROTECTION,
  PVC_PROTECTION,
} from "./storage-annotations.js";
import { ANN_BETA_STORAGE_CLASS } from "./storage-annotations.js";

/** Bytes of a storage quantity; 0 when missing or malformed (validation keeps malformed ones out of the store). */
export function storageBytes(q: string | undefined): number {
  if (q === undefined) return 0;
  try {
    return toBytes(parseQuantity(q));
  } catch {
    return 0;
  }
}

export const requestBytes = (c: PersistentVolumeClaim): number => storageBytes(c.spec.resources?.requests?.["storage"]);
export const capacityBytes = (v: PersistentVolume): number => storageBytes(v.spec.capacity?.["storage"]);

/** The class of a claim: the beta annotation wins over the field; "" is no class (GetPersistentVolumeClaimClass). */
export function claimClass(c: PersistentVolumeClaim): string {
  return c.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? c.spec.storageClassName ?? "";
}

export function volumeClass(v: PersistentVolume): string {
  return v.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? v.spec.storageClassName ?? "";
}

/** True when the volume's claimRef names this claim (and its uid, once the uid is filled in). */
export function isVolumeBoundToClaim(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  const ref = v.spec.claimRef;
  if (!ref || ref.name !== c.metadata.name || (ref.namespace ?? "") !== (c.metadata.namespace ?? "")) return false;
  return !ref.uid || ref.uid === c.metadata.uid;
}

/** Unset means Filesystem on both sides; Block only binds to Block. */
export function volumeModeMismatch(c: PersistentVolumeClaim, v: PersistentVolume): boolean {
  return (c.spec.volumeMode ?? "Filesystem") !== (v.spec.volumeMode ?? "Filesystem");
}

export function accessModesSatisfied(c: PersistentVolumeClaim, v: PersistentVolume): boolean {
  const have = new Set(v.spec.accessModes ?? []);
  return (c.spec.accessModes ?? []).every((m) => have.has(m));
}

/**
 * Why a volume cannot serve a claim it was asked for by name (checkVolumeSatisfyClaim): undefined when it can.
 * Messages are the controller's (used in the VolumeMismatch event).
 */
export function volumeMismatch(c: PersistentVolumeClaim, v: PersistentVolume): string | undefined {
  if (capacityBytes(v) < requestBytes(c)) return "requested PV is too small";
  if (volumeClass(v) !== claimClass(c)) return "storageClassName does not match";
  if (volumeModeMismatch(c, v)) return "incompatible volumeMode";
  if (!accessModesSatisfied(c, v)) return "incompatible accessMode";
  return undefined;
}

/**
 * The smallest volume that satisfies the claim, or the one pre-bound to it. With `delayBinding` (the class is
 * WaitForFirstConsumer and no node is chosen yet) only a pre-bound volume is returned, as the controller leaves the
 * choice to the scheduler. With `node` (the scheduler's path: a node is chosen) a volume whose node affinity
 * excludes that node is passed over, and a pre-bound one then matches nothing.
 */
export function findMatchingVolume(c: PersistentVolumeClaim, volumes: readonly PersistentVolume[], delayBinding: boolean, node?: Node): PersistentVolume | undefined {
  const want = requestBytes(c);
  const cls = claimClass(c);
  let best: PersistentVolume | undefined;
  for (const v of volumes) {
    if (capacityBytes(v) < want || volumeModeMismatch(c, v) || v.metadata.deletionTimestamp) continue;
    if (!accessModesSatisfied(c, v)) continue;
    const onNode = !node || volumeNodeAffinityMatches(v.spec.nodeAffinity, node);
    if (isVolumeBoundToClaim(v, c)) return onNode ? v : undefined;
    if (delayBinding || !onNode) continue;
    if (v.status?.phase !== "Available" || v.spec.claimRef) continue;
    if (c.spec.selector && !matchLabelSelector(c.spec.selector, v.metadata.labels)) continue;
    if (volumeClass(v) !== cls) continue;
    if (!best || capacityBytes(v) < capacityBytes(best)) best = v;
  }
  return best;
}
