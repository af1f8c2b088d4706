/** helper.DefaultNormalizeScore (plugins/helper/normalize_score.go). */
import { MAX_NODE_SCORE } from "../types.js";

/** Scaled so the highest is 100 (reversed: the lowest is 100); all 0 stays 0 (reversed: all 100). */
export function defaultNormalizeScore(scores: readonly number[], reverse: boolean): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return scores.map((s) => {
    const n = Math.trunc((MAX_NODE_SCORE * s) / max);
    return reverse ? MAX_NODE_SCORE - n : n;
  });
}
