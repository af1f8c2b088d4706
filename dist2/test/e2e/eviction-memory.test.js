/**
 * Memory pressure (privileged), made deterministic: the cgroup holding the daemon's pods is limited to 200 MiB and
 * --eviction-hard is memory.available<80Mi, so memory.available is that limit minus the pods' working set. A
 * Burstable pod under its request runs first; a BestEffort pod then holds 140 MiB (dd's buffer, blocked writing
 * to a pipe nobody reads), leaving ~60 MiB: MemoryPressure, its taint, the BestEffort pod evicted with the
 * kubelet's message naming its container, a BestEffort pod refused while a Burstable one is admitted, the Burstable
 * pod untouched, and the pressure gone once the memory is back.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { eventually, TestDaemon } from "../helpers/daemon.js";
const skip = needsRoot();
const Mi = 2 ** 20;
/** The memory limit file of the daemon's pod cgroup (it runs in our cgroup; --cgroup-parent is relative to it). */
function podsLimitFile(parent) {
    const lines = readFileSync("/proc/self/cgroup", "utf8").split("\n");
    if (existsSync("/sys/fs/cgroup/memory")) {
        const path = lines.map((l) => l.split(":")).find((f) => f[1]?.split(",").includes("memory"))[2];
        return join("/sys/fs/cgroup/memory", path, parent, "memory.limit_in_bytes");
    }
    const path = lines.find((l) => l.startsWith("0::")).slice(3);
    return join("/sys/fs/cgroup", path, parent, "memory.max");
}
describe("memory pressure (privileged)", { skip }, () => {
    const d = new TestDaemon("memory", ["--no-network", "--eviction-hard", "memory.available<80Mi", "--eviction-pressure-transition-period", "10s"]);
    before(async () => {
        await d.start();
        writeFileSync(podsLimitFile(d.cgroupParent), String(200 * Mi));
    });
    after(async () => {
        await d.cleanup();
        assert.deepEqual(d.leftovers(), [], "nothing of the daemon is left on the host");
    });
    const node = async () => JSON.parse((await d.cli(["get", "nodes", "-o", "json"])).stdout).items[0];
    const condition = (n, type) => n.status?.conditions?.find((c) => c.type === type)?.status;
    const apply = async (name, resources, command) => {
        const file = join("/tmp", `nodelet-mem-${process.pid}-${name}.yaml`);
        writeFileSync(file, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: ${name}\n    image: busybox\n    command: ["sh", "-c", "${command}"]\n${resources}`);
        const r = await d.cli(["apply", "-f", file]);
        rmSync(file, { force: true });
        assert.equal(r.code, 0, r.stderr);
    };
    const phase = async (name) => (await d.pod(name))?.status?.phase;
    test("the BestEffort pod over its request is evicted first; the Burstable one under its request stays", async () => {
        await apply("steady", "    resources:\n      requests:\n        memory: 64Mi\n", "sleep 3600");
        await eventually(async () => (await phase("steady")) === "Running", 20_000, "steady running");
        assert.equal(condition(await node(), "MemoryPressure"), "False");
        await apply("hog", "", "dd if=/dev/zero bs=140M count=1 | sleep 3600");
        const pressured = await eventually(async () => {
            const n = await node();
            return condition(n, "MemoryPressure") === "True" && n;
        }, 30_000, "MemoryPressure");
        assert.ok(pressured.spec?.taints?.some((t) => t.key === "node.kubernetes.io/memory-pressure"));
        // Under memory pressure alone a BestEffort pod is refused, a Burstable one admitted.
        await apply("late-besteffort", "", "sleep 3600");
        await apply("late-burstable", "    resources:\n      requests:\n        memory: 8Mi\n", "sleep 3600");
        const refused = await eventually(async () => {
            const p = await d.pod("late-besteffort");
            return p?.status?.phase === "Failed" && p;
        }, 15_000, "the BestEffort pod refused");
        assert.equal(refused.status.reason, "Evicted");
        assert.equal(refused.status.message, "The node had condition: [MemoryPressure]. ");
        await eventually(async () => (await phase("late-burstable")) === "Running", 20_000, "the Burstable pod admitted");
        const hog = await eventually(async () => {
            const p = await d.pod("hog");
            return p?.status?.reason === "Evicted" && p;
        }, 30_000, "the hog evicted");
        assert.equal(hog.status.phase, "Failed");
        assert.match(hog.status.message, /^The node was low on resource: memory\. Threshold quantity: 80Mi, available: \d+(Ki|Mi)?\. Container hog was using \d+(Ki|Mi)?, request is 0, has larger consumption of memory\. $/);
        const events = JSON.parse((await d.cli(["get", "events", "-o", "json"])).stdout).items;
        assert.ok(events.some((e) => e.reason === "Evicted" && e.involvedObject.name === "hog"));
        // Its memory is back: the pressure clears after the transition period and nobody else was evicted.
        await eventually(async () => condition(await node(), "MemoryPressure") === "False", 40_000, "MemoryPressure False again");
        for (const name of ["steady", "late-burstable"]) {
            const p = (await d.pod(name));
            assert.equal(p.status.phase, "Running", `${name} still running`);
            assert.equal(p.status.containerStatuses[0].restartCount, 0);
        }
        assert.equal((await node()).spec?.taints, undefined);
        await d.cli(["delete", "pod", "steady", "hog", "late-besteffort", "late-burstable", "--now"]);
    });
});
//# sourceMappingURL=eviction-memory.test.js.map