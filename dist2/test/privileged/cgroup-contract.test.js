/**
 * One CgroupManager contract, run over every implementation: v1 on the host's v1 hierarchies, v2 on a mounted
 * cgroup2 hierarchy (the unified one of a hybrid host, or the only one), and the fake the layers above test with.
 * What the runtime relies on: create is idempotent and makes ancestors, a process can be moved in and is listed,
 * remove refuses loudly while processes remain, takes children first and is idempotent, limits can be set and
 * changed, usage reads. Each real implementation works under its own parent, removed at the end.
 */
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { HostError } from "../../src/sys/host-error.js";
import { detectCgroups, parseCgroupMounts } from "../../src/sys/cgroups/detect.js";
import { FakeCgroupManager } from "../../src/sys/cgroups/fake.js";
import { V2CgroupManager } from "../../src/sys/cgroups/v2.js";
import { HostRunner } from "../../src/sys/runner.js";
import { isRoot } from "../helpers/root.js";
const mounts = parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8"));
const v1Mounted = mounts.some((m) => m.fsType === "cgroup" && m.controllers.includes("memory"));
const unified = mounts.find((m) => m.fsType === "cgroup2");
const unifiedControllers = unified ? readFileSync(`${unified.mountPoint}/cgroup.controllers`, "utf8").split(/\s+/).filter(Boolean) : [];
const runner = new HostRunner();
const tag = `nodelet-contract-${process.pid}`;
const subjects = [
    { name: "fake", skip: false, make: () => new FakeCgroupManager(), limits: true },
    {
        name: "v1",
        skip: !isRoot ? "needs root (privileged test)" : !v1Mounted ? "no cgroup v1 memory hierarchy is mounted" : false,
        make: () => detectCgroups(runner, { parent: `/${tag}-v1` }),
        limits: true,
    },
    {
        name: "v2",
        skip: !isRoot ? "needs root (privileged test)" : !unified ? "no cgroup2 hierarchy is mounted" : false,
        // Our own directory at the top of the hierarchy, delegating from itself: no daemon cgroup involved.
        make: () => new V2CgroupManager(`${unified.mountPoint}/${tag}-v2`, runner, `${unified.mountPoint}/${tag}-v2`),
        limits: ["cpu", "memory", "pids"].every((c) => unifiedControllers.includes(c)),
    },
];
function sleeper() {
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    return new Promise((resolve, reject) => {
        child.once("spawn", () => resolve(child));
        child.once("error", reject);
    });
}
function killed(child) {
    if (child.exitCode !== null || child.signalCode !== null)
        return Promise.resolve();
    const gone = new Promise((r) => child.once("exit", () => r()));
    child.kill("SIGKILL");
    return gone;
}
for (const s of subjects) {
    describe(`CgroupManager contract: ${s.name}`, { skip: s.skip }, () => {
        let m;
        const children = [];
        after(async () => {
            for (const c of children)
                await killed(c);
            await m?.remove("").catch(() => undefined);
        });
        test("prepare, then create makes missing ancestors, is idempotent, and children lists each level", async () => {
            m = s.make();
            await m.prepare("test");
            await m.create("burstable/pod1", {});
            await m.create("burstable/pod1", {});
            await m.create("burstable/pod1/ctr", {});
            assert.deepEqual(await m.children(""), ["burstable"]);
            assert.deepEqual(await m.children("burstable"), ["pod1"]);
            assert.deepEqual(await m.children("burstable/pod1"), ["ctr"]);
            assert.deepEqual(await m.children("burstable/pod1/ctr"), []);
            assert.equal(m.dirs("burstable/pod1").length > 0, true);
        });
        test("a process moved in is listed; remove refuses while it runs, then removes children first, and again is a no-op", async () => {
            const child = await sleeper();
            children.push(child);
            await m.addProcess("burstable/pod1/ctr", child.pid);
            assert.deepEqual(await m.procs("burstable/pod1/ctr"), [child.pid]);
            assert.deepEqual(await m.procs("burstable/pod1"), [], "procs lists the cgroup's own processes, not its children's");
            await assert.rejects(m.remove("burstable/pod1"), (e) => e instanceof HostError && /EBUSY/.test(e.message));
            if (s.name === "fake")
                m.groups.get("burstable/pod1/ctr").procs = [];
            await killed(child);
            await m.remove("burstable/pod1");
            assert.deepEqual(await m.children("burstable"), []);
            await m.remove("burstable/pod1");
        });
        test("moving a process into a cgroup that does not exist fails loudly", async () => {
            const child = await sleeper();
            children.push(child);
            await assert.rejects(m.addProcess("missing", child.pid), (e) => e instanceof HostError && /ENOENT/.test(e.message));
            await killed(child);
        });
        test("limits are set at create and changed by update; usage reads the cgroup", { skip: s.limits ? false : `the ${s.name} hierarchy here has no cpu, memory and pids controllers` }, async () => {
            await m.create("guaranteed", { cpuPeriodUs: 100_000, cpuQuotaUs: 50_000, cpuShares: 512, memoryBytes: 64 * 2 ** 20, pidsMax: 32 });
            await m.update("guaranteed", { cpuQuotaUs: -1, memoryBytes: -1, pidsMax: 64 });
            const child = await sleeper();
            children.push(child);
            await m.addProcess("guaranteed", child.pid);
            const u = await m.usage("guaranteed");
            assert.equal(u.pids, 1);
            assert.ok(u.cpuNanos >= 0 && u.memoryUsageBytes >= 0 && u.oomKills === 0);
            if (s.name === "fake")
                m.groups.get("guaranteed").procs = [];
            await killed(child);
            await m.remove("guaranteed");
        });
    });
}
//# sourceMappingURL=cgroup-contract.test.js.map