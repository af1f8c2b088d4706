/**
 * coordination.k8s.io/v1 Lease: the type, its table (printers.go printLease: Name, Holder, Age) and validation
 * (pkg/apis/coordination/validation ValidateLease). Each node renews one in `kube-node-lease` (its heartbeat).
 */
import { child, invalid, notSupported, type ErrorList } from "./field.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import { strategy } from "./strategy.js";
import type { KubeObject } from "./types.js";

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with microseconds. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** The namespace of the nodes' heartbeat leases. */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

const STRATEGIES = ["OldestEmulationVersion"];

function validateSpec(spec: LeaseSpec | undefined): ErrorList {
  const errs: ErrorList = [];
  const path = "spec";
  if (!spec) return errs;
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid(child(path, "leaseDurationSeconds"), spec.leaseDurationSeconds, "must be greater than 0"));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push(invalid(child(path, "leaseTransitions"), spec.leaseTransitions, "must be greater than or equal to 0"));
  }
  if (spec.strategy !== undefined && !STRATEGIES.includes(spec.strategy)) {
    errs.push(notSupported(child(path, "strategy"), spec.strategy, STRATEGIES));
  }
  if (spec.preferredHolder && !spec.strategy) {
    errs.push(invalid(child(path, "preferredHolder"), spec.preferredHolder, "Strategy must be set when PreferredHolder is set"));
  }
  return errs;
}

export const leaseStrategy = strategy<Lease>({
  hasStatus: false,
  defaults: () => undefined,
  validateCreate: (l) => [...validateObjectMeta(l.metadata, true, nameIsDNSSubdomain), ...validateSpec(l.spec)],
  validateUpdate: (l, old) => [...validateObjectMetaUpdate(l.metadata, old.metadata), ...validateSpec(l.spec)],
});

/** A MicroTime ("2026-12-07T03:40:00.123000Z") of a time in ms. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
