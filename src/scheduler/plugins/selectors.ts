/**
 * Label selectors as the scheduler's plugins read them: api/labels.ts's selectorPredicate (a nil selector matches
 * nothing and an empty one everything, as metav1.LabelSelectorAsSelector; one that does not parse matches nothing).
 */
import type { LabelSelector } from "../../api/types.js";

export type Matcher = (labels: Record<string, string> | undefined) => boolean;

/** The selector with `key In (value)` added for each of `keys` the pod has (matchLabelKeys). */
export function withMatchLabelKeys(sel: LabelSelector | undefined, keys: readonly string[] | undefined, podLabels: Record<string, string> | undefined): LabelSelector | undefined {
  if (!sel || !keys?.length) return sel;
  const extra = keys.filter((k) => podLabels?.[k] !== undefined).map((k) => ({ key: k, operator: "In" as const, values: [podLabels![k]] }));
  return extra.length ? { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), ...extra] } : sel;
}
