/**
 * ValidatePodUpdate (pkg/apis/core/validation/validation.go): a pod's spec is immutable except
 * - spec.containers[*].image and spec.initContainers[*].image,
 * - spec.activeDeadlineSeconds (set, or lowered),
 * - spec.tolerations (additions only; an existing toleration may only change its tolerationSeconds),
 * - spec.terminationGracePeriodSeconds (only from a negative value to 1).
 * Metadata may change within the usual rules (name, namespace and uid may not).
 */
import { child, forbidden, index, invalid, required, type ErrorList } from "./field.js";
import { clone, deepEqual, describeDiff, semanticEqual } from "./json.js";
import { validateObjectMetaUpdate } from "./meta-validation.js";
import { inclusiveRangeError } from "./names.js";
import { validateEphemeralContainersUpdate } from "./ephemeral-containers.js";
import { validatePodCreate, validatePodSpec } from "./pod-validation.js";
import type { Container, Pod, PodSpec, Toleration } from "./types.js";

const MAX_INT32 = 2147483647;

export const UPDATABLE_POD_SPEC_FIELDS = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

function validateContainerUpdates(next: Container[] | undefined, prev: Container[] | undefined, path: string): { errs: ErrorList; stop: boolean } {
  const n = next ?? [];
  if (n.length !== (prev ?? []).length) return { errs: [forbidden(path, "pod updates may not add or remove containers")], stop: true };
  const errs: ErrorList = [];
  n.forEach((c, i) => {
    if (!c.image) errs.push(required(child(index(path, i), "image")));
  });
  return { errs, stop: false };
}

function validateActiveDeadline(next: number | undefined, prev: number | undefined): ErrorList {
  const path = "spec.activeDeadlineSeconds";
  if (next !== undefined && next !== null) {
    if (next < 0 || next > MAX_INT32) return [invalid(path, next, inclusiveRangeError(0, MAX_INT32))];
    if (prev !== undefined && prev !== null && prev < next) return [invalid(path, next, "must be less than or equal to previous value")];
    return [];
  }
  return prev !== undefined && prev !== null ? [invalid(path, null, "must not update from a positive integer to nil value")] : [];
}

/** Every old toleration must still be there, possibly with a different tolerationSeconds. */
function validateOnlyAddedTolerations(next: Toleration[] | undefined, prev: Toleration[] | undefined): ErrorList {
  const path = "spec.tolerations";
  for (const old of prev ?? []) {
    const found = (next ?? []).some((t) => deepEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) return [forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  }
  // The new tolerations themselves were validated with the rest of the spec.
  return [];
}

/** The new spec with every field that may change put back to its old value. */
function mungeSpec(next: PodSpec, prev: PodSpec): PodSpec {
  const munged = clone(next);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: prev.containers?.[i]?.image }));
  if (munged.initContainers || prev.initContainers) {
    munged.initContainers = (munged.initContainers ?? []).map((c, i) => ({ ...c, image: prev.initContainers?.[i]?.image }));
  }
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.tolerations = prev.tolerations;
  munged.schedulingGates = prev.schedulingGates;
  const oldGrace = prev.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  return munged;
}

export function validatePodUpdate(next: Pod, prev: Pod): ErrorList {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errs.push(...validatePodCreate(next).filter((e) => e.field !== "spec.ephemeralContainers"));
  const ns = next.spec ?? ({ containers: [] });
  const ps = prev.spec ?? ({ containers: [] });
  for (const [field, n, p] of [["containers", ns.containers, ps.containers], ["initContainers", ns.initContainers, ps.initContainers]] as const) {
    const r = validateContainerUpdates(n, p, `spec.${field}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const deadline = validateActiveDeadline(ns.activeDeadlineSeconds, ps.activeDeadlineSeconds);
  errs.push(...deadline);
  if (deadline.length) return errs;
  errs.push(...validateOnlyAddedTolerations(ns.tolerations, ps.tolerations));
  if (semanticEqual(ns, ps)) return errs;
  const munged = mungeSpec(ns, ps);
  if (!semanticEqual(munged, ps)) {
    const diff = describeDiff(ps, munged).join("\n");
    errs.push(forbidden("spec", `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(",")}\n${diff}`));
  }
  return errs;
}

/**
 * ValidatePodEphemeralContainersUpdate: a write to pods/ephemeralcontainers (which changed nothing but
 * spec.ephemeralContainers) is valid when the metadata change is, the resulting pod spec is, and the ephemeral
 * containers already there are all still there, unchanged.
 */
export function validatePodEphemeralContainersUpdate(next: Pod, prev: Pod): ErrorList {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errs.push(...validatePodSpec(next.spec));
  const own = validateEphemeralContainersUpdate(next, prev);
  // Static pods take none at all: that alone is reported, as upstream does.
  if (own.some((e) => e.field === "")) return own;
  return [...errs, ...own];
}
