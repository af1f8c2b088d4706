/**
 * PodTopologySpread (plugins/podtopologyspread, v1.32): pods matching a constraint's selector are counted per
 * topology domain (the values of its topologyKey) over the nodes the constraint includes (nodeAffinityPolicy Honor:
 * nodes matching the pod's nodeSelector/required affinity; nodeTaintsPolicy Honor: nodes whose taints it tolerates).
 * Filter (DoNotSchedule): `count(domain) + self − global minimum ≤ maxSkew`, the minimum taken as 0 while fewer than
 * minDomains domains exist; a node without the key cannot take the pod. Score (ScheduleAnyway): per constraint
 * `count · log(domains + 2) + maxSkew − 1`, fewer is better after normalization. A pod without constraints gets the
 * system defaults (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) over helper.DefaultSelector.
 */
import { matchesNodeAffinity, untoleratedTaint } from "../../api/scheduling.js";
import type { Node, Pod, Taint, TopologySpreadConstraint } from "../../api/types.js";
import { MAX_NODE_SCORE, statePreFilter, type CycleContext, type NodeInfo, type Plugin } from "../types.js";
import { defaultSelector } from "./default-selector.js";
import { selectorPredicate } from "../../api/labels.js";
import { withMatchLabelKeys, type Matcher } from "./selectors.js";

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_ZONE = "topology.kubernetes.io/zone";

/** The system default constraints (config/v1 defaults.go systemDefaultConstraints). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly Omit<TopologySpreadConstraint, "labelSelector">[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: "ScheduleAnyway", maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: "ScheduleAnyway", maxSkew: 5 },
];

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  selector: Matcher;
  honorAffinity: boolean;
  honorTaints: boolean;
}

type Action = TopologySpreadConstraint["whenUnsatisfiable"];

function constraintsFor(pod: Pod, action: Action, ctx: CycleContext): { constraints: Constraint[]; systemDefaulted: boolean } {
  const own = pod.spec.topologySpreadConstraints ?? [];
  const build = (c: Omit<TopologySpreadConstraint, "labelSelector">, matcher: Matcher): Constraint => ({
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    minDomains: c.minDomains ?? 1,
    selector: matcher,
    honorAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
    honorTaints: c.nodeTaintsPolicy === "Honor",
  });
  if (own.length > 0) {
    const constraints = own.filter((c) => c.whenUnsatisfiable === action).map((c) => build(c, selectorPredicate(withMatchLabelKeys(c.labelSelector, c.matchLabelKeys, pod.metadata.labels))));
    return { constraints, systemDefaulted: false };
  }
  const sel = defaultSelector(pod, ctx.snapshot.spreadSources);
  if (!sel) return { constraints: [], systemDefaulted: true };
  const matcher = selectorPredicate(sel);
  return { constraints: SYSTEM_DEFAULT_CONSTRAINTS.filter((c) => c.whenUnsatisfiable === action).map((c) => build(c, matcher)), systemDefaulted: true };
}

/** matchNodeInclusionPolicies. */
function includes(c: Constraint, pod: Pod, node: Node): boolean {
  if (c.honorAffinity && !matchesNodeAffinity(pod.spec, node)) return false;
  if (c.honorTaints && untoleratedTaint(pod.spec.tolerations, (node.spec?.taints ?? []) as Taint[])) return false;
  return true;
}

const hasAllKeys = (node: Node, constraints: readonly Constraint[]) => constraints.every((c) => node.metadata.labels?.[c.topologyKey] !== undefined);

/** countPodsMatchSelector: pods of the namespace, not being deleted, that the selector matches. */
function countMatching(pods: readonly Pod[], selector: Matcher, namespace: string): number {
  let n = 0;
  for (const p of pods) {
    if (!p.metadata.deletionTimestamp && (p.metadata.namespace ?? "default") === namespace && selector(p.metadata.labels)) n++;
  }
  return n;
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

interface FilterState {
  constraints: Constraint[];
  matchNum: Map<string, number>;
  domains: Map<string, number>;
  minimum: Map<string, number>;
}

interface ScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  pairCounts: Map<string, number>;
  weights: number[];
}

const FILTER_KEY = "PreFilterPodTopologySpread";
const SCORE_KEY = "PreScorePodTopologySpread";

function preFilter(ctx: CycleContext): FilterState | undefined {
  const { pod, snapshot } = ctx;
  const { constraints } = constraintsFor(pod, "DoNotSchedule", ctx);
  if (constraints.length === 0) return undefined;
  const ns = pod.metadata.namespace ?? "default";
  const matchNum = new Map<string, number>();
  for (const info of snapshot.nodes) {
    if (!hasAllKeys(info.node, constraints)) continue;
    for (const c of constraints) {
      if (!includes(c, pod, info.node)) continue;
      const pair = pairKey(c.topologyKey, info.node.metadata.labels![c.topologyKey]);
      matchNum.set(pair, (matchNum.get(pair) ?? 0) + countMatching(info.pods, c.selector, ns));
    }
  }
  const domains = new Map<string, number>();
  const minimum = new Map<string, number>();
  for (const [pair, n] of matchNum) {
    const key = pair.slice(0, pair.indexOf("\u0000"));
    domains.set(key, (domains.get(key) ?? 0) + 1);
    minimum.set(key, Math.min(minimum.get(key) ?? Infinity, n));
  }
  return { constraints, matchNum, domains, minimum };
}

function filter(ctx: CycleContext, { node }: NodeInfo) {
  const s = ctx.state.read<FilterState>(FILTER_KEY);
  if (!s) return undefined;
  for (const c of s.constraints) {
    const value = node.metadata.labels?.[c.topologyKey];
    if (value === undefined) return { plugin: "PodTopologySpread", code: "UnschedulableAndUnresolvable" as const, reasons: [ERR_REASON_NODE_LABEL_NOT_MATCH] };
    // With no domain at all the minimum stays at MaxInt32 upstream, so every node passes.
    const min = (s.domains.get(c.topologyKey) ?? 0) < c.minDomains ? 0 : (s.minimum.get(c.topologyKey) ?? Infinity);
    const self = c.selector(ctx.pod.metadata.labels) ? 1 : 0;
    const skew = (s.matchNum.get(pairKey(c.topologyKey, value)) ?? 0) + self - min;
    if (skew > c.maxSkew) return { plugin: "PodTopologySpread", code: "Unschedulable" as const, reasons: [ERR_REASON_CONSTRAINTS_NOT_MATCH] };
  }
  return undefined;
}

function preScore(ctx: CycleContext, feasible: readonly NodeInfo[]): "skip" | undefined {
  const { pod, snapshot } = ctx;
  if (feasible.length === 0 || snapshot.nodes.length === 0) return "skip";
  const { constraints, systemDefaulted } = constraintsFor(pod, "ScheduleAnyway", ctx);
  if (constraints.length === 0) return "skip";
  // Only non-default rules need every key on a node: a node without a zone still gets hostname spreading.
  const requireAll = !systemDefaulted;
  const ignored = new Set<string>();
  const pairCounts = new Map<string, number>();
  const sizes = constraints.map(() => 0);
  for (const { node } of feasible) {
    if (requireAll && !hasAllKeys(node, constraints)) {
      ignored.add(node.metadata.name!);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      const pair = pairKey(c.topologyKey, node.metadata.labels?.[c.topologyKey] ?? "");
      if (!pairCounts.has(pair)) {
        pairCounts.set(pair, 0);
        sizes[i]++;
      }
    });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignored.size : sizes[i]) + 2));
  const ns = pod.metadata.namespace ?? "default";
  for (const info of snapshot.nodes) {
    if (requireAll && !hasAllKeys(info.node, constraints)) continue;
    for (const c of constraints) {
      if (!includes(c, pod, info.node)) continue;
      const pair = pairKey(c.topologyKey, info.node.metadata.labels?.[c.topologyKey] ?? "");
      const count = pairCounts.get(pair);
      if (count === undefined) continue;
      pairCounts.set(pair, count + countMatching(info.pods, c.selector, ns));
    }
  }
  ctx.state.write(SCORE_KEY, { constraints, ignored, pairCounts, weights } satisfies ScoreState);
  return undefined;
}

function score(ctx: CycleContext, info: NodeInfo): number {
  const s = ctx.state.read<ScoreState>(SCORE_KEY)!;
  const node = info.node;
  if (s.ignored.has(node.metadata.name!)) return 0;
  const ns = ctx.pod.metadata.namespace ?? "default";
  let total = 0;
  s.constraints.forEach((c, i) => {
    const value = node.metadata.labels?.[c.topologyKey];
    if (value === undefined) return;
    const count = c.topologyKey === LABEL_HOSTNAME ? countMatching(info.pods, c.selector, ns) : (s.pairCounts.get(pairKey(c.topologyKey, value)) ?? 0);
    total += count * s.weights[i] + (c.maxSkew - 1);
  });
  return Math.round(total);
}

function normalizeScore(ctx: CycleContext, scores: number[], nodes: readonly NodeInfo[]): number[] {
  const s = ctx.state.read<ScoreState>(SCORE_KEY)!;
  const counted = scores.filter((_, i) => !s.ignored.has(nodes[i].node.metadata.name!));
  const min = Math.min(...counted);
  const max = Math.max(0, ...counted);
  return scores.map((v, i) => {
    if (s.ignored.has(nodes[i].node.metadata.name!)) return 0;
    if (max === 0) return MAX_NODE_SCORE;
    return Math.trunc((MAX_NODE_SCORE * (max + min - v)) / max);
  });
}

export const podTopologySpread: Plugin = {
  name: "PodTopologySpread",
  preFilter: statePreFilter(FILTER_KEY, preFilter),
  filter,
  preScore,
  score,
  normalizeScore,
};
