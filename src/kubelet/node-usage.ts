/**
 * The node's own usage for metrics.k8s.io NodeMetrics (`kubectl top node`): the whole host's busy CPU time as a
 * rate over the sampler's window and its memory working set (sys/node-stats.ts hostUsage), not only what the pods
 * use: the daemon, the system and everything else on the machine count, as metrics-server reports a node's root
 * cgroup.
 */
import { hostUsage } from "../sys/node-stats.js";
import type { Clock } from "./clock.js";
import { MetricsSampler } from "./metrics-sampler.js";
import { rfc3339 } from "../api/time.js";
import type { NodeUsageSample } from "../api/kubelet-summary.js";

export class NodeUsageReader {
  private readonly sampler: MetricsSampler;

  constructor(
    private readonly clock: Clock,
    read: () => ReturnType<typeof hostUsage> = () => hostUsage(),
  ) {
    this.sampler = new MetricsSampler(() => Promise.resolve(read()), clock);
  }

  /** CPU as nanocores ("1234567n") and memory in Ki, as metrics-server formats them. */
  async usage(): Promise<{ cpu: string; memory: string }> {
    const u = await this.sample();
    return { cpu: `${Math.round(u.cpuNanoCores)}n`, memory: `${Math.round(u.memoryBytes / 1024)}Ki` };
  }

  /** The reading as numbers, with its time and window: the node part of the kubelet's Summary API. */
  async sample(): Promise<NodeUsageSample> {
    const u = await this.sampler.sample("node");
    return { ...u, time: rfc3339(this.clock.now()), window: `${Math.round(this.sampler.windowMs / 1000)}s` };
  }
}
