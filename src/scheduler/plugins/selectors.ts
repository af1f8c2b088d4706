/**
 * Label selectors as the scheduler's plugins read them: a nil selector matches nothing and an empty one everything
 * (metav1.LabelSelectorAsSelector), a selector that does not parse matches nothing (validation keeps those out).
 */
import { labelSelectorMatcher } from "../../api/labels.js";
import type { LabelSelector } from "../../api/types.js";

export type Matcher = (labels: Record<string, string> | undefined) => boolean;

export const NOTHING: Matcher = () => false;

export function selectorMatcher(sel: LabelSelector | undefined | null): Matcher {
  if (!sel) return NOTHING;
  try {
    const m = labelSelectorMatcher(sel);
    return (labels) => m.matches(labels);
  } catch {
    return NOTHING;
  }
}

/** The selector with `key In (value)` added for each of `keys` the pod has (matchLabelKeys). */
export function withMatchLabelKeys(sel: LabelSelector | undefined, keys: readonly string[] | undefined, podLabels: Record<string, string> | undefined): LabelSelector | undefined {
  if (!sel || !keys?.length) return sel;
  const extra = keys.filter((k) => podLabels?.[k] !== undefined).map((k) => ({ key: k, operator: "In" as const, values: [podLabels![k]] }));
  return extra.length ? { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), ...extra] } : sel;
}
