/**
 * Network fixtures for privileged tests: throwaway network namespaces joined to the host by a veth pair (a second
 * host, "the internet"), commands run inside a pod's or a test namespace's network namespace, and probes of what
 * is left on the host (veths, routes, rule tables). Everything created here is removed by remove(), even when the
 * test failed; names carry the test process's pid so parallel runs never collide.
 */
import { spawn } from "node:child_process";
import { plainRunner } from "../../src/sys/runner.js";
export function sh(argv, input, timeoutMs = 15_000) {
    return plainRunner.run(argv, { input, allowFail: true, timeoutMs });
}
/** argv run inside the network namespace of a host pid (a pod's pause process). */
export function inPid(pid, argv) {
    return ["nsenter", `--net=/proc/${pid}/ns/net`, ...argv];
}
/** A named network namespace (ip netns add) linked to the host by a veth pair with a /24 or /30 between them. */
export class PeerNamespace {
    name;
    hostIf;
    hostAddr;
    peerAddr;
    constructor(name, 
    /** The host end's interface and address (what the peer routes through). */
    hostIf, hostAddr, peerAddr) {
        this.name = name;
        this.hostIf = hostIf;
        this.hostAddr = hostAddr;
        this.peerAddr = peerAddr;
    }
    /**
     * Creates namespace NAME with eth0 = peerCidr's address, the host end NAME-h with hostCidr's address, and a
     * default route in the namespace via the host end. Example: create("nt1", "198.51.100.1/30", "198.51.100.2/30").
     */
    static async create(name, hostCidr, peerCidr) {
        const hostIf = `${name}h`;
        const ns = new PeerNamespace(name, hostIf, hostCidr.split("/")[0], peerCidr.split("/")[0]);
        await ns.remove();
        const steps = [
            ["ip", "netns", "add", name],
            ["ip", "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", name],
            ["ip", "addr", "add", hostCidr, "dev", hostIf],
            ["ip", "link", "set", hostIf, "up"],
            ["ip", "-n", name, "addr", "add", peerCidr, "dev", "eth0"],
            ["ip", "-n", name, "link", "set", "eth0", "up"],
            ["ip", "-n", name, "link", "set", "lo", "up"],
            ["ip", "-n", name, "route", "add", "default", "via", ns.hostAddr],
        ];
        for (const argv of steps) {
            const r = await sh(argv);
            if (r.code !== 0) {
                await ns.remove();
                throw new Error(`${argv.join(" ")}: ${r.stderr.trim()}`);
            }
        }
        return ns;
    }
    argv(argv) {
        return ["ip", "netns", "exec", this.name, ...argv];
    }
    run(argv, input, timeoutMs) {
        return sh(this.argv(argv), input, timeoutMs);
    }
    spawn(argv) {
        return spawn("ip", ["netns", "exec", this.name, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    }
    async remove() {
        await sh(["ip", "link", "del", this.hostIf]);
        await sh(["ip", "netns", "del", this.name]);
    }
}
/** Names of every veth in the host namespace. */
export async function hostVeths() {
    const r = await sh(["ip", "-json", "link", "show", "type", "veth"]);
    return JSON.parse(r.stdout || "[]").map((l) => l.ifname);
}
/** Ports of a bridge (empty when it does not exist). */
export async function bridgePorts(bridge) {
    const r = await sh(["ip", "-json", "link", "show", "master", bridge]);
    return r.code === 0 ? JSON.parse(r.stdout || "[]").map((l) => l.ifname) : [];
}
export async function linkExists(name) {
    return (await sh(["ip", "link", "show", name])).code === 0;
}
export async function nftTableExists(family, name) {
    return (await sh(["nft", "list", "table", family, name])).code === 0;
}
/** iptables-save lines (both variants) mentioning `text`. */
export async function iptablesLinesWith(text) {
    const out = [];
    for (const bin of ["iptables-nft-save", "iptables-legacy-save"]) {
        const r = await sh([bin]);
        out.push(...r.stdout.split("\n").filter((l) => l.includes(text)));
    }
    return out;
}
export async function routesTo(dst) {
    const r = await sh(["ip", "-4", "route", "show", "table", "main"]);
    return r.stdout.split("\n").filter((l) => l.includes(dst));
}
/** Polls `check` until it returns true or the time is up. */
export async function waitFor(what, check, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
    }
}
/** Spawns a long-running helper (a listener) and returns it with a promise of all its stdout once it exits. */
export function background(argv) {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    const output = new Promise((resolve) => child.on("close", () => resolve(Buffer.concat(chunks).toString())));
    return { child, output, stop: () => void child.kill("SIGKILL") };
}
/** Waits until a TCP connection to host:port succeeds (a server in a pod has started). */
export async function waitForTcp(host, port, timeoutMs = 5000) {
    const { connect } = await import("node:net");
    await waitFor(`${host}:${port} to accept connections`, () => new Promise((resolve) => {
        const s = connect({ host, port, timeout: 500 });
        s.once("timeout", () => {
            s.destroy();
            resolve(false);
        });
        s.once("connect", () => {
            s.destroy();
            resolve(true);
        });
        s.once("error", () => resolve(false));
    }), timeoutMs);
}
//# sourceMappingURL=netns.js.map