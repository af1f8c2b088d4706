/**
 * TaintToleration (plugins/tainttoleration): Filter refuses a node with an untolerated NoSchedule/NoExecute taint;
 * Score counts the PreferNoSchedule taints the pod does not tolerate (with its tolerations of effect "" or
 * PreferNoSchedule), normalized reversed so that fewer is better.
 */
import { taintToleration as filter, toleratesTaint } from "../../api/scheduling.js";
import type { Taint, Toleration } from "../../api/types.js";
import type { Plugin } from "../types.js";
import { defaultNormalizeScore } from "./normalize.js";

const KEY = "PreScoreTaintToleration";

export const taintToleration: Plugin = {
  name: "TaintToleration",
  filter: ({ pod }, info) => filter(pod, info),
  preScore: ({ pod, state }) => {
    state.write(KEY, (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule"));
    return undefined;
  },
  score: ({ state }, { node }) => {
    const tolerations = state.read<Toleration[]>(KEY) ?? [];
    return ((node.spec?.taints ?? []) as Taint[]).filter((taint) => taint.effect === "PreferNoSchedule" && !tolerations.some((t) => toleratesTaint(t, taint))).length;
  },
  normalizeScore: (_ctx, scores) => defaultNormalizeScore(scores, true),
};
