/**
 * The userspace proxier: the old kube-proxy mode, kept so that its cost can be measured. For each service port
 * with ready endpoints the daemon listens on the cluster IP (and on the node port, all addresses) and relays each
 * connection or datagram to an endpoint chosen round robin (balancer.ts). A service port without endpoints has no
 * listener, so the kernel refuses connections at once (TCP reset, ICMP port unreachable). The guard rules keep
 * host services off the service addresses.
 */
import { RoundRobin } from "./balancer.js";
import { listenTcp, listenUdp } from "./userspace-listeners.js";
export class UserspaceProxier {
    guard;
    log;
    mode = "userspace";
    active = new Map();
    guarded;
    constructor(guard, log = () => undefined) {
        this.guard = guard;
        this.log = log;
    }
    async sync(state) {
        const served = state.services.filter((s) => s.endpoints.length > 0);
        const want = new Map();
        for (const s of served) {
            want.set(addrKey(s.protocol, s.clusterIP, s.port), { s, host: s.clusterIP, port: s.port });
            if (s.nodePort)
                want.set(addrKey(s.protocol, "0.0.0.0", s.nodePort), { s, host: "0.0.0.0", port: s.nodePort });
        }
        let changed = 0;
        for (const [k, a] of this.active) {
            if (want.has(k))
                continue;
            this.active.delete(k);
            await a.listener.close();
            changed++;
        }
        const guardKey = served.map((s) => addrKey(s.protocol, s.clusterIP, s.port)).join(",");
        if (guardKey !== this.guarded) {
            await this.guard.write(served);
            this.guarded = guardKey;
        }
        for (const [k, w] of want)
            changed += (await this.ensure(k, w.s, w.host, w.port)) ? 1 : 0;
        return { kind: changed ? "partial" : "none", size: changed };
    }
    /** Updates a listener's endpoints, or opens it; true when a listener was opened. */
    async ensure(k, s, host, port) {
        const a = this.active.get(k);
        if (a) {
            a.lb.update(s.endpoints, s.affinitySeconds);
            return false;
        }
        const lb = new RoundRobin(s.affinitySeconds);
        lb.update(s.endpoints, s.affinitySeconds);
        try {
            const listener = s.protocol === "TCP" ? await listenTcp(host, port, lb) : await listenUdp(host, port, lb);
            this.active.set(k, { listener, lb });
            return true;
        }
        catch (err) {
            this.log(`userspace proxy: cannot listen on ${k} for ${s.name}: ${String(err)}`);
            return false;
        }
    }
    async close() {
        for (const a of this.active.values())
            await a.listener.close();
        this.active.clear();
    }
    async cleanup() {
        await this.close();
        this.guarded = undefined;
        await this.guard.cleanup();
    }
}
function addrKey(proto, host, port) {
    return `${proto}/${host}:${port}`;
}
//# sourceMappingURL=userspace-proxier.js.map