/**
 * The scheduler's VolumeBinding filter for claims already bound: a pod whose claim's PersistentVolume may not be used
 * on this node (its node affinity, as a `local` volume has) stays unscheduled with FailedScheduling, as the scheduler
 * leaves it, instead of mounting another node's path here. Node admission plays the one-node scheduler. Pure.
 */
import { fitErrorMessage, volumeNodeAffinityMatches } from "../api/scheduling.js";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../api/types.js";

/** pkg/scheduler/framework/plugins/volumebinding ErrReasonNodeConflict. */
export const VOLUME_NODE_CONFLICT = "node(s) had volume node affinity conflict";

export interface BoundVolumes {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
}

/** The FailedScheduling message when a bound claim's volume cannot be used on `node`, or undefined. */
export function volumeNodeConflict(pod: Pod, node: Node, lookup: BoundVolumes): string | undefined {
  const ns = pod.metadata.namespace ?? "default";
  for (const v of pod.spec.volumes ?? []) {
    if (!v.persistentVolumeClaim) continue;
    const name = lookup.claim(ns, v.persistentVolumeClaim.claimName)?.spec.volumeName;
    const pv = name ? lookup.volume(name) : undefined;
    if (pv && !volumeNodeAffinityMatches(pv.spec.nodeAffinity, node)) {
      // The filter's status is UnschedulableAndUnresolvable: preemption cannot move a volume.
      return fitErrorMessage([{ plugin: "VolumeBinding", code: "UnschedulableAndUnresolvable", reasons: [VOLUME_NODE_CONFLICT] }]);
    }
  }
  return undefined;
}
