/**
 * cgroups behind one interface. A cgroup is named by a path relative to the manager's parent (e.g.
 * "burstable/pod1234/5f3a…"); v1 keeps one directory per controller hierarchy, v2 one directory in the unified tree.
 * Limits are given in Kubernetes terms and converted by each implementation (cpu.shares vs cpu.weight, ...).
 */
/** Kubernetes' conversion of CPU requests to cpu.shares (pkg/kubelet/cm/helpers_linux.go MilliCPUToShares). */
export function milliCPUToShares(milli) {
    if (milli <= 0)
        return 2;
    return Math.min(262144, Math.max(2, Math.floor((milli * 1024) / 1000)));
}
/** Kubernetes' conversion of CPU limits to a CFS quota (MilliCPUToQuota); 1 ms is the kernel's minimum. */
export function milliCPUToQuota(milli, periodUs) {
    if (milli <= 0)
        return -1;
    return Math.max(1000, Math.floor((milli * periodUs) / 1000));
}
/** cgroup v2 cpu.weight from v1 shares, as runc/crun convert it (1 + (shares-2)*9999/262142). */
export function sharesToWeight(shares) {
    return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}
export const DEFAULT_CPU_PERIOD_US = 100_000;
//# sourceMappingURL=types.js.map