/**
 * Graceful deletion of pods, as the API server decides it (registry/rest/delete.go BeforeDelete and the pod
 * strategy's CheckGracefulDelete). Pure: the delete handler applies the plan.
 *
 * - A pod bound to a node and not terminal is not removed: DELETE sets metadata.deletionTimestamp (now + grace) and
 *   deletionGracePeriodSeconds, and the kubelet, once the containers are stopped, removes it with a final DELETE
 *   (grace 0, uid precondition).
 * - Grace comes from the request, else spec.terminationGracePeriodSeconds, else 30; a negative request means 1.
 * - Grace 0 (`--grace-period=0 --force`), an unbound pod, or a pod in phase Succeeded/Failed: removed at once.
 * - A second DELETE can only shorten the grace period; the deadline moves by the difference.
 */
import type { Pod } from "../api/types.js";
import { rfc3339 } from "../store/metadata.js";
import { DEFAULT_TERMINATION_GRACE_SECONDS } from "../api/termination-grace.js";

export type DeletePlan =
  | { action: "remove" }
  | { action: "mark"; deletionTimestamp: string; gracePeriodSeconds: number; firstMark: boolean }
  | { action: "unchanged" };

export function planPodDeletion(pod: Pod, requested: number | undefined, now: number): DeletePlan {
  const req = requested !== undefined && requested < 0 ? 1 : requested;
  const m = pod.metadata;
  if (m.deletionTimestamp) {
    const current = m.deletionGracePeriodSeconds ?? 0;
    if (current === 0) return { action: "remove" };
    if (req === undefined || req >= current) return { action: "unchanged" };
    if (req === 0) return { action: "remove" };
    const deadline = Date.parse(m.deletionTimestamp) - current * 1000 + req * 1000;
    return { action: "mark", deletionTimestamp: rfc3339(new Date(deadline)), gracePeriodSeconds: req, firstMark: false };
  }
  let grace = req ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
  const phase = pod.status?.phase;
  if (!pod.spec?.nodeName || phase === "Succeeded" || phase === "Failed") grace = 0;
  if (grace === 0) return { action: "remove" };
  return { action: "mark", deletionTimestamp: rfc3339(new Date(now + grace * 1000)), gracePeriodSeconds: grace, firstMark: true };
}
