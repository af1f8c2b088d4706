/**
 * `nodelet reset --root DIR` removes what DIR's daemon made, as that daemon recorded it, and nothing of another
 * daemon's: two daemons with different bridges, CIDRs and cgroup parents, each running a pod; the reset of the
 * first is given the second's settings as flags (the record must win) and leaves the second whole.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { needsRoot } from "../helpers/root.js";
import { eventually, NODELET, TestDaemon } from "../helpers/daemon.js";
const skip = needsRoot();
function nodelet(args) {
    return new Promise((resolve) => {
        execFile(process.execPath, [NODELET, ...args], { timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
    });
}
/** The unreachable routes the kernel has for 10.OCTET.x. */
function unreachableRoutes(octet) {
    const out = spawnSync("ip", ["-4", "route", "show", "type", "unreachable"], { encoding: "utf8" }).stdout ?? "";
    return out.split("\n").filter((l) => l.startsWith(`unreachable 10.${octet}.`)).map((l) => l.split(" ")[1]);
}
function nftTable(bridge) {
    return (spawnSync("nft", ["list", "tables"], { encoding: "utf8" }).stdout ?? "").split("\n").some((l) => l.includes(bridge));
}
describe("reset --root of one daemon beside another (privileged)", { skip }, () => {
    let a;
    let b;
    before(async () => {
        a = new TestDaemon("reset-a");
        b = new TestDaemon("reset-b");
        await a.start();
        await b.start();
    });
    after(async () => {
        await a.cleanup();
        await b.cleanup();
        assert.deepEqual([...a.leftovers(), ...b.leftovers()], []);
    });
    test("removes exactly the first daemon's objects, whatever flags it is given", async () => {
        for (const d of [a, b]) {
            const r = await d.cli(["run", "p", "--image", "busybox", "--", "sleep", "3600"]);
            assert.equal(r.code, 0, r.stderr);
            await eventually(async () => (await d.pod("p"))?.status?.phase === "Running", 30_000, `${d.name} pod Running`);
        }
        const bPod = (await b.pod("p"));
        const bPid = b.runningPid(bPod.metadata.uid);
        assert.ok(bPid);
        const before = { aRoutes: unreachableRoutes(a.octet), bRoutes: unreachableRoutes(b.octet) };
        assert.deepEqual(before.aRoutes, [`10.${a.octet}.0.0/17`, `10.${a.octet}.128.0/20`]);
        assert.deepEqual(before.bRoutes, [`10.${b.octet}.0.0/17`, `10.${b.octet}.128.0/20`]);
        assert.ok(existsSync(`/sys/class/net/${a.bridge}`) && existsSync(`/sys/class/net/${b.bridge}`));
        await a.terminate();
        // b's settings as flags: a reset by the flags would remove b's bridge, routes, rules and cgroups.
        const bNet = b.args.slice(b.args.indexOf("--bridge"));
        const r = await nodelet(["reset", "--root", a.root, "--cgroup-parent", b.cgroupParent, ...bNet]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`--bridge: using "${a.bridge}", which .* daemon recorded, not "${b.bridge}"`));
        assert.match(r.stderr, new RegExp(`--cgroup-parent: using "${a.cgroupParent}"`));
        assert.deepEqual(a.leftovers(), [], "nothing of a is left: processes, mounts, bridge, rules, routes, cgroups");
        assert.deepEqual(unreachableRoutes(a.octet), []);
        assert.ok(!existsSync(`${a.root}/daemon.json`), "the record went with what it described");
        assert.deepEqual(unreachableRoutes(b.octet), before.bRoutes, "b's routes are there");
        assert.ok(existsSync(`/sys/class/net/${b.bridge}`), "b's bridge is there");
        assert.ok(nftTable(b.bridge) || (spawnSync("iptables-save", [], { encoding: "utf8" }).stdout ?? "").includes(b.bridge), "b's rules are there");
        assert.ok(readFileSync(`/proc/${bPid}/cmdline`, "utf8").includes("sleep"), "b's container runs");
        assert.equal((await b.pod("p"))?.status?.phase, "Running");
        const exec = await b.cli(["exec", "p", "--", "echo", "alive"]);
        assert.equal(exec.stdout, "alive\n", exec.stderr);
    });
});
//# sourceMappingURL=reset-root.test.js.map