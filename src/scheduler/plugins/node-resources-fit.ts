/**
 * NodeResourcesFit (plugins/noderesources/fit.go): Filter needs the pod's requests to fit what the node's allocatable
 * leaves ("Insufficient cpu", "Insufficient memory", "Too many pods": api/scheduling.ts, shared with node admission);
 * Score is LeastAllocated (the default: the share left free) or MostAllocated (the share used, for bin packing), per
 * resource over the requests with the 100m / 200 MiB defaults, then their weighted mean (cpu 1, memory 1).
 * As upstream's, the pod's requests are computed once a cycle (PreFilter, PreScore) and the node's side is the sum its
 * NodeInfo keeps, so a filter costs the same whatever the number of pods on the node.
 */
import { nonZeroPodRequests, podRequests } from "../../api/pod-requests.js";
import { resourcesFitStatus } from "../../api/scheduling.js";
import { MAX_NODE_SCORE, type CycleContext, type Plugin } from "../types.js";

export type ScoringStrategy = "LeastAllocated" | "MostAllocated";

/** leastRequestedScore: the share left free, 0 when over. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** mostRequestedScore: the share used; over capacity counts as full (the defaults can overshoot). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

const PRE_FILTER_KEY = "PreFilterNodeResourcesFit";
const PRE_SCORE_KEY = "PreScoreNodeResourcesFit";

const ownRequests = (ctx: CycleContext) => ctx.state.once(PRE_FILTER_KEY, () => podRequests(ctx.pod));
const ownNonZeroRequests = (ctx: CycleContext) => ctx.state.once(PRE_SCORE_KEY, () => nonZeroPodRequests(ctx.pod));

export function nodeResourcesFit(strategy: ScoringStrategy = "LeastAllocated"): Plugin {
  const per = strategy === "LeastAllocated" ? leastRequestedScore : mostRequestedScore;
  return {
    name: "NodeResourcesFit",
    preFilter: (ctx) => void ownRequests(ctx),
    filter: (ctx, info) => resourcesFitStatus(ownRequests(ctx), info.requested, info.pods.length, info.allocatable),
    preScore: (ctx) => void ownNonZeroRequests(ctx),
    score: (ctx, info) => {
      const own = ownNonZeroRequests(ctx);
      const resources: [number, number][] = [
        [info.nonZeroRequested.cpuMilli + own.cpuMilli, info.allocatable.cpuMilli],
        [info.nonZeroRequested.memoryBytes + own.memoryBytes, info.allocatable.memoryBytes],
      ];
      // resourceAllocationScorer.score: a resource the node has none of is left out of the mean.
      const counted = resources.filter(([, alloc]) => alloc > 0);
      if (counted.length === 0) return 0;
      return Math.trunc(counted.reduce((sum, [req, alloc]) => sum + per(req, alloc), 0) / counted.length);
    },
  };
}
