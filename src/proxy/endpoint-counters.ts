/**
 * The firewall's per-endpoint counters, read back from the host's rules (pure parsers; the proxiers run the reads):
 *
 * - nftables: `nft -j list table ip nodelet-svc-BR`. The endpoint maps (cluster-endpoints-PROTO: cluster IP . port .
 *   index → endpoint; nodeport-endpoints-PROTO: node port . index → endpoint) keep a counter per element, and the
 *   endpoint-HASH chains of services with chains of their own (ClientIP affinity, Local traffic policies) a counter
 *   on their dnat rule (nft-rules.ts);
 * - iptables: `iptables-save -c -t nat`, the `[packets:bytes]` of the DNAT rule in each P-SEP-HASH chain.
 *
 * Both are NAT rules, which see a connection's first packet only: the packets are connections. A node port's
 * connections count towards the service port it leads to. With nftables the `endpoint-traffic-PROTO` and
 * `nodeport-traffic-PROTO` sets count every packet and byte of those connections, both ways (nft-rules.ts), kept as
 * `traffic` (a node port's with its service port's).
 */
import type { ProxyState, ServicePortEntry } from "./model.js";
import { endpointHash } from "./names.js";
import { usesServiceChains } from "./nft-rules.js";
import type { EndpointCount } from "./proxier.js";

class Tally {
  private readonly byKey = new Map<string, EndpointCount>();

  add(s: Pick<ServicePortEntry, "clusterIP" | "port" | "protocol">, endpointIP: string, endpointPort: number, packets: number, bytes: number): void {
    const key = `${s.clusterIP}:${s.port}/${s.protocol}>${endpointIP}:${endpointPort}`;
    const c = this.byKey.get(key);
    if (c) {
      c.packets += packets;
      c.bytes += bytes;
    } else this.byKey.set(key, { clusterIP: s.clusterIP, port: s.port, protocol: s.protocol, endpointIP, endpointPort, packets, bytes });
  }

  /** The traffic of a (service port, endpoint): kept for the connections' entry, made if none was counted. */
  traffic(s: Pick<ServicePortEntry, "clusterIP" | "port" | "protocol">, endpointIP: string, endpointPort: number, packets: number, bytes: number): void {
    this.add(s, endpointIP, endpointPort, 0, 0);
    const c = this.byKey.get(`${s.clusterIP}:${s.port}/${s.protocol}>${endpointIP}:${endpointPort}`)!;
    c.traffic = { packets: (c.traffic?.packets ?? 0) + packets, bytes: (c.traffic?.bytes ?? 0) + bytes };
  }

  get counts(): EndpointCount[] {
    return [...this.byKey.values()];
  }
}

interface NftCounter {
  packets: number;
  bytes: number;
}

type NftValue = string | number | { concat?: unknown[]; elem?: { val?: unknown; counter?: NftCounter } };

interface NftItem {
  map?: { name: string; elem?: [NftValue, NftValue][] };
  set?: { name: string; elem?: NftValue[] };
  rule?: { chain: string; expr?: Record<string, unknown>[] };
}

/** The counters of our nftables table, from `nft -j list table`'s output; what the state no longer has is left out. */
export function nftEndpointCounts(json: string, state: ProxyState): EndpointCount[] {
  const items = (JSON.parse(json) as { nftables?: NftItem[] }).nftables ?? [];
  const t = new Tally();
  const byNodePort = new Map(state.services.filter((s) => s.nodePort).map((s) => [`${s.protocol}/${s.nodePort}`, s]));
  const byClusterPort = new Map(state.services.map((s) => [`${s.protocol}/${s.clusterIP}:${s.port}`, s]));
  // The traffic sets count an external or load balancer IP's connections too, with its service port's.
  const byAddressPort = new Map(state.services.flatMap((s) => [s.clusterIP, ...(s.externalIPs ?? []), ...(s.loadBalancerIPs ?? [])].map((a) => [`${s.protocol}/${a}:${s.port}`, s])));
  const endpointChains = new Map<string, [ServicePortEntry, string, number]>();
  for (const s of state.services) if (usesServiceChains(s)) for (const e of s.endpoints) endpointChains.set(`endpoint-${endpointHash(s, e)}`, [s, e.ip, e.port]);
  for (const item of items) {
    const m = item.map && /^(cluster|nodeport)-endpoints-(tcp|udp)$/.exec(item.map.name);
    if (item.map && m) {
      const protocol = m[2].toUpperCase();
      for (const [key, value] of item.map.elem ?? []) {
        const counted = typeof key === "object" ? key.elem : undefined;
        const k = counted?.val && typeof counted.val === "object" ? (counted.val as { concat?: unknown[] }).concat : undefined;
        const v = typeof value === "object" ? value.concat : undefined;
        if (!counted?.counter || !k || !v) continue;
        const s = m[1] === "cluster" ? byClusterPort.get(`${protocol}/${String(k[0])}:${String(k[1])}`) : byNodePort.get(`${protocol}/${String(k[0])}`);
        if (s) t.add(s, String(v[0]), Number(v[1]), counted.counter.packets, counted.counter.bytes);
      }
    }
    const ts = item.set && /^(endpoint|nodeport)-traffic-(tcp|udp)$/.exec(item.set.name);
    if (item.set && ts) {
      const protocol = ts[2].toUpperCase();
      for (const value of item.set.elem ?? []) {
        const counted = typeof value === "object" ? value.elem : undefined;
        const k = counted?.val && typeof counted.val === "object" ? (counted.val as { concat?: unknown[] }).concat : undefined;
        if (!k || !counted?.counter) continue;
        // cluster, external or load balancer IP . port . endpoint IP . port, or node port . endpoint IP . port
        const [s, endpoint] = ts[1] === "endpoint" ? [byAddressPort.get(`${protocol}/${String(k[0])}:${String(k[1])}`), k.slice(2)] : [byNodePort.get(`${protocol}/${String(k[0])}`), k.slice(1)];
        if (s) t.traffic(s, String(endpoint[0]), Number(endpoint[1]), counted.counter.packets, counted.counter.bytes);
      }
    }
    const chain = item.rule && endpointChains.get(item.rule.chain);
    const exprs = item.rule?.expr ?? [];
    const counter = chain && exprs.some((x) => "dnat" in x) ? (exprs.find((x) => "counter" in x)?.counter as NftCounter | undefined) : undefined;
    if (chain && counter) t.add(chain[0], chain[1], chain[2], counter.packets, counter.bytes);
  }
  return t.counts;
}

/** The counters of our P-SEP chains' DNAT rules, from `iptables-save -c -t nat`'s output. */
export function iptablesEndpointCounts(save: string, prefix: string, state: ProxyState): EndpointCount[] {
  const chains = new Map<string, [ServicePortEntry, string, number]>();
  for (const s of state.services) for (const e of s.endpoints) chains.set(`${prefix}-SEP-${endpointHash(s, e)}`, [s, e.ip, e.port]);
  const t = new Tally();
  for (const line of save.split("\n")) {
    const m = /^\[(\d+):(\d+)\] -A (\S+) .*-j DNAT --to-destination (\S+)$/.exec(line.trimEnd());
    const sep = m && chains.get(m[3]);
    if (!m || !sep || m[4] !== `${sep[1]}:${sep[2]}`) continue;
    t.add(sep[0], sep[1], sep[2], Number(m[1]), Number(m[2]));
  }
  return t.counts;
}
