/**
 * Taint-based eviction (pkg/controller/tainteviction processPodOnNode), pure: what happens to a pod on a node with
 * NoExecute taints. A taint the pod does not tolerate: delete now. All tolerated: delete after the smallest
 * tolerationSeconds among the tolerations used (one per taint, the first that tolerates it; 0 or less: now); none
 * of them bounded: never. No NoExecute taint: nothing (a scheduled deletion is cancelled).
 */
import { toleratesTaint } from "../../api/scheduling.js";
import type { Taint, Toleration } from "../../api/types.js";

export type EvictionPlan = { kind: "none" } | { kind: "forever" } | { kind: "after"; ms: number };

/** GetMatchingTolerations: the first toleration of each taint, or undefined when one taint is not tolerated. */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return undefined;
    used.push(t);
  }
  return used;
}

export function evictionPlan(nodeTaints: Taint[], tolerations: Toleration[] | undefined): EvictionPlan {
  const taints = nodeTaints.filter((t) => t.effect === "NoExecute");
  if (taints.length === 0) return { kind: "none" };
  const used = matchingTolerations(taints, tolerations ?? []);
  if (!used) return { kind: "after", ms: 0 };
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return { kind: "after", ms: 0 };
    min = min === undefined ? t.tolerationSeconds : Math.min(min, t.tolerationSeconds);
  }
  return min === undefined ? { kind: "forever" } : { kind: "after", ms: min * 1000 };
}
