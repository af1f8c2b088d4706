/**
 * policy/v1 PodDisruptionBudget: preparation and validation (pkg/registry/policy/poddisruptionbudget/strategy.go,
 * ValidatePodDisruptionBudget in pkg/apis/policy/validation) with Kubernetes' field errors; and the Eviction body's
 * checks. The spec may change after creation (since 1.15); status is the disruption controller's.
 */
import { validateIntOrPercent } from "./apps.js";
import { child, invalid, notSupported, type ErrorList } from "./field.js";
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from "./policy-types.js";
import { strategy } from "./strategy.js";

const EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

/** The status of a new budget: zeros, as PrepareForCreate's empty status marshals. */
export function emptyPdbStatus(): PodDisruptionBudgetStatus {
  return { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
}

/** ValidatePodDisruptionBudgetSpec. */
export function validatePdbSpec(pdb: PodDisruptionBudget): ErrorList {
  const spec = pdb.spec;
  if (!spec || typeof spec !== "object") return [];
  const errs: ErrorList = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(spec.minAvailable) && has(spec.maxUnavailable)) errs.push(invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"));
  errs.push(...validateIntOrPercent(spec.minAvailable, "spec.minAvailable", true));
  errs.push(...validateIntOrPercent(spec.maxUnavailable, "spec.maxUnavailable", true));
  errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
  const policy = spec.unhealthyPodEvictionPolicy as string | undefined;
  if (has(policy) && !EVICTION_POLICIES.includes(policy)) errs.push(notSupported(child("spec", "unhealthyPodEvictionPolicy"), policy, EVICTION_POLICIES));
  return errs;
}

export const podDisruptionBudgetStrategy = strategy<PodDisruptionBudget>({
  hasStatus: true,
  defaults: (pdb) => {
    pdb.spec ??= {};
  },
  prepareForCreate: (pdb) => {
    pdb.status = emptyPdbStatus();
  },
  validateCreate: (pdb) => [...validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain), ...validatePdbSpec(pdb)],
  validateUpdate: (pdb, old) => [...validateObjectMetaUpdate(pdb.metadata, old.metadata), ...validatePdbSpec(pdb)],
});
