/**
 * The pod network's firewall rules as data (NatPolicy) and their two renderings, pure: one nftables table, or
 * iptables chains in the nat and filter tables. Both say the same thing:
 *
 * - masquerade (SNAT to the outgoing interface's address) pod traffic leaving the cluster CIDR, not traffic to
 *   other pods, service IPs or multicast — the CNI bridge plugin's ipMasq rules;
 * - hostPorts: DNAT connections to a local address (from other hosts in PREROUTING, from the node itself in
 *   OUTPUT) to podIP:containerPort, and mark those coming from a pod or from 127.0.0.0/8 for masquerade — the CNI
 *   portmap plugin's CNI-HOSTPORT-DNAT / SETMARK / MASQ chains. The mark is needed because a reply from the pod
 *   to another pod on the bridge would otherwise bypass the un-DNAT, and 127.0.0.1 cannot be a source on the wire;
 * - nftables only: reject at once connections to a cluster address nothing routes (no pod, no service DNAT): TCP
 *   with a reset, others with ICMP host-unreachable. The `unreachable` routes already keep such packets on the
 *   node, but the kernel's ICMP for them reaches a pod's connect() while it still holds the socket lock (veth
 *   delivery is synchronous), where TCP only records it as a soft error and waits for the SYN retransmit a second
 *   later; and ip_error() and icmp_send() charge the same per-peer token bucket, so repeated attempts starve
 *   (measured here: 1 s, then full timeouts). A reset goes through the socket backlog and ends connect() at once.
 *   iptables cannot REJECT before routing (REJECT is filter-table only), so there it is the kernel's ICMP;
 * - drop packets from the bridge to 127.0.0.0/8 that were not DNATed: route_localnet (needed for hostPorts on
 *   127.0.0.1) would otherwise let a pod reach the node's localhost services (CVE-2020-8558; kube-proxy's rule);
 * - iptables only: accept forwarding to and from the bridge, in case the host's FORWARD policy is DROP (the CNI
 *   firewall plugin's CNI-FORWARD). In nftables an accept in our table cannot override another table's drop.
 */
import type { IptablesTable } from "./firewall/iptables.js";
import { NFT_PRIORITY, nftString, type NftTable } from "./firewall/nft.js";
import type { HostPortMapping } from "./host-ports.js";
import { iptablesChain, iptablesJumpComment, nftTableName } from "./names.js";

export interface HostPortRule extends HostPortMapping {
  podIP: string;
  /** namespace/name, as a rule comment. */
  pod: string;
}

export interface NatPolicy {
  bridge: string;
  podCIDR: string;
  /** The cluster and service CIDRs: pod traffic to them keeps its source address; unrouted ones are rejected. */
  clusterCIDRs: string[];
  /** The packet mark bit (as a value, e.g. 0x2000) that asks for masquerade. */
  masqueradeMark: number;
  hostPorts: HostPortRule[];
}

const LOOPBACK = "127.0.0.0/8";
const MULTICAST = "224.0.0.0/4";

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function comment(text: string): string {
  return text.replace(/"/g, "").slice(0, 120);
}

/** The nftables rendering: table `ip nodelet-<bridge>`. */
export function natTableNft(p: NatPolicy): NftTable {
  const mark = hex(p.masqueradeMark);
  const hostports = p.hostPorts.flatMap((m) => {
    const match = `${m.hostIP ? `ip daddr ${m.hostIP} ` : ""}meta l4proto ${m.protocol.toLowerCase()} th dport ${m.hostPort}`;
    return [
      `${match} ip saddr { ${p.podCIDR}, ${LOOPBACK} } meta mark set meta mark | ${mark}`,
      `${match} dnat to ${m.podIP}:${m.containerPort} comment ${nftString(comment(m.pod))}`,
    ];
  });
  return {
    family: "ip",
    name: nftTableName(p.bridge),
    chains: [
      { name: "prerouting", base: { type: "nat", hook: "prerouting", priority: NFT_PRIORITY.dstnat }, rules: ["fib daddr type local jump hostports"] },
      { name: "output", base: { type: "nat", hook: "output", priority: NFT_PRIORITY.dstnat }, rules: ["fib daddr type local jump hostports"] },
      { name: "hostports", rules: hostports },
      {
        name: "postrouting",
        base: { type: "nat", hook: "postrouting", priority: NFT_PRIORITY.srcnat },
        rules: [
          `meta mark & ${mark} == ${mark} masquerade`,
          `ip saddr ${p.podCIDR} ip daddr != { ${[...p.clusterCIDRs, MULTICAST].join(", ")} } masquerade`,
        ],
      },
      {
        // After DNAT (priority dstnat = -100), so a service address already rewritten to a pod is routed. Local
        // addresses (the gateway) must be excluded by type: nft_fib4_eval leaves oif empty for RTN_LOCAL.
        name: "unrouted",
        base: { type: "filter", hook: "prerouting", priority: NFT_PRIORITY.filter },
        rules: [
          `ip daddr { ${p.clusterCIDRs.join(", ")} } fib daddr type != local fib daddr oif missing meta l4proto tcp reject with tcp reset`,
          `ip daddr { ${p.clusterCIDRs.join(", ")} } fib daddr type != local fib daddr oif missing reject with icmp type host-unreachable`,
        ],
      },
      {
        name: "input",
        base: { type: "filter", hook: "input", priority: NFT_PRIORITY.filter },
        rules: [`iifname ${nftString(p.bridge)} ip daddr ${LOOPBACK} ct status & dnat == 0 drop comment "CVE-2020-8558"`],
      },
    ],
  };
}

/** The iptables rendering: chains NODELET-<bridge>-* in nat and filter, jumped to from the built-in chains. */
export function natTablesIptables(p: NatPolicy): IptablesTable[] {
  const c = (role: Parameters<typeof iptablesChain>[1]) => iptablesChain(p.bridge, role);
  const jump = (from: string, to: string) => ({ from, to, match: ["-m", "comment", "--comment", iptablesJumpComment(p.bridge)] });
  const mark = hex(p.masqueradeMark);
  const hostports = p.hostPorts.flatMap((m) => {
    const proto = m.protocol.toLowerCase();
    const match = [...(m.hostIP ? ["-d", `${m.hostIP}/32`] : []), "-p", proto, "-m", proto, "--dport", String(m.hostPort)];
    return [
      [...match, "-s", p.podCIDR, "-j", "MARK", "--or-mark", mark],
      [...match, "-s", LOOPBACK, "-j", "MARK", "--or-mark", mark],
      [...match, "-m", "comment", "--comment", comment(m.pod), "-j", "DNAT", "--to-destination", `${m.podIP}:${m.containerPort}`],
    ];
  });
  const local = ["-m", "addrtype", "--dst-type", "LOCAL", "-j", c("HP")];
  const post = [
    ["-m", "mark", "--mark", `${mark}/${mark}`, "-j", "MASQUERADE"],
    ...[...p.clusterCIDRs, MULTICAST].map((d) => ["-s", p.podCIDR, "-d", d, "-j", "RETURN"]),
    ["-s", p.podCIDR, "-j", "MASQUERADE"],
  ];
  return [
    {
      table: "nat",
      chains: [
        { name: c("PRE"), rules: [local] },
        { name: c("OUT"), rules: [local] },
        { name: c("HP"), rules: hostports },
        { name: c("POST"), rules: post },
      ],
      jumps: [jump("PREROUTING", c("PRE")), jump("OUTPUT", c("OUT")), jump("POSTROUTING", c("POST"))],
    },
    {
      table: "filter",
      chains: [
        { name: c("IN"), rules: [["-i", p.bridge, "-d", LOOPBACK, "-m", "conntrack", "!", "--ctstate", "DNAT", "-m", "comment", "--comment", "CVE-2020-8558", "-j", "DROP"]] },
        { name: c("FWD"), rules: [["-i", p.bridge, "-j", "ACCEPT"], ["-o", p.bridge, "-j", "ACCEPT"]] },
      ],
      jumps: [jump("INPUT", c("IN")), jump("FORWARD", c("FWD"))],
    },
  ];
}

/** Every chain name of ours per iptables table, for removal (independent of the policy's contents). */
export function ourIptablesChains(bridge: string): { table: "nat" | "filter"; chains: string[] }[] {
  return [
    { table: "nat", chains: (["PRE", "OUT", "HP", "POST"] as const).map((r) => iptablesChain(bridge, r)) },
    { table: "filter", chains: (["IN", "FWD"] as const).map((r) => iptablesChain(bridge, r)) },
  ];
}
