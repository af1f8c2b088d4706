/**
 * The only rules the userspace mode needs. Its listeners bind service addresses, and the service CIDR is routed to
 * the node, so a host process listening on 0.0.0.0 (sshd on port 22, say) would otherwise answer on every service
 * address too (IPVS mode's KUBE-IPVS-FILTER closes the same hole). The guard accepts what a proxy listener serves
 * and rejects the rest of the service CIDR at input, in our own nft table or iptables chain, replaced whole on
 * each change (it is small).
 */
import { IptablesRunner } from "../network/firewall/backend.js";
import { removeIptablesProxyRules } from "./iptables-proxier.js";
import { findJumps, joinArgs } from "../network/firewall/iptables.js";
import { isOurChain } from "./iptables-rules.js";
import { iptablesJumpComment, iptablesPrefix, nftProxyTable } from "./names.js";
import { removeNftProxyTable } from "./nft-proxier.js";
import { renderFull } from "./nft-script.js";
/** nft form: served tuples in a set, then rejects. */
export function renderNftGuard(served, c) {
    const elements = served.map((s) => ["served", `${s.clusterIP} . ${s.protocol.toLowerCase()} . ${s.port}`, ""]);
    return {
        family: "ip",
        table: nftProxyTable(c.bridge),
        comment: `nodelet userspace proxy guard of bridge ${c.bridge}`,
        fragments: new Map([["served", { sig: "", elements, uses: [], chains: [], sets: [] }]]),
        useCounts: new Map(),
        maps: new Map([["served", { kind: "set", decl: ["typeof ip daddr . meta l4proto . th dport"] }]]),
        chains: new Map([
            ["filter-input", {
                    base: "type filter hook input priority 0; policy accept;",
                    rules: [
                        "ip daddr . meta l4proto . th dport @served accept",
                        // New connections only: replies to a node process whose source address is a service IP must pass.
                        `ct state new ip daddr ${c.serviceCIDR} meta l4proto tcp reject with tcp reset`,
                        `ct state new ip daddr ${c.serviceCIDR} reject`,
                    ],
                }],
        ]),
    };
}
/** iptables form: chain <prefix>-FILTER in filter, jumped to from INPUT. */
export function renderIptablesGuard(served, c) {
    const rules = served.map((s) => ["-d", `${s.clusterIP}/32`, "-p", s.protocol.toLowerCase(), "-m", s.protocol.toLowerCase(), "--dport", String(s.port), "-j", "RETURN"]);
    const fresh = ["-m", "conntrack", "--ctstate", "NEW"];
    rules.push(["-d", c.serviceCIDR, "-p", "tcp", ...fresh, "-j", "REJECT", "--reject-with", "tcp-reset"], ["-d", c.serviceCIDR, ...fresh, "-j", "REJECT", "--reject-with", "icmp-port-unreachable"]);
    return rules;
}
export class UserspaceGuard {
    runner;
    c;
    owner;
    constructor(runner, c, owner) {
        this.runner = runner;
        this.c = c;
        this.owner = owner;
    }
    async write(served) {
        if (this.c.firewall === "nftables") {
            await this.runner.run(["nft", "-f", "-"], { input: renderFull(renderNftGuard(served, this.c)), owner: this.owner });
            return;
        }
        const ipt = new IptablesRunner(this.runner, this.c.iptablesVariant);
        const chain = `${iptablesPrefix(this.c.bridge)}-FILTER`;
        const saved = (await ipt.save(["filter"], this.owner)).get("filter");
        const stray = [...(saved?.chains ?? [])].filter((n) => isOurChain(this.c.bridge, n) && n !== chain);
        const lines = ["*filter", `:${chain} - [0:0]`, ...stray.map((n) => `:${n} - [0:0]`), ...renderIptablesGuard(served, this.c).map((r) => `-A ${chain} ${joinArgs(r)}`)];
        const jump = ["-m", "comment", "--comment", iptablesJumpComment(this.c.bridge), "-j", chain];
        if (findJumps(saved, "INPUT", chain).length === 0)
            lines.push(`-I INPUT 1 ${joinArgs(jump)}`);
        await ipt.restore(`${[...lines, ...stray.map((n) => `-X ${n}`), "COMMIT"].join("\n")}\n`, this.owner);
    }
    async cleanup() {
        if (this.c.firewall === "nftables")
            await removeNftProxyTable(this.runner, this.c.bridge, this.owner);
        else
            await removeIptablesProxyRules(new IptablesRunner(this.runner, this.c.iptablesVariant), this.c.bridge, this.owner, ["filter"]);
    }
}
//# sourceMappingURL=userspace-guard.js.map