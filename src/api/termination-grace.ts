/**
 * The pod termination grace period when a pod names none: the one value the API's defaulting, graceful deletion
 * and the kubelet all use (v1.DefaultTerminationGracePeriodSeconds).
 */
import type { PodSpec } from "./types.js";

export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

/** A pod spec's grace period in seconds: its own, else the default; never negative. */
export function specGraceSeconds(spec: Pick<PodSpec, "terminationGracePeriodSeconds"> | undefined): number {
  return Math.max(0, spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS);
}
