/**
 * The Eviction subresource's decisions (pkg/registry/core/pod/storage/eviction.go), pure: which budgets cover a pod,
 * whether a pod may go without consulting them, and the check-and-decrement of the one budget that covers it. The
 * handler (apiserver/handlers/eviction.ts) reads the objects, applies the outcome and writes.
 */
import { ApiError } from "./errors.js";
import { clone } from "./json.js";
import { selects } from "./labels.js";
import { DISRUPTION_ALLOWED, DISRUPTION_BUDGET_CAUSE, PDB_REASONS, type MetaCondition, type PodDisruptionBudget } from "./policy-types.js";
import type { Pod, PodCondition } from "./types.js";

/** The refusal's message (eviction.go). */
export const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";
/** Evictions the controller has not confirmed yet, at most (MaxDisruptedPodSize). */
export const MAX_DISRUPTED_PODS = 2000;

/** The condition the eviction puts on a pod before deleting it. */
export function evictionCondition(now: string): PodCondition {
  return { type: "DisruptionTarget", status: "True", lastProbeTime: null, lastTransitionTime: now, reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" };
}

/**
 * Whether budget `pdb`'s selector covers `pod`, as eviction.go and the scheduler's preemption read it: a nil or empty
 * selector covers nothing here (not everything), nor does one that does not convert. Namespaces are the caller's.
 */
export function budgetSelects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  const sel = pdb.spec?.selector;
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length)) return false;
  return selects(sel, pod.metadata.labels);
}

/** The budgets of `pod`'s namespace that cover it (budgetSelects). */
export function budgetsForPod(pod: Pod, budgets: PodDisruptionBudget[]): PodDisruptionBudget[] {
  return budgets.filter((b) => (b.metadata.namespace ?? "") === (pod.metadata.namespace ?? "") && budgetSelects(b, pod));
}

const isReady = (pod: Pod): boolean => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** canIgnorePDB: a finished, pending or terminating pod disrupts nothing more by going. */
export function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending" || !!pod.metadata.deletionTimestamp;
}

/** shouldEnforceResourceVersion: deleting a live pod is conditioned on the version the decision was made on. */
export function shouldEnforceResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !(phase === "Succeeded" || phase === "Failed" || pod.metadata.deletionTimestamp);
}

/**
 * An unready pod may go without spending the budget when the budget is met anyway, or when the budget's
 * unhealthyPodEvictionPolicy is AlwaysAllow; the delete is then conditioned on the pod's resourceVersion.
 */
export function unhealthyMayGo(pod: Pod, pdb: PodDisruptionBudget): boolean {
  if (isReady(pod)) return false;
  const s = pdb.status;
  if (s && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0) return true;
  return pdb.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow";
}

/** The 429 of a budget that allows no disruption now; `retryAfterSeconds` 10 while the budget is not processed yet. */
export function tooManyRequests(causeMessage: string, retryAfterSeconds: number): ApiError {
  const causes = [{ reason: DISRUPTION_BUDGET_CAUSE, message: causeMessage }];
  return new ApiError("TooManyRequests", EVICTION_REFUSED, retryAfterSeconds > 0 ? { causes, retryAfterSeconds } : { causes });
}

/** createTooManyRequestsError: the budget's status is older than its spec (or the pod became ready meanwhile). */
export function stillProcessing(pdbName: string): ApiError {
  return tooManyRequests(`The disruption budget ${pdbName} is still being processed by the server.`, 10);
}

/** apimeta.SetStatusCondition: replaces the condition of the same type, keeping its transition time if the status stays. */
export function setMetaCondition(conditions: MetaCondition[] | undefined, next: MetaCondition): MetaCondition[] {
  const old = (conditions ?? []).find((c) => c.type === next.type);
  const merged = old && old.status === next.status ? { ...next, lastTransitionTime: old.lastTransitionTime } : next;
  return [...(conditions ?? []).filter((c) => c.type !== next.type), merged];
}

/** UpdateDisruptionAllowedCondition: True/SufficientPods while disruptions are allowed, else False/InsufficientPods. */
export function withDisruptionAllowedCondition(pdb: PodDisruptionBudget, now: string): MetaCondition[] {
  const s = pdb.status;
  const allowed = (s?.disruptionsAllowed ?? 0) > 0;
  return setMetaCondition(s?.conditions, {
    type: DISRUPTION_ALLOWED,
    status: allowed ? "True" : "False",
    reason: allowed ? PDB_REASONS.sufficient : PDB_REASONS.insufficient,
    message: "",
    observedGeneration: s?.observedGeneration,
    lastTransitionTime: now,
  });
}

/**
 * checkAndDecrement: the budget after evicting `podName`, or the error refusing it. Under dryRun the budget is
 * checked and not recorded (the caller does not write it).
 */
export function checkAndDecrement(pdb: PodDisruptionBudget, podName: string, now: string): PodDisruptionBudget {
  const s = pdb.status;
  const name = pdb.metadata.name ?? "";
  if (!s || (s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw stillProcessing(name);
  if (s.disruptionsAllowed < 0) throw ApiError.forbidden("poddisruptionbudgets", name, "pdb disruptions allowed is negative", "policy");
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw ApiError.forbidden("poddisruptionbudgets", name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller", "policy");
  }
  if (s.disruptionsAllowed === 0) {
    throw tooManyRequests(`The disruption budget ${name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`, 0);
  }
  const next = clone(pdb);
  const ns = next.status!;
  ns.disruptionsAllowed -= 1;
  if (ns.disruptionsAllowed === 0) ns.conditions = withDisruptionAllowedCondition(next, now);
  ns.disruptedPods = { ...ns.disruptedPods, [podName]: now };
  return next;
}
