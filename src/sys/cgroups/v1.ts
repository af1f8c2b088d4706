/**
 * cgroup v1: one directory per controller hierarchy (cpu, cpuacct, memory, pids; cpu and cpuacct are often
 * co-mounted). Every knob write goes through the Runner so `nodelet explain` shows it as `echo N > file`.
 * Kernel docs: Documentation/admin-guide/cgroup-v1/{cpu,memory,pids}.rst
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import type { Runner } from "../runner.js";
import { readIntFile, readKeyedFile, removeCgroupDirs, listChildren, readProcs } from "./files.js";
import { DEFAULT_CPU_PERIOD_US, type CgroupLimits, type CgroupManager, type CgroupUsage } from "./types.js";

/** The hierarchies we use, each as the absolute directory of our parent cgroup in it. */
export interface V1Parents {
  cpu: string;
  cpuacct: string;
  memory: string;
  pids: string;
  /** The devices controller, where mounted: the container's device allowlist. */
  devices?: string;
  /** How each hierarchy above is mounted (its controllers, and the name of its mount point): the container's view. */
  views?: { name: string; controllers: string[] }[];
}

export class V1CgroupManager implements CgroupManager {
  readonly version = 1 as const;
  private readonly hierarchies: string[];

  constructor(
    readonly parents: V1Parents,
    private readonly runner: Runner,
  ) {
    // Co-mounted controllers (cpu,cpuacct) share a directory: create and remove it once.
    const all = [parents.cpu, parents.cpuacct, parents.memory, parents.pids, ...(parents.devices ? [parents.devices] : [])];
    this.hierarchies = [...new Set(all)];
  }

  async prepare(owner = "node"): Promise<void> {
    for (const dir of this.hierarchies) await this.runner.mkdir(dir, owner);
  }

  dirs(path: string): string[] {
    return this.hierarchies.map((h) => join(h, path));
  }

  async create(path: string, limits: CgroupLimits, owner?: string): Promise<void> {
    await Promise.all(this.dirs(path).map((dir) => this.runner.mkdir(dir, owner)));
    await this.update(path, limits, owner);
  }

  async update(path: string, limits: CgroupLimits, owner?: string): Promise<void> {
    const cpu = join(this.parents.cpu, path);
    const write = (file: string, value: string | number) => this.runner.writeFile(file, String(value), owner);
    // Period before quota (the kernel checks quota against the current period); the controllers are independent.
    const cpuWrites = async () => {
      if (limits.cpuQuotaUs !== undefined || limits.cpuPeriodUs !== undefined) {
        await write(join(cpu, "cpu.cfs_period_us"), limits.cpuPeriodUs ?? DEFAULT_CPU_PERIOD_US);
        await write(join(cpu, "cpu.cfs_quota_us"), limits.cpuQuotaUs ?? -1);
      }
      if (limits.cpuShares !== undefined) await write(join(cpu, "cpu.shares"), limits.cpuShares);
    };
    await Promise.all([
      cpuWrites(),
      limits.devices !== undefined ? this.writeDevices(path, limits.devices, owner) : undefined,
      limits.memoryBytes !== undefined ? write(join(this.parents.memory, path, "memory.limit_in_bytes"), limits.memoryBytes) : undefined,
      limits.pidsMax !== undefined ? write(join(this.parents.pids, path, "pids.max"), limits.pidsMax) : undefined,
    ]);
  }

  /** Deny everything, then allow each rule (Documentation/admin-guide/cgroup-v1/devices.rst); one rule a write. */
  private async writeDevices(path: string, rules: string[], owner?: string): Promise<void> {
    if (!this.parents.devices) throw new Error("cgroup v1 devices controller is not mounted: the container's devices cannot be restricted");
    const dir = join(this.parents.devices, path);
    await this.runner.writeFile(join(dir, "devices.deny"), "a", owner);
    for (const rule of rules) await this.runner.writeFile(join(dir, "devices.allow"), rule, owner);
  }

  containerView(): string[] {
    return (this.parents.views ?? []).map((v) => `v1:${v.controllers.join(",")}:${v.name}`);
  }

  deviceFilterDir(): undefined {
    return undefined;
  }

  async addProcess(path: string, pid: number, owner?: string): Promise<void> {
    for (const dir of this.dirs(path)) await this.runner.writeFile(join(dir, "cgroup.procs"), String(pid), owner);
  }

  procs(path: string): Promise<number[]> {
    return readProcs(join(this.parents.memory, path));
  }

  async usage(path: string): Promise<CgroupUsage> {
    const mem = join(this.parents.memory, path);
    const [cpuNanos, usageBytes, stat, oom, pids] = await Promise.all([
      readIntFile(join(this.parents.cpuacct, path, "cpuacct.usage")),
      readIntFile(join(mem, "memory.usage_in_bytes")),
      readKeyedFile(join(mem, "memory.stat")),
      readKeyedFile(join(mem, "memory.oom_control")),
      readIntFile(join(this.parents.pids, path, "pids.current")),
    ]);
    const inactive = stat.get("total_inactive_file") ?? 0;
    return {
      cpuNanos,
      memoryUsageBytes: usageBytes,
      memoryWorkingSetBytes: Math.max(0, usageBytes - inactive),
      oomKills: oom.get("oom_kill") ?? 0,
      pids,
    };
  }

  oomFile(path: string): string {
    return join(this.parents.memory, path, "memory.oom_control");
  }

  remove(path: string, owner?: string): Promise<void> {
    return removeCgroupDirs(this.dirs(path), this.runner, owner);
  }

  children(path: string): Promise<string[]> {
    return listChildren(join(this.parents.memory, path));
  }
}

/** True when the directory exists (a cgroup is there). */
export async function cgroupExists(dir: string): Promise<boolean> {
  try {
    await fsp.access(join(dir, "cgroup.procs"));
    return true;
  } catch {
    return false;
  }
}
