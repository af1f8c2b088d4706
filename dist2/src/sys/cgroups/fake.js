/**
 * An in-memory CgroupManager for tests of the layers above (kubelet, runtime planning) that run without root.
 * It records limits and membership; usage is whatever the test sets (pids: its members by default). It keeps the
 * CgroupManager contract the real ones keep (test/privileged/cgroup-contract.test.ts runs over all three).
 */
import { HostError } from "../host-error.js";
export class FakeCgroupManager {
    version;
    groups = new Map();
    constructor(version = 2) {
        this.version = version;
    }
    async prepare() { }
    dirs(path) {
        return [`/fake-cgroup/${path}`];
    }
    async create(path, limits) {
        const parts = path.split("/").filter(Boolean);
        for (let i = 1; i < parts.length; i++) {
            const up = parts.slice(0, i).join("/");
            if (!this.groups.has(up))
                this.groups.set(up, { limits: {}, procs: [] });
        }
        const g = this.groups.get(path);
        if (g)
            g.limits = { ...g.limits, ...limits };
        else
            this.groups.set(path, { limits: { ...limits }, procs: [] });
    }
    async update(path, limits) {
        const g = this.groups.get(path);
        if (!g)
            throw new HostError("write limits of", `/fake-cgroup/${path}`, "", "ENOENT: no such cgroup");
        g.limits = { ...g.limits, ...limits };
    }
    async addProcess(path, pid) {
        const g = this.groups.get(path);
        if (!g)
            throw new HostError("write", `/fake-cgroup/${path}/cgroup.procs`, "", "ENOENT: no such cgroup");
        for (const other of this.groups.values())
            other.procs = other.procs.filter((p) => p !== pid);
        g.procs.push(pid);
    }
    async procs(path) {
        return this.groups.get(path)?.procs ?? [];
    }
    async usage(path) {
        const g = this.groups.get(path);
        return g?.usage ?? { cpuNanos: 0, memoryUsageBytes: 0, memoryWorkingSetBytes: 0, oomKills: 0, pids: g?.procs.length ?? 0 };
    }
    containerView() {
        return [];
    }
    deviceFilterDir() {
        return undefined;
    }
    oomFile(path) {
        return `/fake-cgroup/${path}/memory.events`;
    }
    async remove(path) {
        for (const key of [...this.groups.keys()]) {
            if (key === path || key.startsWith(`${path}/`)) {
                if (this.groups.get(key).procs.length)
                    throw new HostError("rmdir", `/fake-cgroup/${key}`, "", "EBUSY: it still has processes");
                this.groups.delete(key);
            }
        }
    }
    async children(path) {
        const prefix = path ? `${path}/` : "";
        const names = new Set();
        for (const key of this.groups.keys()) {
            if (key.startsWith(prefix))
                names.add(key.slice(prefix.length).split("/")[0]);
        }
        return [...names].filter(Boolean);
    }
}
//# sourceMappingURL=fake.js.map