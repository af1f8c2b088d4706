/**
 * ClaimObjects (BaseControllerRefManager), pure: which of a namespace's objects an owner controls, adopts or
 * releases by its label selector. Every workload controller claims its dependents this way (a ReplicaSet its pods,
 * a Deployment its ReplicaSets): an owner being deleted adopts nothing; dependents being deleted are neither
 * adopted nor released; another controller's dependents are left alone.
 */
import { labelSelectorMatcher } from "../../api/labels.js";
import type { KubeObject, LabelSelector } from "../../api/types.js";
import { controllerRef, newControllerRef } from "../workload/pods.js";

export interface Claims<D extends KubeObject> {
  /** Dependents the owner controls whose labels still match (including those it adopts). */
  owned: D[];
  /** Orphans whose labels match: the owner becomes their controller. */
  adopt: D[];
  /** Dependents it controls whose labels no longer match: their controller reference goes. */
  release: D[];
}

/** Sorts `candidates` into owned, to adopt and to release by `owner` with `selector`. */
export function claimDependents<D extends KubeObject>(owner: KubeObject, selector: LabelSelector | undefined, candidates: D[]): Claims<D> {
  const out: Claims<D> = { owned: [], adopt: [], release: [] };
  let matcher: ReturnType<typeof labelSelectorMatcher>;
  try {
    if (!selector) return out;
    matcher = labelSelectorMatcher(selector);
  } catch {
    return out;
  }
  const uid = owner.metadata.uid;
  for (const dep of candidates) {
    const ref = controllerRef(dep);
    const matches = matcher.matches(dep.metadata.labels ?? {});
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) out.owned.push(dep);
      else if (!dep.metadata.deletionTimestamp) out.release.push(dep);
      continue;
    }
    if (matches && !dep.metadata.deletionTimestamp && !owner.metadata.deletionTimestamp) {
      out.adopt.push(dep);
      out.owned.push(dep);
    }
  }
  return out;
}

/** The dependent with `owner` as its controller (adoption). */
export function adopted<D extends KubeObject>(owner: KubeObject, dep: D): D {
  return { ...dep, metadata: { ...dep.metadata, ownerReferences: [...(dep.metadata.ownerReferences ?? []), newControllerRef(owner)] } };
}

/** The dependent without its reference to `owner` (release). */
export function released<D extends KubeObject>(owner: KubeObject, dep: D): D {
  const refs = (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
  return { ...dep, metadata: { ...dep.metadata, ownerReferences: refs.length ? refs : undefined } };
}
