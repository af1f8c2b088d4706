import { cgroupMemoryLimit, diskUsage, fsStats, hostMemory, pidStats } from "../sys/node-stats.js";
import { runtimeUid } from "./pod-objects.js";
export async function observeNode(s) {
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
        if (images.dev !== rootfs.dev)
            imagefs = images;
    }
    catch {
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
/** A pod's usage now; undefined when the runtime does not know the pod (no stats: it ranks first, as upstream). */
export async function podUsage(runtime, paths, pod) {
    const uid = runtimeUid(pod);
    if (!runtime.sandbox(uid))
        return undefined;
    const cg = await runtime.podUsage(uid).catch(() => undefined);
    const disk = await diskUsage(paths.podDirs(pod));
    const containers = [];
    for (const c of runtime.containers(uid)) {
        if (c.state !== "running" || containers.some((x) => x.name === c.name))
            continue;
        const u = await runtime.usage(c.id).catch(() => undefined);
        const d = await diskUsage(paths.containerDirs(pod, c.id, c.name));
        containers.push({ name: c.name, memoryBytes: u?.memoryWorkingSetBytes, diskBytes: d.bytes });
    }
    return { memoryBytes: cg?.memoryWorkingSetBytes, processes: cg?.pids, diskBytes: disk.bytes, inodes: disk.inodes, containers };
}
//# sourceMappingURL=node-observations.js.map