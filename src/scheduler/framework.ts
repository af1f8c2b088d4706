/**
 * One scheduling cycle (pkg/scheduler/schedule_one.go schedulePod, framework/runtime/framework.go), pure over a
 * snapshot: PreFilter (a plugin may refuse every node or skip its Filter), Filter over the nodes from a rotating
 * start until enough feasible ones are found (numFeasibleNodesToFind), with the pods nominated to a node by earlier
 * preemptions counted there when they have at least the pod's priority; then PreScore, Score and NormalizeScore per
 * plugin, weighted and summed, and selectHost; a pod its earlier preemption nominated to a node tries that node
 * first. A pod no node takes gets a FitError: each node's status and the message the scheduler writes. PostFilter
 * (preemption.ts) decides from the FitError; Reserve and Bind need the API and belong to the loop.
 */
import { fitErrorText, type FilterStatus } from "../api/scheduling.js";
import type { Pod } from "../api/types.js";
import { nodeInfoOf } from "./snapshot.js";
import { CycleState, type CycleContext, type NodeInfo, type NodeScore, type Plugin, type Snapshot, type WeightedPlugin } from "./types.js";

/** The plugins of one scheduler profile, in the order their extension points run. */
export interface Profile {
  schedulerName: string;
  /** PreFilter and Filter plugins, in order (the first refusal of a node is its status). */
  filters: readonly Plugin[];
  /** Score plugins with their weights. */
  scorers: readonly WeightedPlugin[];
  /** percentageOfNodesToScore: 0 is the adaptive default. */
  percentageOfNodesToScore?: number;
}

export interface ScheduleResult {
  kind: "scheduled";
  node: string;
  /** Nodes filtered (feasible or not) and found feasible. */
  evaluated: number;
  feasible: number;
  scores: NodeScore[];
  /** The cycle's state, for what Reserve/PreBind need of it (VolumeBinding's choices). */
  ctx: CycleContext;
  /** Where the next cycle starts filtering (nextStartNodeIndex). */
  nextStartIndex: number;
}

export interface FitError {
  kind: "unschedulable";
  numAllNodes: number;
  /** Every node's refusal, by node name. */
  statuses: Map<string, FilterStatus>;
  /** The PreFilter plugin's message when it refused every node. */
  preFilterMsg?: string;
  ctx: CycleContext;
  nextStartIndex: number;
}

/** ErrNoNodesAvailable. */
export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";

export type CycleResult = ScheduleResult | FitError | { kind: "noNodes" };

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** numFeasibleNodesToFind: every node up to 100; beyond, a share shrinking with the cluster's size (at least 100). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct === 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  if (pct >= 100) return numAllNodes;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.trunc((numAllNodes * pct) / 100));
}

const podPriority = (p: Pod) => p.spec.priority ?? 0;

/**
 * RunPreFilterPlugins: undefined when every plugin let the pod through (the skipped ones are added to `skipped`),
 * else the first refusal.
 */
export function runPreFilter(ctx: CycleContext, profile: Profile, skipped: Set<string>): FilterStatus | undefined {
  for (const p of profile.filters) {
    if (!p.preFilter) continue;
    const r = p.preFilter(ctx);
    if (r === "skip") skipped.add(p.name);
    else if (r) return r.reject;
  }
  return undefined;
}

/** RunFilterPlugins: the first refusal of `info`, or undefined. */
export function runFilter(ctx: CycleContext, profile: Profile, skipped: ReadonlySet<string>, info: NodeInfo): FilterStatus | undefined {
  for (const p of profile.filters) {
    if (!p.filter || skipped.has(p.name)) continue;
    const s = p.filter(ctx, info);
    if (s) return s;
  }
  return undefined;
}

/**
 * RunFilterPluginsWithNominatedPods: where pods of at least this pod's priority are nominated to the node, the node
 * must pass with them on it (the state the plugins computed is recomputed over that view) and without them.
 */
export function filterWithNominated(ctx: CycleContext, profile: Profile, skipped: ReadonlySet<string>, info: NodeInfo): FilterStatus | undefined {
  const name = info.node.metadata.name;
  const uid = ctx.pod.metadata.uid;
  const nominated = ctx.snapshot.nominated.filter((p) => p.status?.nominatedNodeName === name && p.metadata.uid !== uid && podPriority(p) >= podPriority(ctx.pod));
  if (nominated.length > 0) {
    const withThem = nodeInfoOf(info.node, [...info.pods, ...nominated]);
    const snapshot: Snapshot = { ...ctx.snapshot, nodes: ctx.snapshot.nodes.map((n) => (n === info ? withThem : n)) };
    const view: CycleContext = { pod: ctx.pod, snapshot, state: new CycleState() };
    const skip = new Set<string>();
    const s = runPreFilter(view, profile, skip) ?? runFilter(view, profile, skip, withThem);
    if (s) return s;
  }
  return runFilter(ctx, profile, skipped, info);
}

/** RunPreScore/Score/NormalizeScore plugins over the feasible nodes: each plugin's score and the weighted total. */
export function scoreNodes(ctx: CycleContext, profile: Profile, feasible: readonly NodeInfo[]): NodeScore[] {
  const out: NodeScore[] = feasible.map((i) => ({ name: i.node.metadata.name ?? "", total: 0, plugins: {} }));
  for (const { plugin, weight } of profile.scorers) {
    if (!plugin.score) continue;
    if (plugin.preScore?.(ctx, feasible) === "skip") continue;
    let scores = feasible.map((i) => plugin.score!(ctx, i));
    if (plugin.normalizeScore) scores = plugin.normalizeScore(ctx, scores, feasible);
    scores.forEach((s, i) => {
      out[i].plugins[plugin.name] = s;
      out[i].total += s * weight;
    });
  }
  return out;
}

/**
 * selectHost: the node with the highest total; among equal ones, each equally likely (reservoir sampling, with
 * `random` in [0, 1)). Undefined for no nodes.
 */
export function selectHost(scores: readonly NodeScore[], random: () => number = Math.random): string | undefined {
  let best: NodeScore | undefined;
  let ties = 0;
  for (const s of scores) {
    if (!best || s.total > best.total) {
      best = s;
      ties = 1;
    } else if (s.total === best.total) {
      ties++;
      if (random() * ties < 1) best = s;
    }
  }
  return best?.name;
}

export interface CycleOptions {
  /** nextStartNodeIndex of the previous cycle. */
  startIndex?: number;
  random?: () => number;
}

/** schedulePod: the node for `pod`, or why none takes it. */
export function schedulePod(pod: Pod, snapshot: Snapshot, profile: Profile, opts: CycleOptions = {}): CycleResult {
  const all = snapshot.nodes;
  if (all.length === 0) return { kind: "noNodes" };
  const ctx: CycleContext = { pod, snapshot, state: new CycleState() };
  const skipped = new Set<string>();
  const start = (opts.startIndex ?? 0) % all.length;
  const pre = runPreFilter(ctx, profile, skipped);
  if (pre) {
    const statuses = new Map(all.map((n) => [n.node.metadata.name!, pre]));
    return { kind: "unschedulable", numAllNodes: all.length, statuses, preFilterMsg: pre.reasons.join(", "), ctx, nextStartIndex: start };
  }
  // A pod nominated by its earlier preemption tries that node first: it is likely the only one with room for it.
  const nominated = pod.status?.nominatedNodeName ? all.find((n) => n.node.metadata.name === pod.status?.nominatedNodeName) : undefined;
  if (nominated && !filterWithNominated(ctx, profile, skipped, nominated)) {
    return { kind: "scheduled", node: nominated.node.metadata.name!, evaluated: 1, feasible: 1, scores: [], ctx, nextStartIndex: start };
  }
  const statuses = new Map<string, FilterStatus>();
  const feasible: NodeInfo[] = [];
  const want = numFeasibleNodesToFind(all.length, profile.percentageOfNodesToScore);
  let processed = 0;
  for (let k = 0; k < all.length && feasible.length < want; k++) {
    const info = all[(start + k) % all.length];
    processed++;
    const s = filterWithNominated(ctx, profile, skipped, info);
    if (s) statuses.set(info.node.metadata.name!, s);
    else feasible.push(info);
  }
  const nextStartIndex = (start + processed) % all.length;
  if (feasible.length === 0) return { kind: "unschedulable", numAllNodes: all.length, statuses, ctx, nextStartIndex };
  if (feasible.length === 1) {
    return { kind: "scheduled", node: feasible[0].node.metadata.name!, evaluated: processed, feasible: 1, scores: [], ctx, nextStartIndex };
  }
  const scores = scoreNodes(ctx, profile, feasible);
  return { kind: "scheduled", node: selectHost(scores, opts.random)!, evaluated: processed, feasible: feasible.length, scores, ctx, nextStartIndex };
}

/** FitError.Error, with DefaultPreemption's message (PostFilter) when it ran. */
export function fitErrorMessage(err: FitError, postFilterMsg?: string): string {
  return fitErrorText(err.numAllNodes, err.preFilterMsg ? [] : [...err.statuses.values()], err.preFilterMsg, postFilterMsg);
}
