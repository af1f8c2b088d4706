/**
 * BridgeNetwork: the CNI bridge + host-local + portmap plugins' job, done in the daemon. Each pod gets a veth pair
 * (eth0 inside with an address from the pod CIDR, the host end on the node bridge), pods reach each other over the
 * bridge and the world through masquerade, and hostPorts are DNATed to them.
 *
 * Side effects and their cleanup:
 * - start(): bridge, routes, sysctls (node-setup.ts), our firewall table/chains; frees leases and veths of pods
 *   that no longer exist.
 * - prepare() → the sandbox makes the veth pair with netlink → attach(): one lease (persisted), the pod's hostPort
 *   rules (1 exec, only with hostPorts). On a failure attach() or abort() undoes everything before the error.
 * - tearDown(): frees the lease and the hostPort rules; the veth goes with the pod's namespace (a check two seconds
 *   later deletes it if something kept the namespace alive, and start() collects any left over).
 * - reset(): removes all of the above, leaving the host as before.
 */
import { join } from "node:path";
import { FieldError } from "../api/errors.js";
import { HostError } from "../sys/host-error.js";
import { contains, formatCidr, formatIPv4, parseIPv4 } from "../api/cidr.js";
import { chooseFirewall, NftRunner } from "./firewall/backend.js";
import { planGc } from "./gc.js";
import { podHostPorts } from "./host-ports.js";
import { LeaseStore } from "./ipam.js";
import { hostKernelFiles } from "./kernel-files.js";
import { linkDelArgv, sandboxNetworkArgs, vethEquivalent } from "./link-plan.js";
import { vethName } from "./names.js";
import { detectNodeIP } from "./node-ip.js";
import { applyNode, inspectHost, planBridge, recordCreatedTables, removeNode } from "./node-setup.js";
import { podFirewallFor, removeAllPodFirewalls } from "./pod-firewall.js";
import { SerialSync } from "./serial-sync.js";
import { validateSettings } from "./settings.js";
export class BridgeNetwork {
    o;
    settings;
    leases;
    kernel;
    runner;
    firewall;
    nodeIP;
    firewallSync = new SerialSync(() => this.syncFirewall(false));
    /** A rule write failed: the rules may not match the leases until the next successful write. */
    firewallDirty = false;
    /** Validates the settings (FieldError naming the flag); touches nothing. */
    constructor(o) {
        this.o = o;
        this.settings = validateSettings(o);
        this.runner = o.runner;
        this.kernel = o.kernel ?? hostKernelFiles(o.runner);
        this.leases = new LeaseStore(join(o.stateDir, "leases.json"), this.settings.pod);
        this.nodeIP = this.settings.nodeIP ?? "127.0.0.1";
    }
    get node() {
        return { runner: this.runner, kernel: this.kernel, settings: this.settings, stateDir: this.o.stateDir };
    }
    /** The firewall backend in use (after start). */
    get firewallKind() {
        return this.firewall?.kind;
    }
    async start(livePodUids) {
        const found = await inspectHost(this.node);
        this.leases.load();
        this.checkLeasesInRange(livePodUids);
        const choice = await chooseFirewall(this.runner, this.settings.firewallBackend);
        await applyNode(this.node, planBridge(this.settings, found), found);
        await this.collectGarbage(livePodUids);
        this.firewall = podFirewallFor(choice, this.runner);
        await this.firstSync();
        this.nodeIP = this.settings.nodeIP ?? (await detectNodeIP(this.runner, { owner: "node", skipInterface: this.settings.bridge }));
    }
    hostIP() {
        return this.nodeIP;
    }
    /** The leases held now (pod, address, veth, hostPorts). */
    activeLeases() {
        return this.leases.all();
    }
    /** A live pod holding an address outside --pod-cidr means the setting changed under running pods. */
    checkLeasesInRange(live) {
        const stray = this.leases.all().find((l) => live.has(l.podUid) && !contains(this.settings.pod, parseIPv4(l.ip) ?? -1));
        if (stray) {
            throw new FieldError("--pod-cidr", `pod ${stray.pod} still has ${stray.ip}, outside ${formatCidr(this.settings.pod)}; delete its pods or keep the old --pod-cidr`);
        }
    }
    /**
     * The one way a pod gets its network: allocate the address and let the sandbox make the pair with netlink as it
     * creates its namespace (prepare → sandbox → attach, or abort), from one veth description (link-plan.ts) that
     * renders both the sandbox's flags and the equivalent `ip` commands. A host end left by this pod's previous
     * sandbox (the kernel frees a dead namespace's devices asynchronously) is deleted first.
     */
    async prepare(pod, podUid) {
        const veth = vethName(podUid);
        const lease = this.leases.allocate({ podUid, pod: `${pod.metadata.namespace}/${pod.metadata.name}`, veth, hostPorts: podHostPorts(pod) });
        this.runner.comment(podUid, `IPAM: ${lease.ip} from ${formatCidr(this.settings.pod)} (lease in ${this.leases.file})`);
        if (this.kernel.ifindex(veth) !== undefined)
            await this.runner.run(linkDelArgv(veth), { owner: podUid, allowFail: true });
        const spec = this.vethSpec(lease);
        return { shimArgs: sandboxNetworkArgs(spec, this.settings.hairpin), ips: [lease.ip], equivalent: vethEquivalent(spec), token: lease };
    }
    async attach(_pod, sandbox, prepared) {
        const lease = prepared.token;
        try {
            if (lease.hostPorts.length)
                await this.hostPortsAdded(lease, sandbox.podUid);
        }
        catch (err) {
            await this.undoSetUp(lease, true, sandbox.podUid);
            throw err;
        }
        const state = { ip: lease.ip, veth: lease.veth, ifindex: String(this.kernel.ifindex(lease.veth) ?? ""), bridge: this.settings.bridge };
        return { ips: [lease.ip], state };
    }
    async abort(prepared, podUid) {
        const lease = prepared.token;
        await this.undoSetUp(lease, this.kernel.ifindex(lease.veth) !== undefined, podUid);
    }
    vethSpec(lease) {
        const s = this.settings;
        return { hostName: lease.veth, bridge: s.bridge, netnsPid: 0, podIfName: "eth0", ip: parseIPv4(lease.ip), prefix: s.pod.prefix, gateway: s.gateway };
    }
    async undoSetUp(lease, created, uid) {
        this.leases.release(uid);
        if (created)
            await this.runner.run(linkDelArgv(lease.veth), { owner: uid, allowFail: true });
        if (lease.hostPorts.length)
            await this.firewallSync.request().catch(() => undefined);
    }
    /** Rewrites the hostPort rules; for UDP also forgets conntrack entries made before the DNAT existed. */
    async hostPortsAdded(lease, owner) {
        await this.firewallSync.request();
        // A UDP "connection" to the hostPort seen before the rule existed stays bound to its old path until it
        // expires; the CNI portmap plugin deletes those entries the same way.
        for (const m of lease.hostPorts.filter((h) => h.protocol === "UDP")) {
            await this.runner.run(["conntrack", "-D", "-p", "udp", "--orig-port-dst", String(m.hostPort)], { owner, allowFail: true });
        }
    }
    async tearDown(sandbox) {
        const state = sandbox.network;
        const lease = this.leases.byPod(sandbox.podUid);
        // Free the lease only when it is the one this sandbox got (a newer sandbox of the same pod may hold another).
        const freed = lease && (!state?.ip || state.ip === lease.ip) ? this.leases.release(sandbox.podUid) : undefined;
        if (freed)
            this.runner.comment(sandbox.podUid, `IPAM: released ${freed.ip}`);
        // Before start() there are no rules yet: start's full write renders them from the leases.
        if (this.firewall && (freed?.hostPorts.length || this.firewallDirty))
            await this.firewallSync.request();
        if (state?.veth && state.ifindex)
            this.checkStrayLater(state.veth, Number(state.ifindex), sandbox.podUid);
    }
    /**
     * The veth should vanish with the namespace when the pause process is killed after tearDown; if the same device
     * (same ifindex: indexes are not reused soon) is still there later, something holds the namespace: delete it.
     */
    checkStrayLater(veth, ifindex, owner) {
        const timer = setTimeout(() => {
            if (this.kernel.ifindex(veth) !== ifindex)
                return;
            void this.runner.run(linkDelArgv(veth), { owner, allowFail: true });
        }, this.o.strayCheckMs ?? 2000);
        timer.unref();
    }
    /** Frees leases of pods not in `live` and deletes our veths on the bridge that no live lease owns. */
    async collectGarbage(livePodUids) {
        const plan = planGc(this.kernel.bridgePorts(this.settings.bridge), this.leases.all(), livePodUids);
        this.leases.retain(livePodUids);
        for (const link of plan.deleteLinks)
            await this.runner.run(linkDelArgv(link), { owner: "node", allowFail: true });
        if (plan.releasePods.length && this.firewall)
            await this.firewallSync.request();
    }
    /**
     * The full rule write at start. iptables-nft creates the `ip nat` / `ip filter` nft tables when they are missing;
     * noting which tables appeared lets reset() remove them again (one `nft list tables` before and after).
     */
    async firstSync() {
        if (this.firewall?.kind !== "iptables")
            return this.syncFirewall(true);
        const nft = new NftRunner(this.runner);
        const before = await nft.tables("node").catch(() => undefined);
        await this.syncFirewall(true);
        const after = before && (await nft.tables("node").catch(() => undefined));
        if (before && after)
            recordCreatedTables(this.node, before, after);
    }
    policy() {
        const s = this.settings;
        return {
            bridge: s.bridge,
            podCIDR: formatCidr(s.pod),
            clusterCIDRs: [formatCidr(s.cluster), formatCidr(s.service)],
            masqueradeMark: s.masqueradeMark,
            hostPorts: this.leases.all().flatMap((l) => l.hostPorts.map((m) => ({ ...m, podIP: l.ip, pod: l.pod }))),
        };
    }
    async syncFirewall(full) {
        if (!this.firewall)
            throw new HostError("sync firewall rules", this.settings.bridge, "", "the network is not started");
        this.firewallDirty = true;
        await this.firewall.sync(this.policy(), { full, owner: "node" });
        this.firewallDirty = false;
    }
    /**
     * `nodelet reset` / `--cleanup-on-exit`: removes our rules (from every backend), the bridge and the veths on it,
     * our routes and leases, and restores ip_forward. Works without start(); idempotent.
     */
    async reset() {
        await this.firewallSync.idle();
        await removeAllPodFirewalls(this.runner, this.settings.bridge, this.kernel.legacyIptablesTables(), "node");
        await removeNode(this.node);
        this.leases.clear();
        this.firewall = undefined;
    }
    /** A one-line summary for the daemon's start log. */
    describe() {
        const s = this.settings;
        return `bridge ${s.bridge} ${formatIPv4(s.gateway)}/${s.pod.prefix}, pods ${formatCidr(s.pod)} of ${formatCidr(s.cluster)}, services ${formatCidr(s.service)}, firewall ${this.firewall?.kind ?? "not started"}`;
    }
}
/** The factory the daemon calls with its settings: validates them (FieldError naming the flag) and builds the network. */
export function createBridgeNetwork(o) {
    return new BridgeNetwork(o);
}
//# sourceMappingURL=bridge-network.js.map