/**
 * The garbage collector's decisions as pure functions (pkg/controller/garbagecollector): what to do with one object
 * given which of its owners still exist and which of its dependents remain.
 * - A dependent none of whose owners exists is deleted (its owners went with Background propagation, or never
 *   existed); one with some owners gone loses only the dangling references.
 * - An owner marked deleted with the `orphan` finalizer: its dependents lose their reference to it, then the
 *   finalizer goes (which lets the API delete it).
 * - An owner marked deleted with `foregroundDeletion`: its dependents are deleted (foreground too, so theirs go
 *   first); once no dependent that blocks owner deletion is left, the finalizer goes.
 */
import type { KubeObject, OwnerReference } from "../../api/types.js";

export const ORPHAN_FINALIZER = "orphan";
export const FOREGROUND_FINALIZER = "foregroundDeletion";

export type GcAction =
  | { kind: "none" }
  /** Delete the dependent (its owners are all gone). */
  | { kind: "deleteDangling" }
  /** Remove these owner references (dangling, some owner remains). */
  | { kind: "dropRefs"; uids: string[] }
  /** Orphan: remove the owner's reference from each dependent, then the finalizer. */
  | { kind: "orphan"; dependents: KubeObject[] }
  /** Foreground: delete these dependents (not yet being deleted); drop the finalizer when `done`. */
  | { kind: "foreground"; deleteDependents: KubeObject[]; done: boolean };

/** What to do about `obj` as a dependent: `ownerExists(ref)` says whether that owner (same uid) is there. */
export function planDependent(obj: KubeObject, ownerExists: (ref: OwnerReference) => boolean | undefined): GcAction {
  const refs = obj.metadata.ownerReferences ?? [];
  if (!refs.length || obj.metadata.deletionTimestamp) return { kind: "none" };
  const verdicts = refs.map((r) => ({ r, exists: ownerExists(r) }));
  // An owner of a kind nobody watches cannot be judged: leave the object alone.
  if (verdicts.some((v) => v.exists === undefined)) return { kind: "none" };
  const dangling = verdicts.filter((v) => v.exists === false).map((v) => v.r.uid);
  if (dangling.length === 0) return { kind: "none" };
  if (dangling.length === refs.length) return { kind: "deleteDangling" };
  return { kind: "dropRefs", uids: dangling };
}

/** What to do about `owner` being deleted with a GC finalizer, given its current dependents. */
export function planOwner(owner: KubeObject, dependents: KubeObject[]): GcAction {
  const m = owner.metadata;
  if (!m.deletionTimestamp) return { kind: "none" };
  const finalizers = m.finalizers ?? [];
  if (finalizers.includes(ORPHAN_FINALIZER)) return { kind: "orphan", dependents };
  if (!finalizers.includes(FOREGROUND_FINALIZER)) return { kind: "none" };
  const blocking = dependents.filter((d) => d.metadata.ownerReferences?.some((r) => r.uid === m.uid && r.blockOwnerDeletion === true));
  return {
    kind: "foreground",
    deleteDependents: dependents.filter((d) => !d.metadata.deletionTimestamp),
    done: blocking.length === 0,
  };
}
