/**
 * CPU usage as a rate, the way metrics-server reports it: CPU time consumed between two samples divided by the
 * wall time between them. Keeps the last sample of each container; a request reuses one that is at least a second
 * old (and less than a minute), else takes a fresh half-second window.
 */
import type { CgroupUsage } from "../sys/cgroups/types.js";
import { sleep, type Clock } from "../sys/clock.js";

interface Sample {
  at: number;
  cpuNanos: number;
}

export class MetricsSampler {
  private readonly last = new Map<string, Sample>();
  windowMs = 500;

  constructor(
    private readonly read: (id: string) => Promise<Pick<CgroupUsage, "cpuNanos" | "memoryWorkingSetBytes">>,
    private readonly clock: Clock,
    private readonly freshWindowMs = 500,
  ) {}

  async sample(id: string): Promise<{ cpuNanoCores: number; memoryBytes: number }> {
    let prev = this.last.get(id);
    const now = this.clock.now();
    if (!prev || now - prev.at < 1000 || now - prev.at > 60_000) {
      const u = await this.read(id);
      prev = { at: this.clock.now(), cpuNanos: u.cpuNanos };
      await sleep(this.clock, this.freshWindowMs);
    }
    const u = await this.read(id);
    const at = this.clock.now();
    this.last.set(id, { at, cpuNanos: u.cpuNanos });
    this.windowMs = at - prev.at;
    const cpuNanoCores = this.windowMs > 0 ? ((u.cpuNanos - prev.cpuNanos) / (this.windowMs * 1e6)) * 1e9 : 0;
    return { cpuNanoCores: Math.max(0, cpuNanoCores), memoryBytes: u.memoryWorkingSetBytes };
  }

  forget(id: string): void {
    this.last.delete(id);
  }
}
