/**
 * The default profile (pkg/scheduler/apis/config/v1/default_plugins.go, v1.32): the filters in upstream's order and
 * the score plugins with their weights — TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1, PodTopologySpread 2,
 * InterPodAffinity 2, NodeResourcesBalancedAllocation 1, ImageLocality 1. The scoring strategy of NodeResourcesFit
 * is LeastAllocated unless configured MostAllocated (bin packing).
 */
import type { Profile } from "./framework.js";
import { balancedAllocation } from "./plugins/balanced-allocation.js";
import { imageLocality } from "./plugins/image-locality.js";
import { interPodAffinity } from "./plugins/inter-pod-affinity.js";
import { nodeAffinity } from "./plugins/node-affinity.js";
import { nodeName } from "./plugins/node-name.js";
import { nodePorts } from "./plugins/node-ports.js";
import { nodeResourcesFit, type ScoringStrategy } from "./plugins/node-resources-fit.js";
import { nodeUnschedulable } from "./plugins/node-unschedulable.js";
import { podTopologySpread } from "./plugins/pod-topology-spread.js";
import { taintToleration } from "./plugins/taint-toleration.js";
import { volumeBinding } from "./plugins/volume-binding.js";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

export interface ProfileConfig {
  schedulerName?: string;
  scoringStrategy?: ScoringStrategy;
  percentageOfNodesToScore?: number;
}

export function defaultProfile(cfg: ProfileConfig = {}): Profile {
  const fit = nodeResourcesFit(cfg.scoringStrategy ?? "LeastAllocated");
  return {
    schedulerName: cfg.schedulerName ?? DEFAULT_SCHEDULER_NAME,
    filters: [nodeUnschedulable, nodeName, taintToleration, nodeAffinity, nodePorts, fit, volumeBinding, podTopologySpread, interPodAffinity],
    scorers: [
      { plugin: taintToleration, weight: 3 },
      { plugin: nodeAffinity, weight: 2 },
      { plugin: fit, weight: 1 },
      { plugin: podTopologySpread, weight: 2 },
      { plugin: interPodAffinity, weight: 2 },
      { plugin: balancedAllocation, weight: 1 },
      { plugin: imageLocality, weight: 1 },
    ],
    percentageOfNodesToScore: cfg.percentageOfNodesToScore,
  };
}
