/**
 * The ReadWriteOncePod access mode, as the scheduler's VolumeRestrictions plugin enforces it: a pod whose claim has
 * that mode does not run while another pod on the node (admitted and not finished) uses the same claim. The
 * scheduler leaves such a pod Pending, unscheduled (PodScheduled False, reason Unschedulable) with a FailedScheduling
 * event; on this one-node cluster, node admission plays the scheduler's part and admits it once the other pod ends.
 * Pure.
 */
import { fitErrorMessage } from "../api/scheduling.js";
import type { PersistentVolumeClaim, Pod } from "../api/types.js";

/** pkg/scheduler/framework/plugins/volumerestrictions ErrReasonReadWriteOncePodConflict. */
export const READ_WRITE_ONCE_POD_CONFLICT = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

/** The scheduler's FailedScheduling message on a one-node cluster when the filter refuses and preemption cannot help. */
export function unschedulableMessage(reason: string): string {
  return fitErrorMessage([{ plugin: "VolumeRestrictions", code: "Unschedulable", reasons: [reason] }]);
}

/** The claims of `pod` whose access modes include ReadWriteOncePod (missing claims are the claim plugin's to report). */
export function readWriteOncePodClaims(pod: Pod, claim: (namespace: string, name: string) => PersistentVolumeClaim | undefined): string[] {
  const ns = pod.metadata.namespace ?? "default";
  const names = (pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
  return [...new Set(names)].filter((n) => claim(ns, n)?.spec?.accessModes?.includes("ReadWriteOncePod"));
}

/** Why `pod` may not run next to `others` (the node's admitted, unfinished pods), or undefined when no claim conflicts. */
export function readWriteOncePodConflict(
  pod: Pod,
  others: Pod[],
  claim: (namespace: string, name: string) => PersistentVolumeClaim | undefined,
): string | undefined {
  const mine = readWriteOncePodClaims(pod, claim);
  if (mine.length === 0) return undefined;
  const ns = pod.metadata.namespace ?? "default";
  const used = others.some(
    (o) => (o.metadata.namespace ?? "default") === ns && (o.spec.volumes ?? []).some((v) => v.persistentVolumeClaim && mine.includes(v.persistentVolumeClaim.claimName)),
  );
  return used ? unschedulableMessage(READ_WRITE_ONCE_POD_CONFLICT) : undefined;
}
