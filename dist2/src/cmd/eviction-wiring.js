/**
 * The eviction manager's settings from the daemon's flags, with where it reads from on this host: the node's
 * signals (the state root's filesystem, the images', memory with the pods' cgroup, pids) and each pod's usage
 * (its cgroup, its directory and logs); the node-level reclaimers (dead containers now; the image store registers
 * its garbage collector for "imagefs" here, see node-reclaim.ts); and the disk reserve that keeps the store
 * writable on a full disk.
 */
import { join } from "node:path";
import { observeNode, podUsage } from "../kubelet/node-observations.js";
import { DeadContainerReclaimer } from "../kubelet/dead-container-reclaimer.js";
import { NodeReclaimers } from "../kubelet/node-reclaim.js";
import { runtimeUid } from "../kubelet/pod-objects.js";
import { DiskReserve, reserveSize } from "../sys/disk-reserve.js";
import { fsStats } from "../sys/node-stats.js";
/** How often the eviction manager looks (the kubelet's evictionMonitoringPeriod). */
export const EVICTION_MONITORING_MS = 10_000;
export function evictionSettings(cfg, layout, cgroups, runtime, reserve, onConditions) {
    const podLogDir = (pod) => layout.podLogDir(pod.metadata.namespace ?? "default", pod.metadata.name ?? "", runtimeUid(pod));
    const reclaimers = new NodeReclaimers();
    // Dead containers first, as the kubelet; the image store's collector goes after it: register("imagefs", ...).
    reclaimers.register("nodefs", new DeadContainerReclaimer(runtime, (c) => [layout.containerDir(c.podUid, c.id), c.logPath]));
    return {
        thresholds: cfg.evictionThresholds,
        transitionMs: cfg.evictionPressureTransitionSeconds * 1000,
        maxPodGraceSeconds: cfg.evictionMaxPodGraceSeconds,
        intervalMs: EVICTION_MONITORING_MS,
        observe: () => {
            // Each round takes the disk reserve back once there is room for it.
            reserve.ensure();
            return observeNode({
                root: cfg.root,
                imagesDir: layout.imagesDir,
                podsCgroupDirs: cgroups.dirs(""),
                podsCgroupUsage: () => cgroups.usage(""),
                reserveShortfall: () => reserve.shortfall(),
            });
        },
        podUsage: (pod) => podUsage(runtime, {
            podDirs: (p) => [layout.podDir(runtimeUid(p)), podLogDir(p)],
            containerDirs: (p, id, name) => [layout.containerDir(runtimeUid(p), id), join(podLogDir(p), name)],
        }, pod),
        reclaimers,
        sharedImageFs: () => sameFilesystem(cfg.root, layout.imagesDir),
        onConditions,
    };
}
/** Whether `dir` (which may not exist yet: then it will be made on the root's) is on the filesystem of `root`. */
function sameFilesystem(root, dir) {
    try {
        return fsStats(dir).dev === fsStats(root).dev;
    }
    catch {
        return true;
    }
}
/** The daemon's disk reserve in the state root, sized for its filesystem; taken at once if there is room. */
export function diskReserve(root, log, onRelease) {
    const reserve = new DiskReserve(join(root, "disk-reserve"), reserveSize(fsStats(root).capacityBytes), log, onRelease);
    reserve.ensure();
    return reserve;
}
//# sourceMappingURL=eviction-wiring.js.map