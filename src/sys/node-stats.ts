/**
 * What the node has and has left, read from the kernel: memory (/proc/meminfo, and a memory-limited cgroup that
 * holds the pods), the filesystems holding the state root and the images (statfs), pids (pid_max and the task count
 * in /proc/loadavg), and the disk a set of directories uses (a walk that stays on one filesystem). The eviction
 * manager's signals and the Node's ephemeral-storage capacity come from here.
 */
import { promises as fsp, readFileSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";

export interface FsStats {
  capacityBytes: number;
  availableBytes: number;
  inodes: number;
  inodesFree: number;
  /** st_dev of the directory: two paths on one filesystem share it. */
  dev: number;
}

/** statfs of the filesystem holding `path` (available = what an unprivileged writer may still use, as df shows). */
export function fsStats(path: string): FsStats {
  const s = statfsSync(path);
  return { capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize, inodes: s.files, inodesFree: s.ffree, dev: statSync(path).dev };
}

function readText(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}

/** MemTotal and MemAvailable, bytes. */
export function hostMemory(meminfo = "/proc/meminfo"): { capacity: number; available: number } {
  const text = readText(meminfo);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  return { capacity: kb("MemTotal"), available: kb("MemAvailable") };
}

/**
 * The whole host's usage, as `kubectl top node` shows a node: CPU time spent busy since boot (the cpu line of
 * /proc/stat less idle and iowait, in USER_HZ = 100 ticks a second) and the memory working set (used memory less
 * the inactive file cache the kernel can drop, as the kubelet computes a cgroup's working set).
 */
export function hostUsage(proc = "/proc"): { cpuNanos: number; memoryWorkingSetBytes: number } {
  const fields = /^cpu\s+(.*)$/m.exec(readText(join(proc, "stat")))?.[1].trim().split(/\s+/).map(Number) ?? [];
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice)
  const total = fields.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const busyTicks = total - (fields[3] ?? 0) - (fields[4] ?? 0);
  const text = readText(join(proc, "meminfo"));
  const kb = (key: string) => Number(new RegExp(`^${key.replace(/[()]/g, "\\$&")}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  const used = kb("MemTotal") - kb("MemFree");
  return { cpuNanos: busyTicks * 1e7, memoryWorkingSetBytes: Math.max(0, used - kb("Inactive(file)")) };
}

/** pid_max and the tasks that exist now (the kubelet's rlimit stats). */
export function pidStats(proc = "/proc"): { max: number; running: number } {
  const max = Number(readText(join(proc, "sys/kernel/pid_max")).trim()) || 32768;
  const running = Number(/\/(\d+)/.exec(readText(join(proc, "loadavg")))?.[1] ?? 0);
  return { max, running };
}

/** Limits at or above this are "no limit" (cgroup v1 prints PAGE_COUNTER_MAX pages as bytes). */
const UNLIMITED = 2 ** 60;

/** The memory limit of a cgroup given its directories (v2 memory.max, v1 memory.limit_in_bytes); undefined: none. */
export function cgroupMemoryLimit(dirs: string[]): number | undefined {
  for (const dir of dirs) {
    for (const file of ["memory.max", "memory.limit_in_bytes"]) {
      const text = readText(join(dir, file)).trim();
      if (!text) continue;
      if (text === "max") return undefined;
      const n = Number(text);
      return Number.isFinite(n) && n < UNLIMITED ? n : undefined;
    }
  }
  return undefined;
}

export interface DiskUsage {
  bytes: number;
  inodes: number;
}

/**
 * Bytes (allocated blocks) and inodes under `paths`, not crossing into other filesystems (an overlay rootfs or a
 * tmpfs volume mounted inside is not this disk), each inode counted once. Missing paths count nothing. At most
 * `maxEntries` entries are visited, so a pod with millions of files cannot stall the caller for long.
 */
export async function diskUsage(paths: string[], maxEntries = 200_000): Promise<DiskUsage> {
  const seen = new Set<string>();
  const out: DiskUsage = { bytes: 0, inodes: 0 };
  let budget = maxEntries;
  const visit = async (path: string, dev: number | undefined): Promise<void> => {
    if (budget-- <= 0) return;
    const st = await fsp.lstat(path).catch(() => undefined);
    if (!st || (dev !== undefined && st.dev !== dev)) return;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.bytes += st.blocks * 512;
    out.inodes += 1;
    if (!st.isDirectory()) return;
    const names = await fsp.readdir(path).catch(() => [] as string[]);
    for (const n of names) await visit(join(path, n), st.dev);
  };
  for (const p of paths) await visit(p, undefined);
  return out;
}
