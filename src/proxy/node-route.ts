/**
 * Routes the service CIDR to the node itself: `ip route replace local CIDR dev lo table local`.
 *
 * Why: the pod network routes the service CIDR `unreachable` so that an address nothing DNATs never leaves the
 * node. For a process on the node that also fails connect() before netfilter sees the packet (the route lookup
 * happens in connect, before the OUTPUT hook where kube-proxy's DNAT would rewrite it) — measured: "No route to
 * host" even with a matching DNAT rule. A `local` route in the local table (looked up before main) makes every
 * service address deliverable on the node: DNAT in OUTPUT/PREROUTING still sends traffic to a pod; what is not
 * DNATed reaches INPUT, where the proxier rejects it at once (TCP reset) — and the userspace proxy can bind the
 * service address itself.
 */
import type { Runner } from "../sys/runner.js";

export function serviceRouteArgv(op: "replace" | "del", serviceCIDR: string): string[] {
  return ["ip", "route", op, "local", serviceCIDR, "dev", "lo", "table", "local"];
}

export async function addServiceRoute(runner: Runner, serviceCIDR: string, owner?: string): Promise<void> {
  await runner.run(serviceRouteArgv("replace", serviceCIDR), { owner });
}

/** Idempotent: a missing route is fine. */
export async function removeServiceRoute(runner: Runner, serviceCIDR: string, owner?: string): Promise<void> {
  await runner.run(serviceRouteArgv("del", serviceCIDR), { owner, allowFail: true });
}
