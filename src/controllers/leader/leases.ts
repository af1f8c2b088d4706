/** The Leases a control plane's parts are elected through, named as kube-controller-manager's and kube-scheduler's. */

/** The controllers' Lease. */
export const CONTROLLER_MANAGER_LEASE = { namespace: "kube-system", name: "kube-controller-manager" };
/** The scheduler's own Lease: its leader may be another replica than the controllers'. */
export const SCHEDULER_LEASE = { namespace: "kube-system", name: "kube-scheduler" };
/** Both, in the order status shows them. */
export const ELECTED_LEASES = [CONTROLLER_MANAGER_LEASE.name, SCHEDULER_LEASE.name];
