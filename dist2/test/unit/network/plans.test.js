import { test } from "node:test";
import assert from "node:assert/strict";
import { planGc } from "../../../src/network/gc.js";
import { bridgeBatch, inNetnsArgv, podSideBatch, unreachableDelBatch, vethAddArgv } from "../../../src/network/link-plan.js";
import { macForIP, vethName, iptablesChain } from "../../../src/network/names.js";
import { checkPodCidrFree, overlappingRoute, parseRoutes } from "../../../src/network/host-routes.js";
import { parseCidr, parseIPv4 } from "../../../src/api/cidr.js";
import { SerialSync } from "../../../src/network/serial-sync.js";
test("veth names: 15 bytes, stable per pod uid; MACs carry the IP", () => {
    const a = vethName("0b6f9a2e-1111-4c1d-9a3e-7d9f0e2a1b3c");
    assert.equal(a.length, 15);
    assert.match(a, /^nl[0-9a-f]{13}$/);
    assert.equal(vethName("0b6f9a2e-1111-4c1d-9a3e-7d9f0e2a1b3c"), a);
    assert.notEqual(vethName("other"), a);
    assert.equal(macForIP(parseIPv4("10.244.0.5")), "0a:58:0a:f4:00:05");
    assert.equal(iptablesChain("abcdefghijklmno", "POST").length, 28, "the longest chain name fits iptables' 28");
});
test("a pod's veth: one exec on the host, one batch inside", () => {
    const spec = { hostName: "nlabc", bridge: "nodelet0", netnsPid: 4242, podIfName: "eth0", ip: parseIPv4("10.244.0.5"), prefix: 24, gateway: parseIPv4("10.244.0.1") };
    assert.deepEqual(vethAddArgv(spec), ["ip", "link", "add", "nlabc", "up", "master", "nodelet0", "type", "veth", "peer", "name", "eth0", "address", "0a:58:0a:f4:00:05", "netns", "4242"]);
    assert.deepEqual(inNetnsArgv(4242, ["ip", "-batch", "-"]), ["nsenter", "--net=/proc/4242/ns/net", "ip", "-batch", "-"]);
    assert.equal(podSideBatch(spec), "addr add 10.244.0.5/24 dev eth0\nlink set dev eth0 up\nroute add default via 10.244.0.1 dev eth0\n");
});
test("bridge batch: create only when missing; unreachable routes idempotent", () => {
    const cluster = parseCidr("10.244.0.0/16");
    const service = parseCidr("10.96.0.0/12");
    const spec = { name: "nodelet0", gateway: parseIPv4("10.244.0.1"), prefix: 24, create: true, addAddress: true, unreachable: [cluster, service] };
    assert.equal(bridgeBatch(spec), "link add nodelet0 address 0a:58:0a:f4:00:01 type bridge\nlink set dev nodelet0 alias nodelet\naddr add 10.244.0.1/24 dev nodelet0\nlink set dev nodelet0 up\nroute replace unreachable 10.244.0.0/16\nroute replace unreachable 10.96.0.0/12\n");
    assert.equal(bridgeBatch({ ...spec, create: false, addAddress: false, unreachable: [] }), "link set dev nodelet0 alias nodelet\nlink set dev nodelet0 up\n");
    assert.equal(unreachableDelBatch([cluster]), "route del unreachable 10.244.0.0/16\n");
});
test("host routes: overlap with a real network is an error naming --pod-cidr; ours and guards are not", () => {
    const routes = parseRoutes(JSON.stringify([
        { dst: "default", gateway: "192.0.2.1", dev: "eth0" },
        { dst: "192.0.2.0/24", dev: "eth0", protocol: "kernel", scope: "link", prefsrc: "192.0.2.2" },
        { type: "unreachable", dst: "10.244.0.0/16" },
        { dst: "10.244.0.0/24", dev: "nodelet0", protocol: "kernel" },
        { dst: "10.50.0.7", gateway: "192.0.2.1", dev: "eth0" },
    ]));
    assert.equal(overlappingRoute(routes, parseCidr("10.244.0.0/24"), "nodelet0"), undefined);
    assert.equal(overlappingRoute(routes, parseCidr("10.244.0.0/24"), "other0")?.dev, "nodelet0", "another daemon's bridge");
    assert.throws(() => checkPodCidrFree(routes, parseCidr("192.0.2.0/25"), "nodelet0"), /^FieldError: --pod-cidr: 192\.0\.2\.0\/25 overlaps the host route 192\.0\.2\.0\/24 dev eth0;/);
    assert.throws(() => checkPodCidrFree(routes, parseCidr("10.50.0.0/24"), "nodelet0"), /host route 10\.50\.0\.7 dev eth0/);
});
test("garbage collection plan: leases of gone pods, our veths no live pod owns", () => {
    const lease = (podUid, veth) => ({ ip: "10.0.0.2", podUid, pod: `default/${podUid}`, veth, hostPorts: [], since: "" });
    const live = vethName("live");
    const dead = vethName("dead");
    const stray = vethName("stray");
    const plan = planGc([live, dead, stray, "eth1", "vethfoo"], [lease("live", live), lease("dead", dead)], new Set(["live"]));
    assert.deepEqual(plan.releasePods, ["dead"]);
    assert.deepEqual(plan.deleteLinks, [dead, stray], "never a port that is not ours by name");
});
test("serial sync: one run at a time, coalesced, each caller sees a run that started after it asked", async () => {
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    let state = 0;
    const seen = [];
    const sync = new SerialSync(async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        const snapshot = state;
        await new Promise((r) => setTimeout(r, 5));
        seen.push(snapshot);
        runs++;
        active--;
    });
    const waits = [];
    for (let i = 1; i <= 10; i++) {
        state = i;
        waits.push(sync.request());
        if (i === 3)
            await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(waits);
    assert.equal(maxActive, 1);
    assert.ok(runs <= 3, `coalesced into ${runs} runs`);
    assert.equal(seen[seen.length - 1], 10, "the last run saw the last change");
    let fail = true;
    const failing = new SerialSync(async () => {
        if (fail)
            throw new Error("boom");
    });
    await assert.rejects(failing.request(), /boom/);
    fail = false;
    await failing.request();
});
//# sourceMappingURL=plans.test.js.map