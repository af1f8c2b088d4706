/**
 * cgroup v2: one unified tree. Controllers must be enabled in every ancestor's cgroup.subtree_control, and a cgroup
 * that delegates controllers may hold no processes itself ("no internal processes"), which is why the daemon's own
 * cgroup may need its processes moved into a leaf first (see prepare).
 * Kernel docs: Documentation/admin-guide/cgroup-v2.rst
 */
import { promises as fsp } from "node:fs";
import { join, relative, sep } from "node:path";
import { readIntFile, readKeyedFile, removeCgroupDirs, listChildren, readProcs } from "./files.js";
import { DEFAULT_CPU_PERIOD_US, sharesToWeight } from "./types.js";
const CONTROLLERS = ["cpu", "memory", "pids"];
export class V2CgroupManager {
    parent;
    runner;
    delegateFrom;
    version = 2;
    /**
     * @param parent absolute directory of our parent cgroup (e.g. /sys/fs/cgroup/<daemon's cgroup>/nodelet)
     * @param delegateFrom the daemon's own cgroup directory: controllers are enabled from here down to `parent`
     */
    constructor(parent, runner, delegateFrom = parent) {
        this.parent = parent;
        this.runner = runner;
        this.delegateFrom = delegateFrom;
    }
    dirs(path) {
        return [join(this.parent, path)];
    }
    /**
     * Makes `parent` usable: creates it and enables cpu, memory and pids along the path from the daemon's cgroup.
     * When the daemon's cgroup holds processes (v2 forbids delegating from such a cgroup), they move into the leaf
     * `<daemon cgroup>/nodelet-daemon` first — still inside the daemon's own subtree.
     */
    async prepare(owner = "node") {
        await this.runner.mkdir(this.parent, owner);
        const chain = ancestorsBetween(this.delegateFrom, this.parent);
        for (const dir of chain) {
            try {
                await this.enableControllers(dir, owner);
            }
            catch (err) {
                if (dir !== this.delegateFrom || !String(err).includes("EBUSY"))
                    throw err;
                await this.moveProcessesToLeaf(dir, owner);
                await this.enableControllers(dir, owner);
            }
        }
    }
    async enableControllers(dir, owner) {
        const available = (await fsp.readFile(join(dir, "cgroup.controllers"), "utf8").catch(() => "")).split(/\s+/);
        const wanted = CONTROLLERS.filter((c) => available.includes(c));
        if (wanted.length === 0)
            return;
        await this.runner.writeFile(join(dir, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "), owner);
    }
    async moveProcessesToLeaf(dir, owner) {
        const leaf = join(dir, "nodelet-daemon");
        await this.runner.mkdir(leaf, owner);
        for (const pid of await readProcs(dir)) {
            await this.runner.writeFile(join(leaf, "cgroup.procs"), String(pid), owner).catch(() => undefined);
        }
    }
    async create(path, limits, owner) {
        const dir = join(this.parent, path);
        // Intermediate levels (qos class, pod) delegate to their children; the leaf does not.
        for (const level of ancestorsBetween(this.parent, dir).slice(1)) {
            await this.runner.mkdir(level, owner);
            if (level !== dir)
                await this.enableControllers(level, owner ?? "node");
        }
        await this.update(path, limits, owner);
    }
    async update(path, limits, owner) {
        const dir = join(this.parent, path);
        const write = (file, value) => this.runner.writeFile(join(dir, file), String(value), owner);
        if (limits.cpuQuotaUs !== undefined || limits.cpuPeriodUs !== undefined) {
            const quota = limits.cpuQuotaUs === undefined || limits.cpuQuotaUs < 0 ? "max" : String(limits.cpuQuotaUs);
            await write("cpu.max", `${quota} ${limits.cpuPeriodUs ?? DEFAULT_CPU_PERIOD_US}`);
        }
        if (limits.cpuShares !== undefined)
            await write("cpu.weight", sharesToWeight(limits.cpuShares));
        if (limits.memoryBytes !== undefined)
            await write("memory.max", limits.memoryBytes < 0 ? "max" : limits.memoryBytes);
        if (limits.pidsMax !== undefined)
            await write("pids.max", limits.pidsMax < 0 ? "max" : limits.pidsMax);
    }
    async addProcess(path, pid, owner) {
        await this.runner.writeFile(join(this.parent, path, "cgroup.procs"), String(pid), owner);
    }
    procs(path) {
        return readProcs(join(this.parent, path));
    }
    async usage(path) {
        const dir = join(this.parent, path);
        const [cpu, current, stat, events, pids] = await Promise.all([
            readKeyedFile(join(dir, "cpu.stat")),
            readIntFile(join(dir, "memory.current")),
            readKeyedFile(join(dir, "memory.stat")),
            readKeyedFile(join(dir, "memory.events")),
            readIntFile(join(dir, "pids.current")),
        ]);
        return {
            cpuNanos: (cpu.get("usage_usec") ?? 0) * 1000,
            memoryUsageBytes: current,
            memoryWorkingSetBytes: Math.max(0, current - (stat.get("inactive_file") ?? 0)),
            oomKills: events.get("oom_kill") ?? 0,
            pids,
        };
    }
    containerView() {
        return ["cgroup2"];
    }
    deviceFilterDir(path) {
        return join(this.parent, path);
    }
    oomFile(path) {
        return join(this.parent, path, "memory.events");
    }
    remove(path, owner) {
        return removeCgroupDirs([join(this.parent, path)], this.runner, owner);
    }
    children(path) {
        return listChildren(join(this.parent, path));
    }
}
/** [from, ..., to]: every directory on the way from `from` down to `to` (to must be inside from). */
export function ancestorsBetween(from, to) {
    const rel = relative(from, to);
    if (rel.startsWith(".."))
        throw new Error(`${to} is not inside ${from}`);
    const out = [from];
    let cur = from;
    for (const part of rel.split(sep).filter(Boolean)) {
        cur = join(cur, part);
        out.push(cur);
    }
    return out;
}
//# sourceMappingURL=v2.js.map