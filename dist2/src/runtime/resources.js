/**
 * A container's and a pod's resources in the units the kernel takes: millicores for CPU, bytes for memory, and the
 * cgroup limits derived from them (the kubelet's ResourceConfigForPod / container resources). Quantities are
 * read by the one exact parser (api/quantity.ts); the QoS class is api/qos.ts's.
 */
import { cpuMilli, memoryBytes } from "../api/quantity.js";
import { DEFAULT_CPU_PERIOD_US, milliCPUToQuota, milliCPUToShares } from "../sys/cgroups/types.js";
export function containerResources(c) {
    return {
        cpuRequestMilli: cpuMilli(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu),
        cpuLimitMilli: cpuMilli(c.resources?.limits?.cpu),
        memoryRequestBytes: memoryBytes(c.resources?.requests?.memory ?? c.resources?.limits?.memory),
        memoryLimitBytes: memoryBytes(c.resources?.limits?.memory),
    };
}
/** cgroup limits of one container: quota from limits.cpu, shares from requests.cpu, memory from limits.memory. */
export function containerCgroupLimits(c, pidsMax) {
    const r = containerResources(c);
    return {
        cpuPeriodUs: DEFAULT_CPU_PERIOD_US,
        cpuQuotaUs: r.cpuLimitMilli === undefined ? -1 : milliCPUToQuota(r.cpuLimitMilli, DEFAULT_CPU_PERIOD_US),
        cpuShares: milliCPUToShares(r.cpuRequestMilli ?? 0),
        memoryBytes: r.memoryLimitBytes ?? -1,
        pidsMax,
    };
}
/**
 * The pod-level cgroup limits (pkg/kubelet/cm/helpers_linux.go ResourceConfigForPod): shares from the sum of
 * requests; CPU quota and memory limit only when every container has that limit (else unlimited).
 */
export function podCgroupLimits(pod, pidsMax) {
    const all = [...pod.spec.containers.map(containerResources)];
    // Init containers run one at a time: the pod needs the larger of their maximum and the app containers' sum.
    const inits = (pod.spec.initContainers ?? []).map(containerResources);
    const sum = (xs) => xs.reduce((a, b) => a + (b ?? 0), 0);
    const max = (xs) => xs.reduce((a, b) => Math.max(a, b ?? 0), 0);
    const cpuReq = Math.max(sum(all.map((r) => r.cpuRequestMilli)), max(inits.map((r) => r.cpuRequestMilli)));
    const everyCpuLimit = all.every((r) => r.cpuLimitMilli !== undefined);
    const everyMemLimit = all.every((r) => r.memoryLimitBytes !== undefined);
    const cpuLim = Math.max(sum(all.map((r) => r.cpuLimitMilli)), max(inits.map((r) => r.cpuLimitMilli)));
    const memLim = Math.max(sum(all.map((r) => r.memoryLimitBytes)), max(inits.map((r) => r.memoryLimitBytes)));
    return {
        cpuPeriodUs: DEFAULT_CPU_PERIOD_US,
        cpuQuotaUs: everyCpuLimit ? milliCPUToQuota(cpuLim, DEFAULT_CPU_PERIOD_US) : -1,
        cpuShares: milliCPUToShares(cpuReq),
        memoryBytes: everyMemLimit ? memLim : -1,
        pidsMax,
    };
}
//# sourceMappingURL=resources.js.map