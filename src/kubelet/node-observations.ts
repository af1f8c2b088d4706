/**
 * The eviction signals of this node and the usage of each pod, as the kubelet's stats summary provides them:
 * - memory.available: what the host has available (MemAvailable), or less when the cgroup holding the pods has a
 *   memory limit (then the limit minus that cgroup's working set: the kubelet's allocatableMemory.available);
 * - nodefs.*: the filesystem holding --root (pods' writable layers, volumes, logs, the store), less the daemon's
 *   disk reserve while it is given back (that space is the daemon's, not the pods');
 * - imagefs.*: the filesystem holding the images, the same numbers as nodefs when it is the same filesystem;
 * - pid.available: pid_max minus the tasks that exist.
 * A pod's usage: working set and tasks of its cgroup, and the disk its directory and logs take.
 */
import type { Pod } from "../api/types.js";
import type { PodRuntime } from "../runtime/pod-runtime.js";
import type { CgroupUsage } from "../sys/cgroups/types.js";
import { cgroupMemoryLimit, diskUsage, fsStats, hostMemory, pidStats } from "../sys/node-stats.js";
import type { PodUsage } from "./eviction.js";
import type { Observations } from "./node-pressure.js";
import { runtimeUid } from "./pod-objects.js";

export interface ObservationSources {
  root: string;
  imagesDir: string;
  /** The directories of the cgroup that holds every pod (one per v1 hierarchy, one for v2). */
  podsCgroupDirs: string[];
  podsCgroupUsage: () => Promise<CgroupUsage>;
  /** Bytes the filesystem of the root shows free that the daemon's disk reserve is owed (0 while it is held). */
  reserveShortfall?: () => number;
}

export async function observeNode(s: ObservationSources): Promise<Observations> {
  const mem = hostMemory();
  let memory = { available: mem.available, capacity: mem.capacity };
  const limit = cgroupMemoryLimit(s.podsCgroupDirs);
  if (limit !== undefined && limit < mem.capacity) {
    const used = (await s.podsCgroupUsage().catch(() => undefined))?.memoryWorkingSetBytes ?? 0;
    memory = { available: Math.min(mem.available, Math.max(0, limit - used)), capacity: limit };
  }
  const owed = s.reserveShortfall?.() ?? 0;
  const rootfs = fsStats(s.root);
  const nodefs = { ...rootfs, availableBytes: Math.max(0, rootfs.availableBytes - owed) };
  let imagefs = nodefs;
  try {
    const images = fsStats(s.imagesDir);
    if (images.dev !== rootfs.dev) imagefs = images;
  } catch {
    // no image directory yet: the images will live on the node filesystem
  }
  const pids = pidStats();
  return {
    "memory.available": memory,
    "nodefs.available": { available: nodefs.availableBytes, capacity: nodefs.capacityBytes },
    "nodefs.inodesFree": { available: nodefs.inodesFree, capacity: nodefs.inodes },
    "imagefs.available": { available: imagefs.availableBytes, capacity: imagefs.capacityBytes },
    "imagefs.inodesFree": { available: imagefs.inodesFree, capacity: imagefs.inodes },
    "pid.available": { available: Math.max(0, pids.max - pids.running), capacity: pids.max },
  };
}

export interface PodPaths {
  /** The pod's own directory (writable layers, volumes) and its log directory. */
  podDirs: (pod: Pod) => string[];
  /** A container's directory (writable layer) and its log directory. */
  containerDirs: (pod: Pod, containerId: string, name: string) => string[];
}

/** A pod's usage now; undefined when the runtime does not know the pod (no stats: it ranks first, as upstream). */
export async function podUsage(runtime: PodRuntime, paths: PodPaths, pod: Pod): Promise<PodUsage | undefined> {
  const uid = runtimeUid(pod);
  if (!runtime.sandbox(uid)) return undefined;
  const cg = await runtime.podUsage(uid).catch(() => undefined);
  const disk = await diskUsage(paths.podDirs(pod));
  const containers: PodUsage["containers"] = [];
  for (const c of runtime.containers(uid)) {
    if (c.state !== "running" || containers.some((x) => x.name === c.name)) continue;
    const u = await runtime.usage(c.id).catch(() => undefined);
    const d = await diskUsage(paths.containerDirs(pod, c.id, c.name));
    containers.push({ name: c.name, memoryBytes: u?.memoryWorkingSetBytes, diskBytes: d.bytes });
  }
  return { memoryBytes: cg?.memoryWorkingSetBytes, processes: cg?.pids, diskBytes: disk.bytes, inodes: disk.inodes, containers };
}
