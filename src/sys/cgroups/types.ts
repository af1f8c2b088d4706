/**
 * cgroups behind one interface. A cgroup is named by a path relative to the manager's parent (e.g.
 * "burstable/pod1234/5f3a…"); v1 keeps one directory per controller hierarchy, v2 one directory in the unified tree.
 * Limits are given in Kubernetes terms and converted by each implementation (cpu.shares vs cpu.weight, ...).
 */

export interface CgroupLimits {
  /** CFS quota in microseconds per period; undefined = unlimited. From limits.cpu (millicores * period / 1000). */
  cpuQuotaUs?: number;
  /** CFS period; Kubernetes uses 100 ms. */
  cpuPeriodUs?: number;
  /** Relative weight as v1 cpu.shares (2..262144); from requests.cpu (millicores * 1024 / 1000). */
  cpuShares?: number;
  /** Hard memory limit in bytes; from limits.memory. */
  memoryBytes?: number;
  /** Maximum number of tasks; a fork bomb stops here. */
  pidsMax?: number;
  /**
   * The devices the cgroup's processes may mknod, read or write, as v1 devices.allow lines ("c 1:3 rwm",
   * "c 136:* rwm"); every other device is refused. undefined: no device policy (the parent's). v1 writes them to the
   * devices controller; on v2 the shim attaches a BPF program to deviceFilterDir() instead.
   */
  devices?: string[];
}

export interface CgroupUsage {
  /** Total CPU time consumed, nanoseconds. */
  cpuNanos: number;
  /** Working set as the kubelet reports it: usage minus inactive file cache. */
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
  /** How many times the kernel OOM killer killed a task in this cgroup. */
  oomKills: number;
  pids: number;
}

export interface CgroupManager {
  readonly version: 1 | 2;
  /** Creates our parent cgroup and makes the controllers available in it (v2 delegation). Called once at start. */
  prepare(owner?: string): Promise<void>;
  /** Absolute directories that make up the cgroup at `path` (v1: one per controller; v2: one). */
  dirs(path: string): string[];
  /** Creates the cgroup (and missing ancestors) and applies the limits. Idempotent. */
  create(path: string, limits: CgroupLimits, owner?: string): Promise<void>;
  /** Changes the limits of an existing cgroup. */
  update(path: string, limits: CgroupLimits, owner?: string): Promise<void>;
  /** Moves a process into the cgroup. */
  addProcess(path: string, pid: number, owner?: string): Promise<void>;
  /** Processes in the cgroup (not its children). */
  procs(path: string): Promise<number[]>;
  usage(path: string): Promise<CgroupUsage>;
  /** The file with the `oom_kill N` counter the monitor reads (memory.oom_control / memory.events). */
  oomFile(path: string): string;
  /**
   * The hierarchies a container sees at /sys/fs/cgroup, in its own cgroup namespace (the shim's --cgroupfs): v2
   * ["cgroup2"]; v1 "v1:CONTROLLERS:NAME" for each hierarchy its cgroup is in. Empty: no cgroup namespace.
   */
  containerView(): string[];
  /** v2: the directory a BPF device program is attached to for limits.devices; v1 (devices controller): undefined. */
  deviceFilterDir(path: string): string | undefined;
  /**
   * Removes the cgroup and its children, deepest first. Idempotent. Fails loudly (HostError EBUSY) when processes
   * remain: callers kill first.
   */
  remove(path: string, owner?: string): Promise<void>;
  /** Child cgroup names directly under `path` ("" = the parent itself): used to find orphans after a crash. */
  children(path: string): Promise<string[]>;
}

/** Kubernetes' conversion of CPU requests to cpu.shares (pkg/kubelet/cm/helpers_linux.go MilliCPUToShares). */
export function milliCPUToShares(milli: number): number {
  if (milli <= 0) return 2;
  return Math.min(262144, Math.max(2, Math.floor((milli * 1024) / 1000)));
}

/** Kubernetes' conversion of CPU limits to a CFS quota (MilliCPUToQuota); 1 ms is the kernel's minimum. */
export function milliCPUToQuota(milli: number, periodUs: number): number {
  if (milli <= 0) return -1;
  return Math.max(1000, Math.floor((milli * periodUs) / 1000));
}

/** cgroup v2 cpu.weight from v1 shares, as runc/crun convert it (1 + (shares-2)*9999/262142). */
export function sharesToWeight(shares: number): number {
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

export const DEFAULT_CPU_PERIOD_US = 100_000;
