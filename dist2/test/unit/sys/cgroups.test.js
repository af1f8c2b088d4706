import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCgroupMounts, parseProcCgroup, detectCgroups } from "../../../src/sys/cgroups/detect.js";
import { V1CgroupManager } from "../../../src/sys/cgroups/v1.js";
import { V2CgroupManager } from "../../../src/sys/cgroups/v2.js";
import { milliCPUToQuota, milliCPUToShares, sharesToWeight } from "../../../src/sys/cgroups/types.js";
import { HostRunner } from "../../../src/sys/runner.js";
const HYBRID_MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const HYBRID_SELF = `8:pids:/
4:memory:/process_api/abc
2:cpuacct:/
1:cpu:/
0::/`;
const V2_MOUNTINFO = `30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate`;
test("parses cgroup mounts and /proc/self/cgroup", () => {
    const mounts = parseCgroupMounts(HYBRID_MOUNTINFO);
    assert.equal(mounts.length, 5);
    assert.deepEqual(mounts[0], { mountPoint: "/sys/fs/cgroup/cpu", root: "/", fsType: "cgroup", controllers: ["cpu"] });
    assert.equal(mounts[4].fsType, "cgroup2");
    const self = parseProcCgroup(HYBRID_SELF);
    assert.deepEqual(self[1], { controllers: ["memory"], path: "/process_api/abc" });
    assert.deepEqual(self[4], { controllers: [], path: "/" });
});
test("a hybrid host is v1, with our parent under the daemon's own cgroup per controller", () => {
    const m = detectCgroups(new HostRunner(), { mountinfo: HYBRID_MOUNTINFO, procCgroup: HYBRID_SELF });
    assert.ok(m instanceof V1CgroupManager);
    const { views, ...parents } = m.parents;
    assert.deepEqual(parents, {
        cpu: "/sys/fs/cgroup/cpu/nodelet",
        cpuacct: "/sys/fs/cgroup/cpuacct/nodelet",
        memory: "/sys/fs/cgroup/memory/process_api/abc/nodelet",
        pids: "/sys/fs/cgroup/pids/nodelet",
    });
    // The container sees exactly the hierarchies it is placed in, each under the name the host mounts it by.
    assert.deepEqual(views?.map((v) => v.name).sort(), ["cpu", "cpuacct", "memory", "pids"]);
    assert.ok(m.containerView().includes("v1:memory:memory"));
    assert.deepEqual(m.dirs("pod1/c1")[2], "/sys/fs/cgroup/memory/process_api/abc/nodelet/pod1/c1");
});
test("v1 devices: the controller's directory joins the cgroup; deny all, then allow each rule, one write each", async () => {
    const root = mkdtempSync(join(tmpdir(), "cg-v1-dev-"));
    const steps = [];
    try {
        const dir = (c) => join(root, c, "nodelet");
        const m = new V1CgroupManager({ cpu: dir("cpu"), cpuacct: dir("cpu"), memory: dir("memory"), pids: dir("pids"), devices: dir("devices") }, new HostRunner({ record: (_o, s) => steps.push(s) }));
        assert.deepEqual(m.dirs("p/c"), ["cpu", "memory", "pids", "devices"].map((c) => join(dir(c), "p/c")));
        await m.create("p/c", { devices: ["c 1:3 rwm", "c 136:* rwm"] }, "p");
        const writes = steps.filter((s) => s.kind === "write" && (s.path ?? "").startsWith(join(dir("devices"), "p/c"))).map((s) => `${s.path.split("/").pop()} ${s.input}`);
        assert.deepEqual(writes, ["devices.deny a", "devices.allow c 1:3 rwm", "devices.allow c 136:* rwm"]);
        assert.equal(m.deviceFilterDir(), undefined, "v1 needs no BPF program");
        const bare = new V1CgroupManager({ cpu: dir("cpu"), cpuacct: dir("cpu"), memory: dir("memory"), pids: dir("pids") }, new HostRunner());
        await assert.rejects(bare.create("q", { devices: ["c 1:3 rwm"] }), /devices controller is not mounted/);
    }
    finally {
        rmSync(root, { recursive: true, force: true });
    }
});
test("co-mounted cpu,cpuacct share one directory", () => {
    const info = `32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids`;
    const m = detectCgroups(new HostRunner(), { mountinfo: info, procCgroup: "3:cpu,cpuacct:/x\n4:memory:/x\n5:pids:/x\n" });
    assert.equal(m.dirs("p").length, 3);
    assert.equal(m.dirs("p")[0], "/sys/fs/cgroup/cpu,cpuacct/x/nodelet/p");
});
test("a pure cgroup2 host is v2; an absolute --cgroup-parent is taken as is", () => {
    const m = detectCgroups(new HostRunner(), { mountinfo: V2_MOUNTINFO, procCgroup: "0::/system.slice/nodelet.service\n" });
    assert.ok(m instanceof V2CgroupManager);
    assert.equal(m.parent, "/sys/fs/cgroup/system.slice/nodelet.service/nodelet");
    const abs = detectCgroups(new HostRunner(), { mountinfo: V2_MOUNTINFO, procCgroup: "0::/a\n", parent: "/kubepods" });
    assert.equal(abs.parent, "/sys/fs/cgroup/kubepods");
});
test("Kubernetes' CPU conversions", () => {
    assert.equal(milliCPUToShares(0), 2);
    assert.equal(milliCPUToShares(100), 102);
    assert.equal(milliCPUToShares(1000), 1024);
    assert.equal(milliCPUToQuota(200, 100000), 20000);
    assert.equal(milliCPUToQuota(1, 100000), 1000);
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(1024), 39);
    assert.equal(sharesToWeight(262144), 10000);
});
/** A directory tree standing in for a cgroup2 mount: enough files for every write the manager makes. */
function fakeV2Tree() {
    const root = mkdtempSync(join(tmpdir(), "fake-cgroup2-"));
    const own = join(root, "system.slice", "nodelet.service");
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, "cgroup.controllers"), "cpuset cpu io memory pids\n");
    writeFileSync(join(own, "cgroup.procs"), "");
    return { root, own };
}
test("v2 writes every knob in the unified format, against a fake cgroupfs tree", async () => {
    const { root, own } = fakeV2Tree();
    const steps = [];
    const runner = new HostRunner({ record: (_o, s) => steps.push(s) });
    try {
        const m = new V2CgroupManager(join(own, "nodelet"), runner, own);
        await m.prepare("node");
        assert.equal(readFileSync(join(own, "cgroup.subtree_control"), "utf8"), "+cpu +memory +pids");
        writeFileSync(join(own, "nodelet", "cgroup.controllers"), "cpu memory pids\n");
        mkdirSync(join(own, "nodelet", "pod1"));
        writeFileSync(join(own, "nodelet", "pod1", "cgroup.controllers"), "cpu memory pids\n");
        await m.create("pod1/ctr1", { cpuQuotaUs: 20000, cpuPeriodUs: 100000, cpuShares: 204, memoryBytes: 67108864, pidsMax: 4096 }, "pod1");
        const ctr = join(own, "nodelet", "pod1", "ctr1");
        assert.equal(readFileSync(join(ctr, "cpu.max"), "utf8"), "20000 100000");
        assert.equal(readFileSync(join(ctr, "cpu.weight"), "utf8"), String(sharesToWeight(204)));
        assert.equal(readFileSync(join(ctr, "memory.max"), "utf8"), "67108864");
        assert.equal(readFileSync(join(ctr, "pids.max"), "utf8"), "4096");
        assert.equal(readFileSync(join(own, "nodelet", "pod1", "cgroup.subtree_control"), "utf8"), "+cpu +memory +pids");
        await m.update("pod1/ctr1", { cpuQuotaUs: -1, memoryBytes: -1 });
        assert.equal(readFileSync(join(ctr, "cpu.max"), "utf8"), "max 100000");
        assert.equal(readFileSync(join(ctr, "memory.max"), "utf8"), "max");
        await m.addProcess("pod1/ctr1", 4242, "pod1");
        assert.equal(readFileSync(join(ctr, "cgroup.procs"), "utf8"), "4242");
        writeFileSync(join(ctr, "cpu.stat"), "usage_usec 1500\nuser_usec 1000\n");
        writeFileSync(join(ctr, "memory.current"), "1048576\n");
        writeFileSync(join(ctr, "memory.stat"), "anon 100\ninactive_file 4096\n");
        writeFileSync(join(ctr, "memory.events"), "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
        const u = await m.usage("pod1/ctr1");
        assert.deepEqual(u, { cpuNanos: 1_500_000, memoryUsageBytes: 1048576, memoryWorkingSetBytes: 1044480, oomKills: 1, pids: 0 });
        assert.equal(m.oomFile("pod1/ctr1"), join(ctr, "memory.events"));
        assert.ok(steps.some((s) => s.kind === "write" && s.path === join(ctr, "cpu.max")), "writes are recorded for explain");
        await m.remove("pod1");
        assert.equal(existsSync(join(own, "nodelet", "pod1")), false);
    }
    finally {
        rmSync(root, { recursive: true, force: true });
    }
});
test("v2 moves the daemon's processes to a leaf when its own cgroup cannot delegate", async () => {
    const { root, own } = fakeV2Tree();
    writeFileSync(join(own, "cgroup.procs"), "100\n200\n");
    let first = true;
    const runner = new HostRunner();
    const original = runner.writeFile.bind(runner);
    runner.writeFile = async (path, data, owner) => {
        if (first && path === join(own, "cgroup.subtree_control")) {
            first = false;
            throw new Error("EBUSY: device or resource busy");
        }
        return original(path, data, owner);
    };
    try {
        const m = new V2CgroupManager(join(own, "nodelet"), runner, own);
        await m.prepare();
        assert.equal(existsSync(join(own, "nodelet-daemon")), true);
        assert.equal(readFileSync(join(own, "cgroup.subtree_control"), "utf8"), "+cpu +memory +pids");
    }
    finally {
        rmSync(root, { recursive: true, force: true });
    }
});
//# sourceMappingURL=cgroups.test.js.map