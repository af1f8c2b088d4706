/**
 * From the count the metrics ask for to the count the autoscaler sets (pkg/controller/podautoscaler/horizontal.go),
 * pure over a per-autoscaler History the controller keeps in memory:
 * - without spec.behavior (normalizeDesiredReplicas): the highest recommendation of the downscale stabilization
 *   window (5 minutes) wins, then the count is held within minReplicas, maxReplicas and a scale-up limit of
 *   max(2 × current, 4);
 * - with spec.behavior (normalizeDesiredReplicasWithBehaviors): the recommendation is held between the lowest of
 *   the scale-up window and the highest of the scale-down window, then limited by the policies of the direction
 *   (Pods / Percent per period, counted from the scale events of that period; selectPolicy Max, Min or Disabled).
 * Each returns the AbleToScale reason/message and the ScalingLimited status/reason/message upstream sets.
 */
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from "../../api/autoscaling-types.js";

/** --horizontal-pod-autoscaler-downscale-stabilization. */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

export interface Recommendation {
  replicas: number;
  at: number;
}

export interface ScaleEvent {
  change: number;
  at: number;
}

/** What the controller remembers of one autoscaler between syncs. */
export interface History {
  recommendations: Recommendation[];
  scaleUp: ScaleEvent[];
  scaleDown: ScaleEvent[];
}

export const newHistory = (): History => ({ recommendations: [], scaleUp: [], scaleDown: [] });

export interface Normalized {
  replicas: number;
  ableToScale: { reason: string; message: string };
  limited: { status: boolean; reason: string; message: string };
}

/** recordInitialRecommendation: the current count is the first recommendation. */
export function recordInitial(h: History, current: number, now: number): void {
  if (h.recommendations.length === 0) h.recommendations.push({ replicas: current, at: now });
}

/** Records `replicas` at `now`, reusing the slot of a recommendation older than every window (upstream's bounded list). */
function record(h: History, replicas: number, now: number, stale: number | undefined): void {
  if (stale !== undefined) h.recommendations[stale] = { replicas, at: now };
  else h.recommendations.push({ replicas, at: now });
}

const stabilizedAble = (raised: boolean): Normalized["ableToScale"] =>
  raised
    ? { reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" }
    : { reason: "ReadyForNewScale", message: "recommended size matches current size" };

/** normalizeDesiredReplicas (no behavior). */
export function normalizeWithoutBehavior(h: History, args: { current: number; desired: number; min: number; max: number; now: number }): Normalized {
  const cutoff = args.now - DOWNSCALE_STABILIZATION_MS;
  let stabilized = args.desired;
  let stale: number | undefined;
  h.recommendations.forEach((r, i) => {
    if (r.at < cutoff) stale = i;
    else if (r.replicas > stabilized) stabilized = r.replicas;
  });
  record(h, args.desired, args.now, stale);
  const ableToScale = stabilizedAble(stabilized !== args.desired);
  const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * args.current, SCALE_UP_LIMIT_MINIMUM);
  let maxAllowed = args.max;
  let limit = { reason: "TooManyReplicas", message: "the desired replica count is more than the maximum replica count" };
  if (args.max > scaleUpLimit) {
    maxAllowed = scaleUpLimit;
    limit = { reason: "ScaleUpLimit", message: "the desired replica count is increasing faster than the maximum scale rate" };
  }
  let replicas = stabilized;
  let reason = { reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
  if (stabilized < args.min) {
    replicas = args.min;
    reason = { reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" };
  } else if (stabilized > maxAllowed) {
    replicas = maxAllowed;
    reason = limit;
  }
  return { replicas, ableToScale, limited: { status: replicas !== stabilized, ...reason } };
}

/** The change of replicas the events of the last `periodSeconds` made. */
function changeInPeriod(events: ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((n, e) => n + e.change, 0);
}

/** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
function policyLimit(up: boolean, current: number, h: History, rules: HPAScalingRules, now: number): number {
  const select = rules.selectPolicy ?? "Max";
  if (select === "Disabled") return current;
  // For scaling up the biggest change is the highest count; for scaling down, the lowest. Min picks the smallest change.
  const pickHigh = up === (select === "Max");
  let result = pickHigh ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(h.scaleUp, p.periodSeconds, now) + changeInPeriod(h.scaleDown, p.periodSeconds, now);
    let proposed: number;
    if (up) proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    else proposed = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pickHigh ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return Number.isFinite(result) ? result : current;
}

/** normalizeDesiredReplicasWithBehaviors; `behavior` is defaulted (both directions present). */
export function normalizeWithBehavior(
  h: History,
  behavior: HorizontalPodAutoscalerBehavior,
  args: { current: number; desired: number; min: number; max: number; now: number },
): Normalized {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  const upCutoff = args.now - (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff = args.now - (down.stabilizationWindowSeconds ?? DOWNSCALE_STABILIZATION_MS / 1000) * 1000;
  let upRec = args.desired;
  let downRec = args.desired;
  let stale: number | undefined;
  h.recommendations.forEach((r, i) => {
    if (r.at > upCutoff) upRec = Math.min(upRec, r.replicas);
    if (r.at > downCutoff) downRec = Math.max(downRec, r.replicas);
    if (r.at < upCutoff && r.at < downCutoff) stale = i;
  });
  const stabilized = Math.min(Math.max(args.current, upRec), downRec);
  record(h, args.desired, args.now, stale);
  const ableToScale =
    stabilized === args.desired
      ? { reason: "ReadyForNewScale", message: "recommended size matches current size" }
      : args.desired >= args.current
        ? { reason: "ScaleUpStabilized", message: "recent recommendations were lower than current one, applying the lowest recent recommendation" }
        : stabilizedAble(true);
  let reason = { reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
  let replicas = stabilized;
  if (stabilized > args.current) {
    const limit = Math.max(policyLimit(true, args.current, h, up, args.now), args.current);
    let maxAllowed = args.max;
    let why = { reason: "TooManyReplicas", message: "the desired replica count is more than the maximum replica count" };
    if (maxAllowed > limit) {
      maxAllowed = limit;
      why = { reason: "ScaleUpLimit", message: "the desired replica count is increasing faster than the maximum scale rate" };
    }
    if (stabilized > maxAllowed) [replicas, reason] = [maxAllowed, why];
  } else if (stabilized < args.current) {
    const limit = Math.min(policyLimit(false, args.current, h, down, args.now), args.current);
    let minAllowed = args.min;
    let why = { reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" };
    if (minAllowed < limit) {
      minAllowed = limit;
      why = { reason: "ScaleDownLimit", message: "the desired replica count is decreasing faster than the maximum scale rate" };
    }
    if (stabilized < minAllowed) [replicas, reason] = [minAllowed, why];
  }
  return { replicas, ableToScale, limited: { status: replicas !== stabilized, ...reason } };
}

function longestPeriod(rules: HPAScalingRules | undefined): number {
  return Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));
}

/** storeScaleEvent: only with a behavior (the policies are what reads them); events past the longest period are dropped. */
export function recordScale(h: History, behavior: HorizontalPodAutoscalerBehavior | undefined, prev: number, next: number, now: number): void {
  if (!behavior || prev === next) return;
  const up = next > prev;
  const keepMs = longestPeriod(up ? behavior.scaleUp : behavior.scaleDown) * 1000;
  const events = (up ? h.scaleUp : h.scaleDown).filter((e) => e.at >= now - keepMs);
  events.push({ change: Math.abs(next - prev), at: now });
  if (up) h.scaleUp = events;
  else h.scaleDown = events;
}
