/**
 * The leader election decision of client-go (tools/leaderelection, LeaderElector.tryAcquireOrRenew), pure: given
 * the Lease as read now, what this candidate last observed of it and when, decide to create, take over, renew, or
 * wait. Expiry is judged on the candidate's own clock from when it last saw the record change (observedTime), never
 * on the holder's renewTime, so clocks of different machines need not agree.
 */
import { microTime, type Lease, type LeaseSpec } from "../../api/lease.js";

export interface ElectionTiming {
  /** How long a non-leader waits after the record last changed before taking over (client-go: 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps retrying a failed renewal before it stops leading (10 s). */
  renewDeadlineMs: number;
  /** The interval between attempts (2 s; acquiring adds client-go's jitter, up to 1.2 of it). */
  retryPeriodMs: number;
}

export const DEFAULT_TIMING: ElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** client-go's JitterFactor: acquisition attempts wait retryPeriod plus up to 1.2 times it. */
export const JITTER_FACTOR = 1.2;

/** client-go's LeaderElectionConfig checks, in its words. */
export function validateTiming(t: ElectionTiming): void {
  if (t.leaseDurationMs <= t.renewDeadlineMs) throw new Error("leaseDuration must be greater than renewDeadline");
  if (t.renewDeadlineMs <= JITTER_FACTOR * t.retryPeriodMs) throw new Error(`renewDeadline must be greater than retryPeriod*JitterFactor`);
  if (t.leaseDurationMs < 1000 || t.retryPeriodMs < 1 || t.renewDeadlineMs < 1) throw new Error("leaseDuration must be at least 1s; renewDeadline and retryPeriod must be greater than zero");
}

/** What the candidate last saw: the record's text (to notice any change) and its own time when it first saw it. */
export interface Observed {
  raw: string;
  spec: LeaseSpec;
  time: number;
}

export type Decision =
  /** No Lease: create it holding it. */
  | { action: "create"; spec: LeaseSpec; observed: Observed }
  /** Write `spec` over the Lease read at `resourceVersion` (compare-and-swap): renew or take over. */
  | { action: "update"; spec: LeaseSpec; resourceVersion: string; observed: Observed; renew: boolean }
  /** Held by another and not expired: wait. */
  | { action: "wait"; holder: string; observed: Observed };

export function decide(lease: Lease | undefined, observed: Observed | undefined, now: number, identity: string, t: ElectionTiming): Decision {
  const leaseDurationSeconds = Math.max(1, Math.round(t.leaseDurationMs / 1000));
  const fresh: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
  if (!lease) return { action: "create", spec: fresh, observed: observe(fresh, now) };
  const spec = lease.spec ?? {};
  const raw = JSON.stringify(spec);
  // The record changed since last seen (or never seen): its expiry counts from now, on this candidate's clock.
  const seen: Observed = observed && observed.raw === raw ? observed : { raw, spec, time: now };
  const isLeader = seen.spec.holderIdentity === identity;
  const durationMs = (seen.spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
  const valid = seen.time + durationMs > now;
  if (spec.holderIdentity && valid && !isLeader) return { action: "wait", holder: spec.holderIdentity, observed: seen };
  const next: LeaseSpec = isLeader
    ? { ...fresh, acquireTime: spec.acquireTime ?? fresh.acquireTime, leaseTransitions: spec.leaseTransitions ?? 0 }
    : { ...fresh, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
  return { action: "update", spec: next, resourceVersion: lease.metadata.resourceVersion ?? "", observed: observe(next, now), renew: isLeader };
}

/**
 * What a leader writes when it stops on purpose (client-go's ReleaseOnCancel): no holder, a 1 s duration, the
 * transitions kept, so a standby takes over at its next attempt instead of after the lease duration.
 */
export function releasedSpec(held: LeaseSpec, now: number): LeaseSpec {
  return { holderIdentity: "", leaseDurationSeconds: 1, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: held.leaseTransitions ?? 0 };
}

function observe(spec: LeaseSpec, now: number): Observed {
  return { raw: JSON.stringify(spec), spec, time: now };
}
