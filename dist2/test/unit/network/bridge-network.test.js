/**
 * BridgeNetwork's orchestration without root: a scripted runner and fake kernel files record what it would run,
 * so the exec count per pod, the rollback of a failed attach or an abort and the errors for bad input are checked
 * exactly. Pods get their network one way: prepare → the sandbox makes the pair → attach (or abort).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BridgeNetwork } from "../../../src/network/bridge-network.js";
import { parseIPv4 } from "../../../src/api/cidr.js";
import { macForIP, vethName } from "../../../src/network/names.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
function fakeKernel() {
    const written = [];
    const links = new Set();
    return {
        written,
        links,
        readSysctl: () => "1",
        writeSysctl: async (k, v) => void written.push(`${k}=${v}`),
        ifindex: (name) => (links.has(name) ? 42 : undefined),
        isBridge: () => true,
        setHairpin: async (p) => void written.push(`hairpin ${p}`),
        bridgePorts: () => [],
        legacyIptablesTables: () => [],
        bridgesWithAlias: () => [],
    };
}
const ROUTES = JSON.stringify([{ dst: "default", gateway: "192.0.2.1", dev: "eth0" }, { dst: "192.0.2.0/24", dev: "eth0" }]);
function answers(argv) {
    if (argv.join(" ").startsWith("ip -json -4 route show"))
        return { stdout: ROUTES };
    if (argv.join(" ").startsWith("ip -json -4 route get"))
        return { stdout: JSON.stringify([{ dst: "1.1.1.1", prefsrc: "192.0.2.2" }]) };
    return undefined;
}
function pod(name, ports = []) {
    return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", uid: `uid-${name}` }, spec: { containers: [{ name: "c", image: "busybox", ports }] } };
}
function sandbox(p, pid = 1000) {
    return {
        podUid: p.metadata.uid, namespace: "default", name: p.metadata.name, pid, createdAt: "", hostname: p.metadata.name,
        cgroupPath: "", hostNetwork: false, sharePid: false, hostIPC: false, ips: [], state: "ready",
    };
}
/** What the runtime does: prepare, the sandbox makes the pair (here: the fake kernel learns the link), attach. */
async function up(t, p) {
    const prepared = await t.net.prepare(p, p.metadata.uid);
    t.kernel.links.add(vethName(p.metadata.uid));
    return { prepared, att: await t.net.attach(p, sandbox(p), prepared) };
}
async function started(answer = answers) {
    const dir = mkdtempSync(join(tmpdir(), "bn-"));
    const runner = new ScriptedRunner(answer);
    const kernel = fakeKernel();
    const net = new BridgeNetwork({ stateDir: dir, runner, kernel, firewallBackend: "nftables", podCIDR: "10.244.0.0/29" });
    await net.start(new Set());
    runner.clear();
    return { net, runner, kernel, done: () => rmSync(dir, { recursive: true, force: true }) };
}
test("start builds the bridge and the rules, and learns the node address", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bn-"));
    try {
        const runner = new ScriptedRunner(answers);
        const net = new BridgeNetwork({ stateDir: dir, runner, kernel: { ...fakeKernel(), ifindex: () => undefined }, firewallBackend: "nftables" });
        await net.start(new Set());
        const batch = runner.calls.find((c) => c.argv.join(" ") === "ip -batch -");
        assert.match(batch.input, /^link add nodelet0 address 0a:58:0a:f4:00:01 type bridge\n/);
        assert.match(batch.input, /route replace unreachable 10\.244\.0\.0\/16\nroute replace unreachable 10\.96\.0\.0\/12\n$/);
        assert.ok(runner.calls.some((c) => c.argv.join(" ") === "nft -f -" && c.input.includes("table ip nodelet-nodelet0 {")));
        assert.equal(net.hostIP(), "192.0.2.2");
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test("a pod without hostPorts costs no exec: the sandbox gets the pair from one veth description", async () => {
    const t = await started();
    try {
        const p = pod("web");
        const { prepared, att } = await up(t, p);
        assert.deepEqual(att.ips, ["10.244.0.2"]);
        assert.equal(t.runner.calls.length, 0);
        const veth = vethName("uid-web");
        assert.deepEqual(prepared.shimArgs, ["--veth", veth, "--bridge", "nodelet0", "--address", "10.244.0.2/29", "--gateway", "10.244.0.1", "--mac", macForIP(parseIPv4("10.244.0.2")), "--hairpin"]);
        assert.equal(prepared.equivalent[0], `ip link add ${veth} up master nodelet0 type veth peer name eth0 address ${macForIP(parseIPv4("10.244.0.2"))} netns $PAUSE_PID`);
        assert.match(prepared.equivalent[1], /^ip addr add 10\.244\.0\.2\/29 dev eth0 /);
        assert.equal(att.state.veth, veth);
        await t.net.tearDown({ ...sandbox(p), network: att.state });
        assert.equal(t.runner.calls.length, 0);
        const again = await up(t, pod("next"));
        assert.equal(again.att.ips[0], "10.244.0.3");
    }
    finally {
        t.done();
    }
});
test("hostPorts: a DNAT rule while the pod lives, gone with it; a taken hostPort is refused before any exec", async () => {
    const t = await started();
    try {
        const web = pod("web", [{ containerPort: 80, hostPort: 8080 }]);
        const { att } = await up(t, web);
        const nft = t.runner.calls.filter((c) => c.argv[0] === "nft");
        assert.equal(nft.length, 1);
        assert.match(nft[0].input, /meta l4proto tcp th dport 8080 dnat to 10\.244\.0\.2:80 comment "default\/web"/);
        t.runner.clear();
        const other = pod("other", [{ containerPort: 81, hostPort: 8080 }]);
        await assert.rejects(up(t, other), (e) => e.message === "spec.containers[0].ports[0].hostPort: 8080/TCP is already allocated to pod default/web");
        assert.equal(t.runner.calls.length, 0);
        await t.net.tearDown({ ...sandbox(web), network: att.state });
        assert.doesNotMatch(t.runner.calls.find((c) => c.argv[0] === "nft").input, /dnat to/);
    }
    finally {
        t.done();
    }
});
test("a failed attach undoes everything: veth deleted, lease and hostPort freed, rules rewritten", async () => {
    let failing = false;
    const t = await started((argv) => (argv[0] === "nft" && failing ? { code: 1, stderr: "nft: cannot open" } : answers(argv)));
    failing = true;
    try {
        const web = pod("web", [{ containerPort: 80, hostPort: 8080 }]);
        await assert.rejects(up(t, web), /cannot open/);
        const cmds = t.runner.calls.map((c) => c.argv.join(" "));
        assert.deepEqual(cmds, ["nft -f -", `ip link del ${vethName("uid-web")}`, "nft -f -"]);
        assert.doesNotMatch(t.runner.calls[2].input, /dnat to/, "the rules are rewritten without the pod's hostPort");
        assert.deepEqual(t.net.activeLeases(), [], "the lease is freed");
        failing = false;
        const again = pod("again", [{ containerPort: 80, hostPort: 8080 }]);
        const { att } = await up(t, again);
        assert.equal(att.ips.length, 1, "the hostPort was freed with the lease");
    }
    finally {
        t.done();
    }
});
test("abort gives back the address and the pair the sandbox may have made", async () => {
    const t = await started();
    try {
        const p = pod("web");
        const prepared = await t.net.prepare(p, "uid-web");
        t.kernel.links.add(vethName("uid-web"));
        await t.net.abort(prepared, "uid-web");
        assert.deepEqual(t.runner.calls.map((c) => c.argv.join(" ")), [`ip link del ${vethName("uid-web")}`]);
        assert.deepEqual(t.net.activeLeases(), []);
    }
    finally {
        t.done();
    }
});
test("a lingering veth of the same pod's previous sandbox is deleted before the sandbox makes the pair", async () => {
    const t = await started();
    try {
        t.kernel.links.add(vethName("uid-web"));
        await t.net.prepare(pod("web"), "uid-web");
        assert.deepEqual(t.runner.calls.map((c) => c.argv.join(" ")), [`ip link del ${vethName("uid-web")}`]);
    }
    finally {
        t.done();
    }
});
test("an exhausted pod CIDR is a clear error", async () => {
    const t = await started();
    try {
        for (let i = 0; i < 5; i++)
            await up(t, pod(`p${i}`)); // a /29 has 5 pod addresses
        await assert.rejects(up(t, pod("x")), /^FieldError: --pod-cidr: no free address: all 5 pod addresses of 10\.244\.0\.0\/29 are leased$/);
    }
    finally {
        t.done();
    }
});
test("start refuses a pod CIDR the host routes elsewhere, before changing anything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bn-"));
    try {
        const runner = new ScriptedRunner(answers);
        const net = new BridgeNetwork({ stateDir: dir, runner, kernel: fakeKernel(), clusterCIDR: "192.0.0.0/16", podCIDR: "192.0.2.0/24", serviceCIDR: "10.96.0.0/12" });
        await assert.rejects(net.start(new Set()), /^FieldError: --pod-cidr: 192\.0\.2\.0\/24 overlaps the host route 192\.0\.2\.0\/24 dev eth0/);
        assert.deepEqual(runner.calls.map((c) => c.argv.join(" ")), ["ip -json -4 route show table main"]);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
test("leases survive a restart; start collects those of pods that are gone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bn-"));
    try {
        const mk = () => {
            const kernel = fakeKernel();
            return { kernel, net: new BridgeNetwork({ stateDir: dir, runner: new ScriptedRunner(answers), kernel, firewallBackend: "nftables" }) };
        };
        const first = mk();
        await first.net.start(new Set());
        const { att: a } = await up(first, pod("a"));
        await up(first, pod("b"));
        const second = mk();
        await second.net.start(new Set(["uid-a"]));
        const { att: c } = await up(second, pod("c"));
        assert.notEqual(c.ips[0], a.ips[0]);
        const { att: again } = await up(second, pod("a"));
        assert.equal(again.ips[0], a.ips[0], "pod a kept its address across the restart");
        const third = mk().net;
        await third.tearDown({ ...sandbox(pod("c")), network: c.state }); // before start: the runtime reconciling
        assert.deepEqual(third.activeLeases().map((l) => l.podUid).sort(), ["uid-a"]);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=bridge-network.test.js.map