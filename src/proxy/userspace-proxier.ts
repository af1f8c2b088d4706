/**
 * The userspace proxier: the old kube-proxy mode, kept so that its cost can be measured. For each service port
 * with ready endpoints the daemon listens on the cluster IP (and on the node port, all addresses) and relays each
 * connection or datagram to an endpoint chosen round robin (balancer.ts). A service port without endpoints has no
 * listener, so the kernel refuses connections at once (TCP reset, ICMP port unreachable). The guard rules keep
 * host services off the service addresses. Traffic policies choose the endpoints (the cluster IP's by
 * internalTrafficPolicy, the node port's by externalTrafficPolicy); a relayed connection comes from the node, so
 * this mode cannot keep a client's address, and a policy without local endpoints has no listener (refused, where
 * the rule-based modes drop).
 */
import { RoundRobin } from "./balancer.js";
import { externalEndpoints, internalEndpoints, type Endpoint, type ProxyState, type ServicePortEntry } from "./model.js";
import type { Proxier, SyncStats } from "./proxier.js";
import { listenTcp, listenUdp, type Listener } from "./userspace-listeners.js";
import type { UserspaceGuard } from "./userspace-guard.js";

interface Active {
  listener: Listener;
  lb: RoundRobin;
}

export class UserspaceProxier implements Proxier {
  readonly mode = "userspace";
  private readonly active = new Map<string, Active>();
  private guarded: string | undefined;

  constructor(
    private readonly guard: UserspaceGuard,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  async sync(state: ProxyState): Promise<SyncStats> {
    const served = state.services.filter((s) => internalEndpoints(s).length > 0);
    const want = new Map<string, { s: ServicePortEntry; host: string; port: number; endpoints: Endpoint[] }>();
    for (const s of served) want.set(addrKey(s.protocol, s.clusterIP, s.port), { s, host: s.clusterIP, port: s.port, endpoints: internalEndpoints(s) });
    for (const s of state.services) {
      const endpoints = externalEndpoints(s);
      if (s.nodePort && endpoints.length) want.set(addrKey(s.protocol, "0.0.0.0", s.nodePort), { s, host: "0.0.0.0", port: s.nodePort, endpoints });
    }
    let changed = 0;
    for (const [k, a] of this.active) {
      if (want.has(k)) continue;
      this.active.delete(k);
      await a.listener.close();
      changed++;
    }
    const guardKey = served.map((s) => addrKey(s.protocol, s.clusterIP, s.port)).join(",");
    if (guardKey !== this.guarded) {
      await this.guard.write(served);
      this.guarded = guardKey;
    }
    for (const [k, w] of want) changed += (await this.ensure(k, w.s, w.host, w.port, w.endpoints)) ? 1 : 0;
    return { kind: changed ? "partial" : "none", size: changed };
  }

  /** Updates a listener's endpoints, or opens it; true when a listener was opened. */
  private async ensure(k: string, s: ServicePortEntry, host: string, port: number, endpoints: Endpoint[]): Promise<boolean> {
    const a = this.active.get(k);
    if (a) {
      a.lb.update(endpoints, s.affinitySeconds);
      return false;
    }
    const lb = new RoundRobin(s.affinitySeconds);
    lb.update(endpoints, s.affinitySeconds);
    try {
      const listener = s.protocol === "TCP" ? await listenTcp(host, port, lb) : await listenUdp(host, port, lb);
      this.active.set(k, { listener, lb });
      return true;
    } catch (err) {
      this.log(`userspace proxy: cannot listen on ${k} for ${s.name}: ${String(err)}`);
      return false;
    }
  }

  async close(): Promise<void> {
    for (const a of this.active.values()) await a.listener.close();
    this.active.clear();
  }

  async cleanup(): Promise<void> {
    await this.close();
    this.guarded = undefined;
    await this.guard.cleanup();
  }
}

function addrKey(proto: string, host: string, port: number): string {
  return `${proto}/${host}:${port}`;
}
