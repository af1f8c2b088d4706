/**
 * InterPodAffinity (plugins/interpodaffinity, v1.32). Filter, from counts per topology pair (key, value of the node
 * an existing pod runs on): the pod's required affinity terms need a matching pod in the node's domain of every term
 * (or, for the first pod of a group that matches its own terms, no matching pod anywhere); its required
 * anti-affinity terms need none; and no existing pod's required anti-affinity may match it in a domain the node
 * belongs to. Score: the weights of the pod's preferred terms matched by existing pods, minus those of its preferred
 * anti-affinity, plus existing pods' required affinity (hardPodAffinityWeight 1) and preferred (anti-)affinity terms
 * that match the pod, summed per domain and normalized from the lowest (0) to the highest (100).
 */
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "../../api/types.js";
import { MAX_NODE_SCORE, statePreFilter, type CycleContext, type NodeInfo, type Plugin, type Snapshot } from "../types.js";
import { selectorPredicate } from "../../api/labels.js";
import type { Matcher } from "./selectors.js";

export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** args.HardPodAffinityWeight's default. */
const HARD_POD_AFFINITY_WEIGHT = 1;

interface AffinityTerm {
  namespaces: Set<string>;
  namespaceSelector: Matcher;
  selector: Matcher;
  topologyKey: string;
}

interface WeightedTerm extends AffinityTerm {
  weight: number;
}

/** newAffinityTerm: no namespaces and no namespaceSelector mean the owning pod's namespace. */
function affinityTerm(owner: Pod, t: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(owner.metadata.namespace ?? "default");
  return { namespaces, namespaceSelector: selectorPredicate(t.namespaceSelector), selector: selectorPredicate(t.labelSelector), topologyKey: t.topologyKey };
}

/** AffinityTerm.Matches. */
function termMatches(t: AffinityTerm, pod: Pod, snapshot: Snapshot): boolean {
  const ns = pod.metadata.namespace ?? "default";
  if (!t.namespaces.has(ns) && !t.namespaceSelector(snapshot.namespaceLabels(ns) ?? {})) return false;
  return t.selector(pod.metadata.labels);
}

/** The pod's terms (framework.PodInfo's RequiredAffinityTerms etc.), parsed once per pod object. */
interface PodTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedTerm[];
  preferredAntiAffinity: WeightedTerm[];
}

const parsed = new WeakMap<Pod, PodTerms>();

function termsOf(pod: Pod): PodTerms {
  let t = parsed.get(pod);
  if (t) return t;
  const a = pod.spec.affinity;
  const weighted = (w: WeightedPodAffinityTerm[] | undefined): WeightedTerm[] =>
    (w ?? []).filter((x) => x.weight).map((x) => ({ ...affinityTerm(pod, x.podAffinityTerm), weight: x.weight }));
  t = {
    requiredAffinity: (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => affinityTerm(pod, x)),
    requiredAntiAffinity: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => affinityTerm(pod, x)),
    preferredAffinity: weighted(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weighted(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  parsed.set(pod, t);
  return t;
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

class Counts extends Map<string, number> {
  /** topologyToMatchedTermCount.update: only nodes with the key count; entries down to 0 are removed. */
  bump(labels: Record<string, string> | undefined, key: string, by: number): void {
    const value = labels?.[key];
    if (value === undefined) return;
    const k = pairKey(key, value);
    const n = (this.get(k) ?? 0) + by;
    if (n === 0) this.delete(k);
    else this.set(k, n);
  }
}

interface FilterState {
  terms: PodTerms;
  existingAntiAffinity: Counts;
  affinity: Counts;
  antiAffinity: Counts;
}

const FILTER_KEY = "PreFilterInterPodAffinity";
const SCORE_KEY = "PreScoreInterPodAffinity";

function preFilter(ctx: CycleContext): FilterState | undefined {
  const { pod, snapshot } = ctx;
  const terms = termsOf(pod);
  const existingAntiAffinity = new Counts();
  const affinity = new Counts();
  const antiAffinity = new Counts();
  let anyExistingAnti = false;
  // Without required terms of its own, only the existing pods' required anti-affinity can refuse the pod.
  const ownRequired = terms.requiredAffinity.length > 0 || terms.requiredAntiAffinity.length > 0;
  for (const info of snapshot.nodes) {
    const labels = info.node.metadata.labels;
    for (const existing of ownRequired ? info.pods : info.podsWithRequiredAntiAffinity) {
      const theirs = termsOf(existing).requiredAntiAffinity;
      if (theirs.length) anyExistingAnti = true;
      for (const t of theirs) if (termMatches(t, pod, snapshot)) existingAntiAffinity.bump(labels, t.topologyKey, 1);
      if (terms.requiredAffinity.length && terms.requiredAffinity.every((t) => termMatches(t, existing, snapshot))) {
        for (const t of terms.requiredAffinity) affinity.bump(labels, t.topologyKey, 1);
      }
      for (const t of terms.requiredAntiAffinity) if (termMatches(t, existing, snapshot)) antiAffinity.bump(labels, t.topologyKey, 1);
    }
  }
  if (!anyExistingAnti && terms.requiredAffinity.length === 0 && terms.requiredAntiAffinity.length === 0) return undefined;
  return { terms, existingAntiAffinity, affinity, antiAffinity };
}

function satisfiesPodAffinity(s: FilterState, ctx: CycleContext, labels: Record<string, string>): boolean {
  let podsExist = true;
  for (const t of s.terms.requiredAffinity) {
    const value = labels[t.topologyKey];
    if (value === undefined) return false;
    if ((s.affinity.get(pairKey(t.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: allowed while no pod anywhere matches the terms.
  return s.affinity.size === 0 && s.terms.requiredAffinity.every((t) => termMatches(t, ctx.pod, ctx.snapshot));
}

function filter(ctx: CycleContext, { node }: NodeInfo) {
  const s = ctx.state.read<FilterState>(FILTER_KEY);
  if (!s) return undefined;
  const labels = node.metadata.labels ?? {};
  if (!satisfiesPodAffinity(s, ctx, labels)) return { plugin: "InterPodAffinity", code: "UnschedulableAndUnresolvable" as const, reasons: [ERR_REASON_AFFINITY] };
  if (s.antiAffinity.size > 0 && s.terms.requiredAntiAffinity.some((t) => labels[t.topologyKey] !== undefined && (s.antiAffinity.get(pairKey(t.topologyKey, labels[t.topologyKey])) ?? 0) > 0)) {
    return { plugin: "InterPodAffinity", code: "Unschedulable" as const, reasons: [ERR_REASON_ANTI_AFFINITY] };
  }
  if (s.existingAntiAffinity.size > 0 && Object.entries(labels).some(([k, v]) => (s.existingAntiAffinity.get(pairKey(k, v)) ?? 0) > 0)) {
    return { plugin: "InterPodAffinity", code: "Unschedulable" as const, reasons: [ERR_REASON_EXISTING_ANTI_AFFINITY] };
  }
  return undefined;
}

/** topologyKey → value → score. */
type TopologyScore = Map<string, Map<string, number>>;

function addScore(m: TopologyScore, t: AffinityTerm, weight: number, target: Pod, labels: Record<string, string>, snapshot: Snapshot): void {
  const value = labels[t.topologyKey];
  if (value === undefined || !termMatches(t, target, snapshot)) return;
  let byValue = m.get(t.topologyKey);
  if (!byValue) m.set(t.topologyKey, (byValue = new Map<string, number>()));
  byValue.set(value, (byValue.get(value) ?? 0) + weight);
}

function preScore(ctx: CycleContext, feasible: readonly NodeInfo[]): "skip" | undefined {
  const { pod, snapshot } = ctx;
  if (feasible.length === 0) return "skip";
  const mine = termsOf(pod);
  const hasConstraints = mine.preferredAffinity.length > 0 || mine.preferredAntiAffinity.length > 0;
  const scores: TopologyScore = new Map();
  for (const info of snapshot.nodes) {
    const labels = info.node.metadata.labels ?? {};
    if (Object.keys(labels).length === 0) continue;
    // Without preferred terms of its own, only existing pods with (anti-)affinity terms add to the scores.
    for (const existing of hasConstraints ? info.pods : info.podsWithAffinity) {
      const theirs = termsOf(existing);
      const theirsCount = theirs.requiredAffinity.length + theirs.preferredAffinity.length + theirs.preferredAntiAffinity.length + theirs.requiredAntiAffinity.length;
      if (!hasConstraints && theirsCount === 0) continue;
      for (const t of mine.preferredAffinity) addScore(scores, t, t.weight, existing, labels, snapshot);
      for (const t of mine.preferredAntiAffinity) addScore(scores, t, -t.weight, existing, labels, snapshot);
      for (const t of theirs.requiredAffinity) addScore(scores, t, HARD_POD_AFFINITY_WEIGHT, pod, labels, snapshot);
      for (const t of theirs.preferredAffinity) addScore(scores, t, t.weight, pod, labels, snapshot);
      for (const t of theirs.preferredAntiAffinity) addScore(scores, t, -t.weight, pod, labels, snapshot);
    }
  }
  if (scores.size === 0) return "skip";
  ctx.state.write(SCORE_KEY, scores);
  return undefined;
}

function score(ctx: CycleContext, { node }: NodeInfo): number {
  const scores = ctx.state.read<TopologyScore>(SCORE_KEY)!;
  let total = 0;
  for (const [key, byValue] of scores) {
    const value = node.metadata.labels?.[key];
    if (value !== undefined) total += byValue.get(value) ?? 0;
  }
  return total;
}

function normalizeScore(_ctx: CycleContext, scores: number[]): number[] {
  const min = Math.min(...scores);
  const diff = Math.max(...scores) - min;
  return scores.map((s) => (diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s - min) / diff)) : 0));
}

export const interPodAffinity: Plugin = {
  name: "InterPodAffinity",
  preFilter: statePreFilter(FILTER_KEY, preFilter),
  filter,
  preScore,
  score,
  normalizeScore,
};
