import { NFT_PRIORITY, nftString } from "./firewall/nft.js";
import { iptablesChain, iptablesJumpComment, nftTableName } from "./names.js";
const LOOPBACK = "127.0.0.0/8";
const MULTICAST = "224.0.0.0/4";
function hex(n) {
    return `0x${n.toString(16)}`;
}
function comment(text) {
    return text.replace(/"/g, "").slice(0, 120);
}
/** Per mapping: mark pod and loopback sources for masquerade, then DNAT (portmap's SETMARK + DNAT). */
function nftHostPortRules(p) {
    const mark = hex(p.masqueradeMark);
    return p.hostPorts.flatMap((m) => {
        const match = `${m.hostIP ? `ip daddr ${m.hostIP} ` : ""}meta l4proto ${m.protocol.toLowerCase()} th dport ${m.hostPort}`;
        return [
            `${match} ip saddr { ${p.podCIDR}, ${LOOPBACK} } meta mark set meta mark | ${mark}`,
            `${match} dnat to ${m.podIP}:${m.containerPort} comment ${nftString(comment(m.pod))}`,
        ];
    });
}
/** The nftables rendering: table `ip nodelet-<bridge>`. */
export function natTableNft(p) {
    const mark = hex(p.masqueradeMark);
    const hostports = nftHostPortRules(p);
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
export function natTablesIptables(p) {
    const c = (role) => iptablesChain(p.bridge, role);
    const jump = (from, to) => ({ from, to, match: ["-m", "comment", "--comment", iptablesJumpComment(p.bridge)] });
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
export function ourIptablesChains(bridge) {
    return [
        { table: "nat", chains: ["PRE", "OUT", "HP", "POST"].map((r) => iptablesChain(bridge, r)) },
        { table: "filter", chains: ["IN", "FWD"].map((r) => iptablesChain(bridge, r)) },
    ];
}
//# sourceMappingURL=nat-rules.js.map