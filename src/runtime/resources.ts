/**
 * A container's and a pod's resources in the units the kernel takes: millicores for CPU, bytes for memory, and the
 * cgroup limits derived from them (the kubelet's ResourceConfigForPod / container resources).
 */
import type { Container, Pod } from "../api/types.js";
import { DEFAULT_CPU_PERIOD_US, milliCPUToQuota, milliCPUToShares, type CgroupLimits } from "../sys/cgroups/types.js";

// TEMPORARY until src/api/quantity.ts lands: decimal and binary suffixes only.
const SUFFIX: Record<string, number> = {
  "": 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The numeric value of a quantity ("64Mi" → 67108864, "500m" → 0.5). */
export function quantityValue(q: string): number {
  const m = /^([+-]?[0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || SUFFIX[m[2]] === undefined) throw new Error(`invalid quantity "${q}"`);
  return Number(m[1]) * SUFFIX[m[2]];
}

export function cpuMilli(q: string | undefined): number | undefined {
  return q === undefined ? undefined : Math.ceil(quantityValue(q) * 1000 - 1e-9);
}

export function memoryBytes(q: string | undefined): number | undefined {
  return q === undefined ? undefined : Math.ceil(quantityValue(q) - 1e-9);
}

export interface ContainerResources {
  cpuRequestMilli?: number;
  cpuLimitMilli?: number;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number;
}

export function containerResources(c: Container): ContainerResources {
  return {
    cpuRequestMilli: cpuMilli(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu),
    cpuLimitMilli: cpuMilli(c.resources?.limits?.cpu),
    memoryRequestBytes: memoryBytes(c.resources?.requests?.memory ?? c.resources?.limits?.memory),
    memoryLimitBytes: memoryBytes(c.resources?.limits?.memory),
  };
}

/** cgroup limits of one container: quota from limits.cpu, shares from requests.cpu, memory from limits.memory. */
export function containerCgroupLimits(c: Container, pidsMax?: number): CgroupLimits {
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
export function podCgroupLimits(pod: Pod, pidsMax: number): CgroupLimits {
  const all = [...pod.spec.containers.map(containerResources)];
  // Init containers run one at a time: the pod needs the larger of their maximum and the app containers' sum.
  const inits = (pod.spec.initContainers ?? []).map(containerResources);
  const sum = (xs: (number | undefined)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
  const max = (xs: (number | undefined)[]) => xs.reduce<number>((a, b) => Math.max(a, b ?? 0), 0);
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

/** Kubernetes QoS class of a pod (pkg/apis/core/v1/helper/qos): decides the cgroup level it lives under. */
export function qosClass(pod: Pod): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const res of ["cpu", "memory"]) {
      const l = lim[res];
      const r = req[res] ?? l;
      if (l === undefined || r === undefined || quantityValue(l) !== quantityValue(r)) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}
