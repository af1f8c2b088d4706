import { IptablesRunner } from "../network/firewall/backend.js";
import { SerialSync } from "../network/serial-sync.js";
import { ChangeTracker } from "./change-tracker.js";
import { IptablesProxier, removeIptablesProxyRules } from "./iptables-proxier.js";
import { EMPTY_STATE } from "./model.js";
import { NftablesProxier, removeNftProxyTable } from "./nft-proxier.js";
import { addServiceRoute, removeServiceRoute } from "./node-route.js";
import { UserspaceGuard } from "./userspace-guard.js";
import { UserspaceProxier } from "./userspace-proxier.js";
import { staleUdpEndpoints } from "./stale-udp.js";
const OWNER = "proxy";
const RESYNC_MS = 30_000;
/** One proxier for the mode. */
export function createProxier(runner, s, log = () => undefined) {
    const c = { bridge: s.bridge, clusterCIDR: s.clusterCIDR, podCIDR: s.podCIDR, serviceCIDR: s.serviceCIDR, masqueradeMark: s.masqueradeMark ?? 0x4000 };
    switch (s.mode) {
        case "nftables":
            return new NftablesProxier(runner, c, OWNER);
        case "iptables":
            return new IptablesProxier(runner, c, s.firewall.iptablesVariant, OWNER);
        case "userspace":
            return new UserspaceProxier(new UserspaceGuard(runner, { bridge: s.bridge, serviceCIDR: s.serviceCIDR, firewall: s.firewall.kind, iptablesVariant: s.firewall.iptablesVariant }, OWNER), log);
    }
}
export class ProxyController {
    runner;
    s;
    log;
    legacyTables;
    proxier;
    tracker;
    loop = new SerialSync(() => this.syncOnce());
    applied = EMPTY_STATE;
    resync;
    /** The last sync's outcome, for logs and tests. */
    lastSync;
    constructor(store, runner, s, log = () => undefined, 
    /** legacy iptables tables that exist (reset only looks at legacy rules when they do). */
    legacyTables = () => []) {
        this.runner = runner;
        this.s = s;
        this.log = log;
        this.legacyTables = legacyTables;
        this.proxier = createProxier(runner, s, log);
        this.tracker = new ChangeTracker(store, () => void this.sync().catch(() => undefined));
    }
    /** Routes the service CIDR to the node, removes other modes' leftovers, writes the rules, follows changes. */
    async start() {
        await addServiceRoute(this.runner, this.s.serviceCIDR, OWNER);
        await removeOtherModes(this.runner, this.s, this.legacyTables());
        this.tracker.start();
        await this.sync();
        // kube-proxy's periodic sync: a failed write (or a userspace listener that could not bind) is retried even when
        // nothing changes; with nothing to do a sync only renders and compares.
        this.resync = setInterval(() => void this.sync().catch(() => undefined), RESYNC_MS);
        this.resync.unref();
    }
    /** Requests a sync and waits for one that began after the request. */
    sync() {
        return this.loop.request();
    }
    async syncOnce() {
        const state = this.tracker.state();
        const t0 = performance.now();
        try {
            const stats = await this.proxier.sync(state);
            this.lastSync = { ...stats, ms: performance.now() - t0 };
        }
        catch (err) {
            this.lastSync = { kind: "full", size: 0, ms: performance.now() - t0, error: String(err) };
            this.log(`proxy (${this.s.mode}): sync failed, the next sync rewrites everything: ${String(err)}`);
            throw err;
        }
        if (this.s.mode !== "userspace")
            await this.forgetStaleUdp(this.applied, state);
        this.applied = state;
    }
    /**
     * A UDP "connection" stays DNATed to an endpoint that is gone until it expires; kube-proxy deletes those entries
     * (conntrack -D --orig-dst SERVICE --dst-nat ENDPOINT), so clients switch to a live endpoint at once.
     */
    async forgetStaleUdp(prev, next) {
        for (const { clusterIP, endpointIP } of staleUdpEndpoints(prev, next)) {
            await this.runner.run(["conntrack", "-D", "-p", "udp", "--orig-dst", clusterIP, "--dst-nat", endpointIP], { owner: OWNER, allowFail: true });
        }
    }
    /** Stops following; with cleanup, removes the rules and the route. */
    async stop(cleanup) {
        clearInterval(this.resync);
        this.tracker.stop();
        await this.loop.idle();
        if (!cleanup)
            return this.proxier.close();
        await this.proxier.cleanup();
        await removeServiceRoute(this.runner, this.s.serviceCIDR, OWNER);
    }
}
/** Before starting a mode: remove what the other modes of this bridge may have left. */
async function removeOtherModes(runner, s, legacyTables) {
    if (s.mode !== "nftables" && !(s.mode === "userspace" && s.firewall.kind === "nftables"))
        await removeNftProxyTable(runner, s.bridge, OWNER);
    if (s.mode !== "iptables")
        await removeIptablesEverywhere(runner, s.bridge, legacyTables);
}
async function removeIptablesEverywhere(runner, bridge, legacyTables) {
    const variants = [{ ipt: new IptablesRunner(runner, "nft"), tables: ["nat", "filter"] }];
    const legacy = ["nat", "filter"].filter((t) => legacyTables.includes(t));
    if (legacy.length)
        variants.push({ ipt: new IptablesRunner(runner, "legacy"), tables: legacy });
    for (const v of variants) {
        try {
            await removeIptablesProxyRules(v.ipt, bridge, OWNER, v.tables);
        }
        catch (err) {
            if (!/ENOENT|not found|No such file/.test(String(err)))
                throw err;
        }
    }
}
/** `nodelet reset`: removes every proxy rule of this bridge in every backend, and the service route. */
export async function removeAllProxyRules(runner, bridge, serviceCIDR, legacyTables) {
    await removeNftProxyTable(runner, bridge, OWNER);
    await removeIptablesEverywhere(runner, bridge, legacyTables);
    await removeServiceRoute(runner, serviceCIDR, OWNER);
}
//# sourceMappingURL=proxy-controller.js.map