/**
 * Picks the cgroup implementation once, by looking at what is mounted (like crun's get_cgroup_manager):
 * a cgroup2 filesystem holding the controllers → v2; v1 controller hierarchies → v1 (a hybrid host, with an empty
 * cgroup2 beside the v1 controllers, is v1). Our cgroups go *under the cgroup the daemon itself runs in*
 * (read from /proc/self/cgroup), in a child named by --cgroup-parent, default "nodelet".
 */
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { V1CgroupManager } from "./v1.js";
import { V2CgroupManager } from "./v2.js";
/** Parses /proc/self/mountinfo lines into cgroup mounts. */
export function parseCgroupMounts(mountinfo) {
    const out = [];
    for (const line of mountinfo.split("\n")) {
        const dash = line.indexOf(" - ");
        if (dash < 0)
            continue;
        const left = line.slice(0, dash).split(" ");
        const [fsType, , superOpts = ""] = line.slice(dash + 3).split(" ");
        if (fsType !== "cgroup" && fsType !== "cgroup2")
            continue;
        const known = ["cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer", "blkio", "net_cls", "net_prio", "hugetlb", "perf_event", "rdma", "misc"];
        out.push({
            mountPoint: unescapeMountPath(left[4]),
            root: unescapeMountPath(left[3]),
            fsType,
            controllers: fsType === "cgroup" ? superOpts.split(",").filter((o) => known.includes(o)) : [],
        });
    }
    return out;
}
/** Parses /proc/self/cgroup: "2:cpu,cpuacct:/a/b" → {controllers: [...], path}; "0::/x" is the v2 entry. */
export function parseProcCgroup(text) {
    return text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => {
        const first = l.indexOf(":");
        const second = l.indexOf(":", first + 1);
        return { controllers: l.slice(first + 1, second).split(",").filter(Boolean), path: l.slice(second + 1) };
    });
}
function unescapeMountPath(p) {
    return p.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));
}
/** Chooses v1 or v2 from the mounts and returns the manager rooted at our parent cgroup. */
export function detectCgroups(runner, opts = {}) {
    const procSelf = opts.procSelf ?? "/proc/self";
    const mounts = parseCgroupMounts(opts.mountinfo ?? readFileSync(join(procSelf, "mountinfo"), "utf8"));
    const self = parseProcCgroup(opts.procCgroup ?? readFileSync(join(procSelf, "cgroup"), "utf8"));
    const parent = opts.parent ?? "nodelet";
    const v1 = mounts.filter((m) => m.fsType === "cgroup" && m.controllers.length > 0);
    if (v1.some((m) => m.controllers.includes("memory")))
        return new V1CgroupManager(v1Parents(v1, self, parent), runner);
    const unified = mounts.find((m) => m.fsType === "cgroup2");
    if (!unified)
        throw new Error("no cgroup filesystem is mounted (looked for cgroup2 and v1 memory hierarchies)");
    const own = self.find((e) => e.controllers.length === 0)?.path ?? "/";
    const ownDir = hostDir(unified, own);
    return new V2CgroupManager(hostDir(unified, resolveParent(own, parent)), runner, ownDir);
}
function v1Parents(mounts, self, parent) {
    const dirFor = (controller) => {
        const mount = mounts.find((m) => m.controllers.includes(controller));
        if (!mount)
            throw new Error(`cgroup v1 controller "${controller}" is not mounted`);
        const own = self.find((e) => e.controllers.includes(controller))?.path ?? "/";
        return hostDir(mount, resolveParent(own, parent));
    };
    const parents = { cpu: dirFor("cpu"), cpuacct: dirFor("cpuacct"), memory: dirFor("memory"), pids: dirFor("pids") };
    const used = ["cpu", "cpuacct", "memory", "pids"];
    if (mounts.some((m) => m.controllers.includes("devices"))) {
        parents.devices = dirFor("devices");
        used.push("devices");
    }
    const views = new Map();
    for (const m of mounts.filter((x) => x.controllers.some((c) => used.includes(c)))) {
        views.set(m.mountPoint, { name: posix.basename(m.mountPoint), controllers: m.controllers });
    }
    parents.views = [...views.values()];
    return parents;
}
/** The cgroup path of our parent: `parent` under the daemon's own cgroup unless it is absolute. */
function resolveParent(own, parent) {
    return parent.startsWith("/") ? posix.normalize(parent) : posix.join(own, parent);
}
/** Host directory of a cgroup path, given where (and which part of) the hierarchy is mounted. */
function hostDir(mount, cgroupPath) {
    const rel = mount.root !== "/" && cgroupPath.startsWith(mount.root) ? cgroupPath.slice(mount.root.length) : cgroupPath;
    return posix.join(mount.mountPoint, rel);
}
//# sourceMappingURL=detect.js.map