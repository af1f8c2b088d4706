/**
 * `make bench` (network part): what a pod's network costs and carries, printed as two small tables.
 *
 * 1. Per-pod setup + teardown, ~50 pods each, median and p90, for
 *    - nodelet's BridgeNetwork (prepare → the sandbox makes the pair with netlink → attach; tearDown + kill),
 *    - the same steps with the `ip` command by hand (9 execs; teardown by `ip link del` + `ip netns del`, and by
 *      `ip netns del` alone, letting the kernel free the veth),
 *    - Debian's CNI `bridge` + `host-local` plugins called directly (CNI_COMMAND=ADD/DEL on an `ip netns add`
 *      namespace; ipMasq off, since our masquerade is one node-level rule, not per pod).
 * 2. TCP throughput (iperf3, 3 s): host→host over loopback, pod→pod over the bridge (iperf3 image built from the
 *    host's binary), host→pod, and through a port-forward-style relay (a Node TCP proxy on 127.0.0.1 dialing the
 *    pod IP, which is what the daemon's port-forward does), with ratios to loopback.
 *
 * Needs root, the shim (NODELET_SHIM or build/nodelet-shim), iperf3 and containernetworking-plugins. Figures are
 * printed, never asserted.
 */
import { freeOctets } from "../test/helpers/subnets.js";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { pipeline } from "node:stream";
import { join } from "node:path";
import { HostRunner } from "../src/sys/runner.js";
import { runShim } from "../src/runtime/shim-client.js";
import { isSameProcess } from "../src/sys/proc.js";
import { Spawner } from "../src/sys/spawner.js";
import { execIn, makeNetworkHarness } from "../test/helpers/network-harness.js";
import { shimPath, startPod, testPod } from "../test/helpers/runtime-harness.js";
const PODS = Number(process.env.NET_BENCH_PODS ?? 50);
const SECONDS = Number(process.env.NET_BENCH_SECONDS ?? 3);
const tag = process.pid % 1000;
/**
 * Runs a command the way nodelet runs its own (forked by the shim's spawner), so the baselines pay the same
 * per-exec price and the comparison is about how many commands each way needs. Fails loudly unless `allowFail`.
 */
const benchRunner = new HostRunner();
const benchSpawner = new Spawner(shimPath());
benchSpawner.start();
benchRunner.useSpawner(benchSpawner);
function run(argv, input, env, allowFail = false) {
    return benchRunner.run(argv, { input, env, allowFail });
}
async function timed(f) {
    const t0 = performance.now();
    const v = await f();
    return [performance.now() - t0, v];
}
function pct(xs, p) {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
async function waitGone(name, timeoutMs = 5000) {
    const t0 = performance.now();
    while (existsSync(`/sys/class/net/${name}`) && performance.now() - t0 < timeoutMs)
        await new Promise((r) => setTimeout(r, 1));
    return performance.now() - t0;
}
// ------------------------------------------------------------------------------------------------ ours
/**
 * The daemon's own path: the sandbox makes the pair with netlink as it creates its namespaces. Timed as the whole
 * sandbox (pause process + namespaces + network), next to the same sandbox without a network, so the network's
 * share is the difference of the two.
 */
async function benchSandbox(h, withNetwork) {
    const t = { setup: [], teardown: [], freed: [], execs: withNetwork ? "0 + 0" : "-" };
    for (let i = 0; i < PODS; i++) {
        const pod = testPod([], {}, `bench-s${i}`);
        const uid = pod.metadata.uid;
        const [setup, made] = await timed(async () => {
            const prepared = withNetwork ? await h.network.prepare(pod, uid) : undefined;
            const [pid] = await runShim(benchRunner, [shimPath(), "sandbox", "--hostname", "b", ...(prepared?.shimArgs ?? [])]);
            const sandbox = {
                podUid: uid, namespace: "default", name: pod.metadata.name, pid, createdAt: "", hostname: "", cgroupPath: "",
                hostNetwork: false, sharePid: false, hostIPC: false, ips: [], state: "ready",
            };
            const att = prepared ? await h.network.attach(pod, sandbox, prepared) : undefined;
            return { sandbox, att, pid };
        });
        const [teardown] = await timed(async () => {
            if (made.att)
                await h.network.tearDown({ ...made.sandbox, network: made.att.state });
            process.kill(made.pid, "SIGKILL");
            while (isSameProcess(made.pid))
                await new Promise((r) => setTimeout(r, 1));
        });
        t.setup.push(setup);
        t.teardown.push(teardown);
        if (made.att)
            t.freed.push(await waitGone(made.att.state.veth));
    }
    return t;
}
// ------------------------------------------------------------------------------------------------ by hand
async function makeBridge(name, gwCidr) {
    await run(["ip", "link", "add", name, "type", "bridge"]);
    await run(["ip", "addr", "add", gwCidr, "dev", name]);
    await run(["ip", "link", "set", name, "up"]);
}
/** The nine commands of the study note: netns, veth into it, bridge, hairpin, address, links up, route. */
function byHandSetup(ns, veth, bridge, ip, gw) {
    return [
        ["ip", "netns", "add", ns],
        ["ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns],
        ["ip", "link", "set", veth, "master", bridge],
        ["ip", "link", "set", veth, "type", "bridge_slave", "hairpin", "on"],
        ["ip", "link", "set", veth, "up"],
        ["ip", "-n", ns, "addr", "add", `${ip}/24`, "dev", "eth0"],
        ["ip", "-n", ns, "link", "set", "eth0", "up"],
        ["ip", "-n", ns, "link", "set", "lo", "up"],
        ["ip", "-n", ns, "route", "add", "default", "via", gw],
    ];
}
async function benchByHand(bridge, octet, linkDel) {
    const t = { setup: [], teardown: [], freed: [], execs: linkDel ? "9 + 2" : "9 + 1" };
    for (let i = 0; i < PODS; i++) {
        const ns = `nbh${tag}-${i}`;
        const veth = `nbh${tag}v${i}`;
        const [setup] = await timed(async () => {
            for (const argv of byHandSetup(ns, veth, bridge, `10.${octet}.0.${i + 2}`, `10.${octet}.0.1`))
                await run(argv);
        });
        const [teardown] = await timed(async () => {
            if (linkDel)
                await run(["ip", "link", "del", veth]);
            await run(["ip", "netns", "del", ns]);
        });
        t.setup.push(setup);
        t.teardown.push(teardown);
        t.freed.push(await waitGone(veth));
    }
    return t;
}
// ------------------------------------------------------------------------------------------------ CNI
function cniConfig(bridge, octet, dataDir) {
    return JSON.stringify({
        cniVersion: "1.0.0", name: `nbcni${tag}`, type: "bridge", bridge, isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: { type: "host-local", ranges: [[{ subnet: `10.${octet}.0.0/24` }]], routes: [{ dst: "0.0.0.0/0" }], dataDir },
    });
}
async function cni(command, id, ns, config) {
    const env = { CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: `/run/netns/${ns}`, CNI_IFNAME: "eth0", CNI_PATH: "/usr/lib/cni" };
    const r = await run(["/usr/lib/cni/bridge"], config, env, true);
    if (r.code !== 0)
        throw new Error(`CNI ${command}: ${r.stdout}${r.stderr}`);
}
async function benchCni(bridge, octet, dataDir) {
    const t = { setup: [], teardown: [], execs: "2 (+host-local) + 2" };
    const config = cniConfig(bridge, octet, dataDir);
    for (let i = 0; i < PODS; i++) {
        const ns = `nbc${tag}-${i}`;
        const [setup] = await timed(async () => {
            await run(["ip", "netns", "add", ns]);
            await cni("ADD", `bench${i}`, ns, config);
        });
        const [teardown] = await timed(async () => {
            await cni("DEL", `bench${i}`, ns, config);
            await run(["ip", "netns", "del", ns]);
        });
        t.setup.push(setup);
        t.teardown.push(teardown);
    }
    return t;
}
// ------------------------------------------------------------------------------------------------ throughput
async function iperfClient(argv) {
    const r = await run([...argv, "-t", String(SECONDS), "-J"], undefined, undefined, true);
    const j = JSON.parse(r.stdout);
    if (!j.end?.sum_received)
        throw new Error(`iperf3: ${j.error ?? r.stderr}`);
    return j.end.sum_received.bits_per_second / 1e9;
}
/**
 * A port-forward-style relay: every connection to 127.0.0.1:PORT is piped to host:port in this process (no
 * nsenter, no socat). stream.pipeline measured ~10% faster here than .pipe() and ~50% faster than socat's 8 KiB
 * copy loop.
 */
async function relay(host, port) {
    const srv = createServer({ noDelay: true }, (inbound) => {
        const out = connect({ host, port, noDelay: true });
        pipeline(inbound, out, () => inbound.destroy());
        pipeline(out, inbound, () => out.destroy());
    });
    await new Promise((r) => srv.listen(0, "127.0.0.1", r));
    return srv;
}
async function throughput(h) {
    const loopServer = spawn("iperf3", ["-s", "-B", "127.0.0.1", "-p", "5299"], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 300));
    const loopback = await iperfClient(["iperf3", "-c", "127.0.0.1", "-p", "5299"]);
    loopServer.kill();
    await h.images.buildFromHost(["/usr/bin/iperf3"], "iperf3");
    const server = testPod([{ image: "iperf3", command: ["iperf3", "-s"] }], {}, "iperf-server");
    const client = testPod([{ image: "iperf3", command: ["iperf3", "-s"] }], {}, "iperf-client");
    await startPod(h, server);
    const [c] = await startPod(h, client);
    await new Promise((r) => setTimeout(r, 300));
    const ip = h.podIP(server);
    const podToPod = await podIperf(h, c.id, ip);
    const hostToPod = await iperfClient(["iperf3", "-c", ip]);
    const r = await relay(ip, 5201);
    const viaRelay = await iperfClient(["iperf3", "-c", "127.0.0.1", "-p", String(r.address().port)]);
    r.close();
    return [["host → host (loopback)", loopback], ["pod → pod (bridge)", podToPod], ["host → pod", hostToPod], ["a plain Node.js TCP relay → pod", viaRelay]];
}
async function podIperf(h, containerId, ip) {
    const r = await execIn(h, containerId, ["iperf3", "-c", ip, "-t", String(SECONDS), "-J"], SECONDS + 20);
    const j = JSON.parse(r.out);
    if (!j.end?.sum_received)
        throw new Error(`iperf3 in pod: ${j.error ?? r.err}`);
    return j.end.sum_received.bits_per_second / 1e9;
}
// ------------------------------------------------------------------------------------------------ report
function row(name, t) {
    const total = t.setup.map((s, i) => s + t.teardown[i]);
    const f = (xs) => `${pct(xs, 50).toFixed(1).padStart(6)} ${pct(xs, 90).toFixed(1).padStart(6)}`;
    const freed = t.freed ? pct(t.freed, 50).toFixed(1).padStart(6) : "     -";
    return `${name.padEnd(34)} ${f(t.setup)}  ${f(t.teardown)}  ${f(total)}  ${freed}  ${t.execs}`;
}
async function main() {
    const h = await makeNetworkHarness({ tag: "b", octet: freeOctets(230, 2) });
    const handOctet = freeOctets(232);
    const cniOctet = freeOctets(234);
    const hand = `nbhand${tag}`;
    const cniBridge = `nbcni${tag}`;
    const dataDir = mkdtempSync(join(tmpdir(), "nodelet-cni-"));
    try {
        await makeBridge(hand, `10.${handOctet}.0.1/24`);
        const bare = await benchSandbox(h, false);
        const withNet = await benchSandbox(h, true);
        const results = [
            ["nodelet: sandbox makes it (netlink)", { ...withNet, setup: withNet.setup.map((x) => x - pct(bare.setup, 50)), teardown: withNet.teardown.map((x) => x - pct(bare.teardown, 50)) }],
            ["ip by hand (link del + netns del)", await benchByHand(hand, handOctet, true)],
            ["ip by hand (netns del only)", await benchByHand(hand, handOctet, false)],
            ["CNI bridge + host-local", await benchCni(cniBridge, cniOctet, dataDir)],
        ];
        console.log(`\nper-pod network setup and teardown, ms (${PODS} pods each; the netlink row is a whole sandbox with a network minus the median of one without: ${pct(bare.setup, 50).toFixed(1)} ms up, ${pct(bare.teardown, 50).toFixed(1)} ms down)`);
        console.log(`${"".padEnd(34)}  setup p50/p90   teardown p50/p90  total p50/p90  freed  execs (setup + teardown)`);
        for (const [name, t] of results)
            console.log(row(name, t));
        const ours = pct(results[0][1].setup.map((s, i) => s + results[0][1].teardown[i]), 50);
        for (const [name, t] of results.slice(1)) {
            console.log(`  ${name}: ${(pct(t.setup.map((s, i) => s + t.teardown[i]), 50) / ours).toFixed(1)}x nodelet's median`);
        }
        const tp = await throughput(h);
        console.log(`\nTCP throughput (iperf3, ${SECONDS} s)`);
        for (const [name, gbps] of tp)
            console.log(`${name.padEnd(28)} ${gbps.toFixed(2).padStart(7)} Gbit/s  ${(gbps / tp[0][1]).toFixed(2)} of loopback`);
    }
    finally {
        await run(["ip", "link", "del", hand], undefined, undefined, true);
        await run(["ip", "link", "del", cniBridge], undefined, undefined, true);
        rmSync(dataDir, { recursive: true, force: true });
        await h.cleanup();
    }
}
await main();
//# sourceMappingURL=network-bench.js.map