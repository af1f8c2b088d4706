/**
 * NodeResourcesBalancedAllocation (plugins/noderesources/balanced_allocation.go): how evenly the node's cpu and
 * memory would be used, `(1 − std) · 100` with `std` the standard deviation of the two fractions
 * (`|f_cpu − f_mem| / 2`, each capped at 1), over the requests as written. A pod that requests nothing is skipped.
 */
import { podRequests } from "../../api/pod-requests.js";
import { MAX_NODE_SCORE, type CycleContext, type Plugin } from "../types.js";

const PRE_SCORE_KEY = "PreScoreNodeResourcesBalancedAllocation";

/** The pod's requests, computed once a cycle. */
const ownRequests = (ctx: CycleContext) => ctx.state.once(PRE_SCORE_KEY, () => podRequests(ctx.pod));

export const balancedAllocation: Plugin = {
  name: "NodeResourcesBalancedAllocation",
  preScore: (ctx) => {
    const own = ownRequests(ctx);
    return own.cpuMilli === 0 && own.memoryBytes === 0 ? "skip" : undefined;
  },
  score: (ctx, info) => {
    const own = ownRequests(ctx);
    const fractions: number[] = [];
    if (info.allocatable.cpuMilli > 0) fractions.push(Math.min((info.requested.cpuMilli + own.cpuMilli) / info.allocatable.cpuMilli, 1));
    if (info.allocatable.memoryBytes > 0) fractions.push(Math.min((info.requested.memoryBytes + own.memoryBytes) / info.allocatable.memoryBytes, 1));
    const std = fractions.length === 2 ? Math.abs(fractions[0] - fractions[1]) / 2 : 0;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};
