/**
 * The node's own usage for metrics.k8s.io NodeMetrics (`kubectl top node`): the whole host's busy CPU time as a
 * rate over the sampler's window and its memory working set (sys/node-stats.ts hostUsage), not only what the pods
 * use: the daemon, the system and everything else on the machine count, as metrics-server reports a node's root
 * cgroup.
 */
import { hostUsage } from "../sys/node-stats.js";
import type { Clock } from "./clock.js";
import { MetricsSampler } from "./metrics-sampler.js";

export class NodeUsageReader {
  private readonly sampler: MetricsSampler;

  constructor(clock: Clock, read: () => ReturnType<typeof hostUsage> = () => hostUsage()) {
    this.sampler = new MetricsSampler(() => Promise.resolve(read()), clock);
  }

  /** CPU as nanocores ("1234567n") and memory in Ki, as metrics-server formats them. */
  async usage(): Promise<{ cpu: string; memory: string }> {
    const u = await this.sampler.sample("node");
    return { cpu: `${Math.round(u.cpuNanoCores)}n`, memory: `${Math.round(u.memoryBytes / 1024)}Ki` };
  }
}
