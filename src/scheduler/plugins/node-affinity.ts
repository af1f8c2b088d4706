/**
 * NodeAffinity (plugins/nodeaffinity): Filter applies the nodeSelector and the required node affinity; Score sums
 * the weights of the preferred terms the node matches, normalized so the best node has 100.
 */
import { matchesNodeSelectorTerms, nodeAffinity as filter, type NodeSelectorTerm } from "../../api/scheduling.js";
import type { Pod } from "../../api/types.js";
import type { Plugin } from "../types.js";
import { defaultNormalizeScore } from "./normalize.js";

interface PreferredTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

function preferredTerms(pod: Pod): PreferredTerm[] {
  return pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
}

export const nodeAffinity: Plugin = {
  name: "NodeAffinity",
  filter: ({ pod }, info) => filter(pod, info),
  preScore: ({ pod }) => (preferredTerms(pod).length === 0 ? "skip" : undefined),
  score: ({ pod }, { node }) => preferredTerms(pod).reduce((sum, t) => sum + (t.weight && matchesNodeSelectorTerms([t.preference], node) ? t.weight : 0), 0),
  normalizeScore: (_ctx, scores) => defaultNormalizeScore(scores, false),
};
