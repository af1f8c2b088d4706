/**
 * The iptables proxy rules, pure: ProxyState → chains of the nat and filter tables, in kube-proxy's iptables layout
 * (pkg/proxy/iptables/proxier.go), with our instance prefix P (names.ts) in place of KUBE:
 *
 *   PREROUTING, OUTPUT → P-SERVICES: `-d IP -p tcp --dport PORT -j P-SVC-X` per service port with endpoints, and
 *                        last `-m addrtype --dst-type LOCAL -j P-NODEPORTS`
 *   P-NODEPORTS        → `-p tcp --dport NODEPORT -j P-EXT-X`; P-EXT-X marks for masquerade and jumps to P-SVC-X
 *   P-SVC-X            → `! -s CLUSTER -j P-MARK-MASQ`; with ClientIP affinity `-m recent --rcheck` per endpoint; then
 *                        one rule per endpoint `-m statistic --mode random --probability 1/(N-i)`, the last
 *                        unconditional
 *   P-SEP-Y            → `-s EP -j P-MARK-MASQ` (hairpin), `-m recent --set` with affinity, `-j DNAT --to EP:PORT`
 *   POSTROUTING        → P-POSTROUTING: masquerade (random-fully) what carries the mark, clearing it
 *   INPUT (filter)     → P-FILTER: reject (TCP reset, else ICMP port unreachable) new connections that reached the
 *                        node for the service CIDR or a node port without endpoints and were not DNATed
 *
 * Each service port renders to a fragment of restore lines (its P-SVC/P-EXT/P-SEP chains and its lines in the
 * shared chains), reused while its signature is unchanged, so an update renders only what changed (iptables-restore.ts
 * writes only the chains that differ, as kube-proxy does).
 */
import { joinArgs } from "../network/firewall/iptables.js";
import { signature } from "./model.js";
import { endpointHash, iptablesJumpComment, iptablesPrefix, servicePortHash } from "./names.js";
const comment = (text) => ["-m", "comment", "--comment", text];
const line = (chain, args) => `-A ${chain} ${joinArgs(args)}`;
/** With `prev`, fragments of unchanged service ports are reused (prev is not modified). */
export function renderIptablesProxy(state, c, prev) {
    const P = iptablesPrefix(c.bridge);
    const fragments = new Map();
    for (const s of state.services) {
        const key = `${s.name}/${s.protocol}`;
        const sig = signature(s);
        const old = prev?.fragments.get(key);
        fragments.set(key, old && old.sig === sig ? old : serviceFragment(s, P, c, sig));
    }
    const mark = `0x${c.masqueradeMark.toString(16)}`;
    const jump = (from, to) => ({ from, to, match: comment(iptablesJumpComment(c.bridge)) });
    return {
        prefix: P,
        fixed: {
            nat: new Map([
                [`${P}-MARK-MASQ`, [line(`${P}-MARK-MASQ`, ["-j", "MARK", "--or-mark", mark])]],
                [`${P}-POSTROUTING`, [["-m", "mark", "!", "--mark", `${mark}/${mark}`, "-j", "RETURN"], ["-j", "MARK", "--xor-mark", mark], ["-j", "MASQUERADE", "--random-fully"]].map((a) => line(`${P}-POSTROUTING`, a))],
            ]),
            filter: new Map(),
        },
        fragments,
        jumps: {
            nat: [jump("PREROUTING", `${P}-SERVICES`), jump("OUTPUT", `${P}-SERVICES`), jump("POSTROUTING", `${P}-POSTROUTING`)],
            filter: [jump("INPUT", `${P}-FILTER`)],
        },
    };
}
/*
 * Rule lines are written as text directly (no per-argument quoting pass): every value in them is an address, a
 * number, a chain name or a service port name (DNS labels and a colon), none of which needs quoting; comments with
 * spaces are quoted here. At 5,000 services that is 75,000 lines, so this matters.
 */
function serviceFragment(s, P, c, sig) {
    const f = { sig, services: [], nodeports: [], filter: [], chains: [] };
    const p = s.protocol.toLowerCase();
    if (s.endpoints.length === 0) {
        if (s.nodePort)
            f.filter.push(line(`${P}-FILTER`, rejectNodePort(s, p)));
        return f;
    }
    const h = servicePortHash(s);
    f.services.push(`-A ${P}-SERVICES -d ${s.clusterIP}/32 -p ${p} -m comment --comment "${s.name} cluster IP" -m ${p} --dport ${s.port} -j ${P}-SVC-${h}`);
    addServiceChains(f, s, P, c);
    if (s.nodePort) {
        const ext = `${P}-EXT-${h}`;
        f.nodeports.push(`-A ${P}-NODEPORTS -p ${p} -m comment --comment ${s.name} -m ${p} --dport ${s.nodePort} -j ${ext}`);
        f.chains.push([ext, [`-A ${ext} -m comment --comment "masquerade traffic for ${s.name} external destinations" -j ${P}-MARK-MASQ`, `-A ${ext} -j ${P}-SVC-${h}`]]);
    }
    return f;
}
/** P-SVC-X and its P-SEP-Y chains. */
function addServiceChains(f, s, P, c) {
    const p = s.protocol.toLowerCase();
    const svcChain = `${P}-SVC-${servicePortHash(s)}`;
    const svc = [`-A ${svcChain} ! -s ${c.clusterCIDR} -d ${s.clusterIP}/32 -p ${p} -m comment --comment "${s.name} cluster IP" -m ${p} --dport ${s.port} -j ${P}-MARK-MASQ`];
    const seps = s.endpoints.map((e) => ({ e, chain: `${P}-SEP-${endpointHash(s, e)}` }));
    if (s.affinitySeconds) {
        for (const { e, chain } of seps)
            svc.push(`-A ${svcChain} -m comment --comment "${s.name} -> ${e.ip}:${e.port}" -m recent --name ${chain} --rcheck --seconds ${s.affinitySeconds} --reap -j ${chain}`);
    }
    seps.forEach(({ e, chain }, i) => {
        const n = seps.length - i;
        const pick = n > 1 ? ` -m statistic --mode random --probability ${(1 / n).toFixed(10)}` : "";
        svc.push(`-A ${svcChain} -m comment --comment "${s.name} -> ${e.ip}:${e.port}"${pick} -j ${chain}`);
    });
    f.chains.push([svcChain, svc]);
    const recent = s.affinitySeconds ? " -m recent --name CHAIN --set" : "";
    for (const { e, chain } of seps) {
        f.chains.push([chain, [
                `-A ${chain} -s ${e.ip}/32 -m comment --comment ${s.name} -j ${P}-MARK-MASQ`,
                `-A ${chain} -p ${p} -m comment --comment ${s.name}${recent.replace("CHAIN", chain)} -m ${p} -j DNAT --to-destination ${e.ip}:${e.port}`,
            ]]);
    }
}
/** The shared chains' contents, assembled from the fragments in order. */
export function sharedChains(r, c) {
    const P = r.prefix;
    const services = [];
    const nodeports = [];
    const filter = serviceCidrRejects(c.serviceCIDR).map((a) => line(`${P}-FILTER`, a));
    for (const f of r.fragments.values()) {
        services.push(...f.services);
        nodeports.push(...f.nodeports);
        filter.push(...f.filter);
    }
    services.push(line(`${P}-SERVICES`, [...comment("nodelet service nodeports; NOTE: this must be the last rule in this chain"), "-m", "addrtype", "--dst-type", "LOCAL", "-j", `${P}-NODEPORTS`]));
    return { nat: new Map([[`${P}-SERVICES`, services], [`${P}-NODEPORTS`, nodeports]]), filter: new Map([[`${P}-FILTER`, filter]]) };
}
function serviceCidrRejects(cidr) {
    // New connections only: a reply to a node process whose source address is a service IP must pass.
    const notNat = ["-m", "conntrack", "--ctstate", "NEW", "-m", "conntrack", "!", "--ctstate", "DNAT"];
    return [
        ["-d", cidr, "-p", "tcp", ...notNat, ...comment("service address without endpoints"), "-j", "REJECT", "--reject-with", "tcp-reset"],
        ["-d", cidr, ...notNat, ...comment("service address without endpoints"), "-j", "REJECT", "--reject-with", "icmp-port-unreachable"],
    ];
}
function rejectNodePort(s, p) {
    const match = ["-p", p, "-m", p, "--dport", String(s.nodePort), "-m", "addrtype", "--dst-type", "LOCAL", "-m", "conntrack", "--ctstate", "NEW", "-m", "conntrack", "!", "--ctstate", "DNAT", ...comment(`${s.name} has no endpoints`)];
    return [...match, "-j", "REJECT", "--reject-with", p === "tcp" ? "tcp-reset" : "icmp-port-unreachable"];
}
/** Every chain of ours in a table: they all start with the prefix. */
export function isOurChain(bridge, chain) {
    return chain.startsWith(`${iptablesPrefix(bridge)}-`);
}
//# sourceMappingURL=iptables-rules.js.map