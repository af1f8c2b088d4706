/**
 * cgroup v1: one directory per controller hierarchy (cpu, cpuacct, memory, pids; cpu and cpuacct are often
 * co-mounted). Every knob write goes through the Runner so `nodelet explain` shows it as `echo N > file`.
 * Kernel docs: Documentation/admin-guide/cgroup-v1/{cpu,memory,pids}.rst
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { readIntFile, readKeyedFile, removeCgroupDirs, listChildren, readProcs } from "./files.js";
import { DEFAULT_CPU_PERIOD_US } from "./types.js";
export class V1CgroupManager {
    parents;
    runner;
    version = 1;
    hierarchies;
    constructor(parents, runner) {
        this.parents = parents;
        this.runner = runner;
        // Co-mounted controllers (cpu,cpuacct) share a directory: create and remove it once.
        const all = [parents.cpu, parents.cpuacct, parents.memory, parents.pids, ...(parents.devices ? [parents.devices] : [])];
        this.hierarchies = [...new Set(all)];
    }
    async prepare(owner = "node") {
        for (const dir of this.hierarchies)
            await this.runner.mkdir(dir, owner);
    }
    dirs(path) {
        return this.hierarchies.map((h) => join(h, path));
    }
    async create(path, limits, owner) {
        await Promise.all(this.dirs(path).map((dir) => this.runner.mkdir(dir, owner)));
        await this.update(path, limits, owner);
    }
    async update(path, limits, owner) {
        const cpu = join(this.parents.cpu, path);
        const write = (file, value) => this.runner.writeFile(file, String(value), owner);
        // Period before quota (the kernel checks quota against the current period); the controllers are independent.
        const cpuWrites = async () => {
            if (limits.cpuQuotaUs !== undefined || limits.cpuPeriodUs !== undefined) {
                await write(join(cpu, "cpu.cfs_period_us"), limits.cpuPeriodUs ?? DEFAULT_CPU_PERIOD_US);
                await write(join(cpu, "cpu.cfs_quota_us"), limits.cpuQuotaUs ?? -1);
            }
            if (limits.cpuShares !== undefined)
                await write(join(cpu, "cpu.shares"), limits.cpuShares);
        };
        await Promise.all([
            cpuWrites(),
            limits.devices !== undefined ? this.writeDevices(path, limits.devices, owner) : undefined,
            limits.memoryBytes !== undefined ? write(join(this.parents.memory, path, "memory.limit_in_bytes"), limits.memoryBytes) : undefined,
            limits.pidsMax !== undefined ? write(join(this.parents.pids, path, "pids.max"), limits.pidsMax) : undefined,
        ]);
    }
    /** Deny everything, then allow each rule (Documentation/admin-guide/cgroup-v1/devices.rst); one rule a write. */
    async writeDevices(path, rules, owner) {
        if (!this.parents.devices)
            throw new Error("cgroup v1 devices controller is not mounted: the container's devices cannot be restricted");
        const dir = join(this.parents.devices, path);
        await this.runner.writeFile(join(dir, "devices.deny"), "a", owner);
        for (const rule of rules)
            await this.runner.writeFile(join(dir, "devices.allow"), rule, owner);
    }
    containerView() {
        return (this.parents.views ?? []).map((v) => `v1:${v.controllers.join(",")}:${v.name}`);
    }
    deviceFilterDir() {
        return undefined;
    }
    async addProcess(path, pid, owner) {
        for (const dir of this.dirs(path))
            await this.runner.writeFile(join(dir, "cgroup.procs"), String(pid), owner);
    }
    procs(path) {
        return readProcs(join(this.parents.memory, path));
    }
    async usage(path) {
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
    oomFile(path) {
        return join(this.parents.memory, path, "memory.oom_control");
    }
    remove(path, owner) {
        return removeCgroupDirs(this.dirs(path), this.runner, owner);
    }
    children(path) {
        return listChildren(join(this.parents.memory, path));
    }
}
/** True when the directory exists (a cgroup is there). */
export async function cgroupExists(dir) {
    try {
        await fsp.access(join(dir, "cgroup.procs"));
        return true;
    }
    catch {
        return false;
    }
}
//# sourceMappingURL=v1.js.map