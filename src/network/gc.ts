/**
 * Garbage collection of what a pod can leave behind when the daemon was not there to see it go (pure planning):
 * leases of pods that no longer exist (the host-local leak, containernetworking/plugins#498), and host veth ends
 * still on our bridge whose pod is gone — normally the kernel deletes the pair with the pod's namespace, but a
 * process that still holds the namespace keeps it alive.
 */
import type { Lease } from "./ipam.js";

/** Our host veth names (see names.ts): only these are ever deleted from the bridge. */
export const OUR_VETH = /^nl[0-9a-f]{13}$/;

export interface GcPlan {
  /** Pods whose lease goes. */
  releasePods: string[];
  /** Bridge ports to delete. */
  deleteLinks: string[];
}

/** What to collect, given the bridge's ports, the leases and the pods that exist. */
export function planGc(ports: string[], leases: Lease[], livePods: Set<string>): GcPlan {
  const releasePods = leases.filter((l) => !livePods.has(l.podUid)).map((l) => l.podUid);
  const kept = new Set(leases.filter((l) => livePods.has(l.podUid)).map((l) => l.veth));
  const deleteLinks = ports.filter((p) => OUR_VETH.test(p) && !kept.has(p));
  return { releasePods, deleteLinks };
}
