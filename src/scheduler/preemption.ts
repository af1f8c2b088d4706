/**
 * DefaultPreemption, the PostFilter (pkg/scheduler/framework/plugins/defaultpreemption and framework/preemption,
 * v1.32), pure over the cycle's snapshot: when no node takes a pod, find the nodes where removing pods of lower
 * priority would let it fit, choose one, and say which pods to remove there. The loop (scheduler.ts) applies the
 * choice: victims marked DisruptionTarget and deleted, the pod nominated to the node.
 *
 * - Eligibility: preemptionPolicy Never never preempts; a pod already nominated to a node where a victim of its
 *   earlier preemption is still terminating waits for it (unless that node now refuses the pod outright).
 * - Candidates: only nodes whose refusal was Unschedulable (UnschedulableAndUnresolvable ones cannot be helped). On
 *   each, every lower-priority pod is removed; if the pod then passes PreFilter and Filter (with the pods nominated
 *   there), pods are reprieved one by one, most important first, those whose PodDisruptionBudget would be violated
 *   first; the ones that cannot be put back are the victims.
 * - Choice (pickOneNodeForPreemption): fewest PDB violations, then the lowest highest-victim priority, the smallest
 *   sum of priorities, the fewest victims, the latest start of the most important victims, then the first.
 * Where upstream updates the PreFilter state incrementally (PreFilterExtensions AddPod/RemovePod), this recomputes
 * PreFilter over the node's changed view: the same verdicts, with no per-plugin bookkeeping.
 */
import { budgetSelects } from "../api/eviction.js";
import type { PodDisruptionBudget } from "../api/policy-types.js";
import { NO_PREEMPTION_VICTIMS, PREEMPTION_NOT_HELPFUL, countedReasons } from "../api/scheduling.js";
import type { Pod } from "../api/types.js";
import { filterWithNominated, runPreFilter, type FitError, type Profile } from "./framework.js";
import { nodeInfoOf } from "./snapshot.js";
import { CycleState, type CycleContext, type FilterStatus, type NodeInfo } from "./types.js";

export const podPriority = (p: Pod): number => p.spec.priority ?? 0;

/** GetPodStartTime: status.startTime, or `now` for a pod not started (it counts as the newest). */
function startTime(p: Pod, now: number): number {
  const t = p.status?.startTime ? Date.parse(p.status.startTime) : NaN;
  return Number.isNaN(t) ? now : t;
}

/** MoreImportantPod: higher priority first, then the earlier start. */
export function moreImportant(a: Pod, b: Pod, now: number): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  return pa !== pb ? pa > pb : startTime(a, now) < startTime(b, now);
}

/** The reason the scheduler gives victims (v1.PodReasonPreemptionByScheduler). */
export const PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler";

/** podTerminatingByPreemption: being deleted, with DisruptionTarget True for PreemptionByScheduler. */
function terminatingByPreemption(p: Pod): boolean {
  if (!p.metadata.deletionTimestamp) return false;
  const c = p.status?.conditions?.find((x) => x.type === "DisruptionTarget");
  return c?.status === "True" && c.reason === PREEMPTION_BY_SCHEDULER;
}

/** PodEligibleToPreemptOthers: undefined when `pod` may preempt, else why not (the PostFilter's message). */
export function notEligibleToPreempt(pod: Pod, nodes: readonly NodeInfo[], nominatedStatus: FilterStatus | undefined): string | undefined {
  if (pod.spec.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
  const nominated = pod.status?.nominatedNodeName;
  if (!nominated) return undefined;
  // The nominated node now refuses the pod for good: preempt elsewhere.
  if (nominatedStatus?.code === "UnschedulableAndUnresolvable") return undefined;
  const info = nodes.find((n) => n.node.metadata.name === nominated);
  const waiting = info?.pods.some((p) => podPriority(p) < podPriority(pod) && terminatingByPreemption(p));
  return waiting ? "not eligible due to a terminating pod on the nominated node." : undefined;
}

/**
 * filterPodsWithPDBViolation: walks `pods` in order, spending each matching budget's disruptionsAllowed; a pod that
 * takes some budget below zero violates it. Pods the eviction API already counted (status.disruptedPods) spend
 * nothing. Pods without labels match no budget.
 */
export function splitByPdbViolation(pods: readonly Pod[], pdbs: readonly PodDisruptionBudget[]): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const violating: Pod[] = [];
  const nonViolating: Pod[] = [];
  for (const pod of pods) {
    let violated = false;
    if (Object.keys(pod.metadata.labels ?? {}).length) {
      pdbs.forEach((pdb, i) => {
        if ((pdb.metadata.namespace ?? "default") !== (pod.metadata.namespace ?? "default") || !budgetSelects(pdb, pod)) return;
        if (pdb.status?.disruptedPods?.[pod.metadata.name ?? ""] !== undefined) return;
        if (--allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

/**
 * RunFilterPluginsWithNominatedPods for `ctx.pod` on `info` holding `pods` instead of its own: PreFilter recomputed
 * over the changed view of the cluster, then the node's filters. Undefined when the pod fits.
 */
export function filterWithPods(ctx: CycleContext, profile: Profile, info: NodeInfo, pods: Pod[]): FilterStatus | undefined {
  const changed = nodeInfoOf(info.node, pods);
  const snapshot = { ...ctx.snapshot, nodes: ctx.snapshot.nodes.map((n) => (n === info ? changed : n)) };
  const view: CycleContext = { pod: ctx.pod, snapshot, state: new CycleState() };
  const skipped = new Set<string>();
  return runPreFilter(view, profile, skipped) ?? filterWithNominated(view, profile, skipped, changed);
}

export interface Victims {
  /** Most important first. */
  pods: Pod[];
  numPDBViolations: number;
}

/** SelectVictimsOnNode: the fewest pods to remove from `info` for the pod to fit, or the node's status. */
export function selectVictimsOnNode(ctx: CycleContext, profile: Profile, info: NodeInfo, pdbs: readonly PodDisruptionBudget[], now: number): Victims | { status: FilterStatus } {
  const priority = podPriority(ctx.pod);
  const potential = info.pods.filter((p) => podPriority(p) < priority);
  if (potential.length === 0) return { status: { plugin: "DefaultPreemption", code: "UnschedulableAndUnresolvable", reasons: [NO_PREEMPTION_VICTIMS] } };
  const kept = info.pods.filter((p) => podPriority(p) >= priority);
  const first = filterWithPods(ctx, profile, info, kept);
  if (first) return { status: first };
  potential.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  const { violating, nonViolating } = splitByPdbViolation(potential, pdbs);
  const victims: Pod[] = [];
  let numPDBViolations = 0;
  const reprieve = (p: Pod): boolean => {
    kept.push(p);
    if (!filterWithPods(ctx, profile, info, kept)) return true;
    kept.pop();
    victims.push(p);
    return false;
  };
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of nonViolating) reprieve(p);
  if (violating.length && nonViolating.length) victims.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  return { pods: victims, numPDBViolations };
}

export interface Candidate {
  node: string;
  victims: Victims;
}

/** GetEarliestPodStartTime: the earliest start among the victims of the highest priority. */
function earliestStartOfTopVictims(v: Victims, now: number): number {
  const top = Math.max(...v.pods.map(podPriority));
  return Math.min(...v.pods.filter((p) => podPriority(p) === top).map((p) => startTime(p, now)));
}

const MAX_INT32_PLUS_1 = 2 ** 31;

/** pickOneNodeForPreemption: each criterion in turn narrows the candidates to its best; the first is left. */
export function pickOneNodeForPreemption(candidates: readonly Candidate[], now: number): Candidate | undefined {
  const criteria: ((c: Candidate) => number)[] = [
    (c) => -c.victims.numPDBViolations,
    (c) => -podPriority(c.victims.pods[0]),
    // Priorities shifted to be non-negative, so that fewer pods of a negative priority still weigh less.
    (c) => -c.victims.pods.reduce((sum, p) => sum + podPriority(p) + MAX_INT32_PLUS_1, 0),
    (c) => -c.victims.pods.length,
    (c) => earliestStartOfTopVictims(c.victims, now),
  ];
  let left = [...candidates];
  for (const score of criteria) {
    if (left.length <= 1) break;
    const scores = left.map(score);
    const best = Math.max(...scores);
    left = left.filter((_, i) => scores[i] === best);
  }
  return left[0];
}

const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/** calculateNumCandidates: 10% of the potential nodes, at least 100, at most all. */
export function numCandidates(numNodes: number): number {
  return Math.min(numNodes, Math.max(MIN_CANDIDATE_NODES_ABSOLUTE, Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100)));
}

export type PreemptionResult =
  /** Preempt `victims` on `node`, nominate the pod there, and clear the nominations of `lowerNominated`. */
  | { kind: "preempt"; node: string; victims: Pod[]; lowerNominated: Pod[] }
  /** No preemption: the PostFilter message ("preemption: …"); `clearNomination` when the pod's nomination goes. */
  | { kind: "none"; message: string; clearNomination: boolean };

export interface PreemptOptions {
  pdbs: readonly PodDisruptionBudget[];
  /** The clock's time, for pods that have not started. */
  now: number;
  /** [0, 1): where among the potential nodes the dry run starts. */
  random?: () => number;
}

/** Evaluator.Preempt for the pod of `err.ctx`, which every node refused as `err.statuses` says. */
export function preempt(err: FitError, profile: Profile, opts: PreemptOptions): PreemptionResult {
  const ctx = err.ctx;
  const pod = ctx.pod;
  const nodes = ctx.snapshot.nodes;
  const nominated = pod.status?.nominatedNodeName;
  const why = notEligibleToPreempt(pod, nodes, nominated ? err.statuses.get(nominated) : undefined);
  if (why) return { kind: "none", message: `preemption: ${why}`, clearNomination: false };
  const potential = nodes.filter((n) => err.statuses.get(n.node.metadata.name ?? "")?.code === "Unschedulable");
  const statuses = new Map<string, string[]>();
  const found: Candidate[] = [];
  if (potential.length) {
    const want = numCandidates(potential.length);
    const offset = Math.floor((opts.random ?? Math.random)() * potential.length) % potential.length;
    let nonViolating = 0;
    for (let k = 0; k < potential.length && !(nonViolating > 0 && found.length >= want); k++) {
      const info = potential[(offset + k) % potential.length];
      const name = info.node.metadata.name ?? "";
      const r = selectVictimsOnNode(ctx, profile, info, opts.pdbs, opts.now);
      if ("status" in r) statuses.set(name, r.status.reasons);
      else if (r.pods.length === 0) statuses.set(name, [`expected at least one victim pod on node "${name}"`]);
      else {
        found.push({ node: name, victims: r });
        if (r.numPDBViolations === 0) nonViolating++;
      }
    }
  }
  // Candidates without PDB violations first, as DryRunPreemption returns them.
  const ordered = [...found.filter((c) => c.victims.numPDBViolations === 0), ...found.filter((c) => c.victims.numPDBViolations > 0)];
  const best = pickOneNodeForPreemption(ordered, opts.now);
  if (!best) {
    const reasons = nodes.flatMap((n) => statuses.get(n.node.metadata.name ?? "") ?? [PREEMPTION_NOT_HELPFUL]);
    return { kind: "none", message: `preemption: 0/${nodes.length} nodes are available: ${countedReasons(reasons)}`, clearNomination: true };
  }
  const lowerNominated = ctx.snapshot.nominated.filter((p) => p.status?.nominatedNodeName === best.node && p.metadata.uid !== pod.metadata.uid && podPriority(p) < podPriority(pod));
  return { kind: "preempt", node: best.node, victims: best.victims.pods, lowerNominated };
}
