/**
 * Host mounts the daemon owns (a pod's /dev/shm tmpfs, memory-backed emptyDirs): made with mount(8) and removed
 * with umount(8) through the Runner, so `explain` shows them. Container mounts are not here: the shim makes those
 * inside each container's own mount namespace, where they vanish with it.
 */
import { readFileSync } from "node:fs";
export function mountArgv(m) {
    const argv = ["mount"];
    if (m.type)
        argv.push("-t", m.type);
    if (m.options.length)
        argv.push("-o", m.options.join(","));
    return [...argv, m.source, m.target];
}
export async function mount(runner, m, owner) {
    await runner.run(mountArgv(m), { owner });
}
/** Unmounts `target` if it is a mount point; a target that is not mounted is fine. */
export async function unmount(runner, target, owner) {
    if (!isMountPoint(target))
        return;
    await runner.run(["umount", target], { owner });
}
/** Mount points listed in /proc/self/mountinfo (field 5), unescaped. */
export function mountPoints(mountinfo = readFileSync("/proc/self/mountinfo", "utf8")) {
    return mountinfo
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ")[4].replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))));
}
export function isMountPoint(target) {
    return mountPoints().includes(target.replace(/\/+$/, ""));
}
//# sourceMappingURL=mounts.js.map