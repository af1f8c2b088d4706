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
 *   INPUT (filter)     → P-FILTER: reject (TCP reset, else ICMP port unreachable) what reached the node for the
 *                        service CIDR or a node port without endpoints and was not DNATed (see node-route.ts)
 */
import type { IptablesJump } from "../network/firewall/iptables.js";
import type { ProxyState, ServicePortEntry } from "./model.js";
import { endpointHash, iptablesJumpComment, iptablesPrefix, servicePortHash } from "./names.js";

export interface IptablesProxyConfig {
  bridge: string;
  clusterCIDR: string;
  serviceCIDR: string;
  masqueradeMark: number;
}

/** chain name → its rules, each the arguments after `-A CHAIN`. Insertion order is the restore order. */
export type ChainSet = Map<string, string[][]>;

export interface IptablesRuleset {
  nat: ChainSet;
  filter: ChainSet;
  jumps: { nat: IptablesJump[]; filter: IptablesJump[] };
}

const comment = (text: string) => ["-m", "comment", "--comment", text];

export function renderIptablesProxy(state: ProxyState, c: IptablesProxyConfig): IptablesRuleset {
  const P = iptablesPrefix(c.bridge);
  const mark = `0x${c.masqueradeMark.toString(16)}`;
  const nat: ChainSet = new Map();
  const services: string[][] = [];
  const nodeports: string[][] = [];
  const filter: string[][] = serviceCidrRejects(c.serviceCIDR);
  nat.set(`${P}-SERVICES`, services);
  nat.set(`${P}-NODEPORTS`, nodeports);
  nat.set(`${P}-MARK-MASQ`, [["-j", "MARK", "--or-mark", mark]]);
  nat.set(`${P}-POSTROUTING`, [["-m", "mark", "!", "--mark", `${mark}/${mark}`, "-j", "RETURN"], ["-j", "MARK", "--xor-mark", mark], ["-j", "MASQUERADE", "--random-fully"]]);
  for (const s of state.services) {
    const p = s.protocol.toLowerCase();
    if (s.endpoints.length === 0) {
      if (s.nodePort) filter.push(...rejectNodePort(s, p));
      continue;
    }
    const h = servicePortHash(s);
    services.push(["-d", `${s.clusterIP}/32`, "-p", p, ...comment(`${s.name} cluster IP`), "-m", p, "--dport", String(s.port), "-j", `${P}-SVC-${h}`]);
    addServiceChains(nat, s, P, c);
    if (s.nodePort) {
      nodeports.push(["-p", p, ...comment(s.name), "-m", p, "--dport", String(s.nodePort), "-j", `${P}-EXT-${h}`]);
      nat.set(`${P}-EXT-${h}`, [[...comment(`masquerade traffic for ${s.name} external destinations`), "-j", `${P}-MARK-MASQ`], ["-j", `${P}-SVC-${h}`]]);
    }
  }
  services.push([...comment("nodelet service nodeports; NOTE: this must be the last rule in this chain"), "-m", "addrtype", "--dst-type", "LOCAL", "-j", `${P}-NODEPORTS`]);
  const jump = (from: string, to: string): IptablesJump => ({ from, to, match: comment(iptablesJumpComment(c.bridge)) });
  return {
    nat,
    filter: new Map([[`${P}-FILTER`, filter]]),
    jumps: {
      nat: [jump("PREROUTING", `${P}-SERVICES`), jump("OUTPUT", `${P}-SERVICES`), jump("POSTROUTING", `${P}-POSTROUTING`)],
      filter: [jump("INPUT", `${P}-FILTER`)],
    },
  };
}

/** P-SVC-X and its P-SEP-Y chains. */
function addServiceChains(nat: ChainSet, s: ServicePortEntry, P: string, c: IptablesProxyConfig): void {
  const p = s.protocol.toLowerCase();
  const h = servicePortHash(s);
  const svc: string[][] = [["!", "-s", c.clusterCIDR, "-d", `${s.clusterIP}/32`, "-p", p, ...comment(`${s.name} cluster IP`), "-m", p, "--dport", String(s.port), "-j", `${P}-MARK-MASQ`]];
  const seps = s.endpoints.map((e) => ({ e, chain: `${P}-SEP-${endpointHash(s, e)}` }));
  if (s.affinitySeconds) {
    for (const { e, chain } of seps) svc.push([...comment(`${s.name} -> ${e.ip}:${e.port}`), "-m", "recent", "--name", chain, "--rcheck", "--seconds", String(s.affinitySeconds), "--reap", "-j", chain]);
  }
  seps.forEach(({ e, chain }, i) => {
    const n = seps.length - i;
    const pick = n > 1 ? ["-m", "statistic", "--mode", "random", "--probability", (1 / n).toFixed(10)] : [];
    svc.push([...comment(`${s.name} -> ${e.ip}:${e.port}`), ...pick, "-j", chain]);
  });
  nat.set(`${P}-SVC-${h}`, svc);
  for (const { e, chain } of seps) {
    const rules: string[][] = [["-s", `${e.ip}/32`, ...comment(s.name), "-j", `${P}-MARK-MASQ`]];
    const recent = s.affinitySeconds ? ["-m", "recent", "--name", chain, "--set"] : [];
    rules.push(["-p", p, ...comment(s.name), ...recent, "-m", p, "-j", "DNAT", "--to-destination", `${e.ip}:${e.port}`]);
    nat.set(chain, rules);
  }
}

function serviceCidrRejects(cidr: string): string[][] {
  const notNat = ["-m", "conntrack", "--ctstate", "NEW", "-m", "conntrack", "!", "--ctstate", "DNAT"];
  return [
    ["-d", cidr, "-p", "tcp", ...notNat, ...comment("service address without endpoints"), "-j", "REJECT", "--reject-with", "tcp-reset"],
    ["-d", cidr, ...notNat, ...comment("service address without endpoints"), "-j", "REJECT", "--reject-with", "icmp-port-unreachable"],
  ];
}

function rejectNodePort(s: ServicePortEntry, p: string): string[][] {
  const match = ["-p", p, "-m", p, "--dport", String(s.nodePort), "-m", "addrtype", "--dst-type", "LOCAL", "-m", "conntrack", "--ctstate", "NEW", "-m", "conntrack", "!", "--ctstate", "DNAT", ...comment(`${s.name} has no endpoints`)];
  return [[...match, "-j", "REJECT", "--reject-with", p === "tcp" ? "tcp-reset" : "icmp-port-unreachable"]];
}

/** Every chain of ours in a table: they all start with the prefix. */
export function isOurChain(bridge: string, chain: string): boolean {
  return chain.startsWith(`${iptablesPrefix(bridge)}-`);
}
