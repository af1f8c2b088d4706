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
 *   P-SVL-X            → the same over this node's endpoints, for a Local traffic policy (KUBE-SVL). Cluster IP
 *                        traffic with internalTrafficPolicy Local goes here (and is dropped in P-FILTER, "has no
 *                        local endpoints", when there are none). With externalTrafficPolicy Local, P-EXT-X sends
 *                        pod traffic (`-s CLUSTER`) and the node's own (`--src-type LOCAL`, masqueraded) to P-SVC-X,
 *                        as if it had gone out to a load balancer and come back, and the rest unmasqueraded to
 *                        P-SVL-X, so the endpoint sees the client's address; without local endpoints P-FILTER drops
 *                        what P-EXT-X did not send on
 *   P-SEP-Y            → `-s EP -j P-MARK-MASQ` (hairpin), `-m recent --set` with affinity, `-j DNAT --to EP:PORT`
 *   POSTROUTING        → P-POSTROUTING: masquerade (random-fully) what carries the mark, clearing it
 *   P-SERVICES also    → `-d EXTERNAL-IP -p tcp --dport PORT -j P-EXT-X` for each of spec.externalIPs, and the same
 *                        for a LoadBalancer's ingress IPs — through P-FW-X (`-s RANGE -j P-EXT-X` per source range,
 *                        the rest dropped in P-FILTER) when it has loadBalancerSourceRanges
 *   INPUT, FORWARD     → P-FILTER: reject (TCP reset, else ICMP port unreachable) new connections that reached the
 *                        node for the service CIDR or a node port without endpoints and were not DNATed
 *
 * Each service port renders to a fragment of restore lines (its P-SVC/P-EXT/P-SEP chains and its lines in the
 * shared chains), reused while its signature is unchanged, so an update renders only what changed (iptables-restore.ts
 * writes only the chains that differ, as kube-proxy does).
 */
import { joinArgs, type IptablesJump } from "../network/firewall/iptables.js";
import { clusterEndpoints, externallyAccessible, hasEndpoints, localEndpoints, signature, type Endpoint, type ProxyState, type ServicePortEntry } from "./model.js";
import { endpointHash, iptablesJumpComment, iptablesPrefix, servicePortHash } from "./names.js";

export interface IptablesProxyConfig {
  bridge: string;
  clusterCIDR: string;
  serviceCIDR: string;
  masqueradeMark: number;
}

/** One service port's rules: full restore lines (`-A CHAIN ...`). */
export interface IptablesFragment {
  sig: string;
  services: string[];
  nodeports: string[];
  filter: string[];
  /** Its own chains, name → lines. */
  chains: [string, string[]][];
}

export interface IptablesRuleset {
  prefix: string;
  /** Chains with fixed content, per table. */
  fixed: { nat: Map<string, string[]>; filter: Map<string, string[]> };
  fragments: Map<string, IptablesFragment>;
  jumps: { nat: IptablesJump[]; filter: IptablesJump[] };
}

const comment = (text: string) => ["-m", "comment", "--comment", text];
/** New connections that were not DNATed: a reply to a node process whose source address is a service IP must pass. */
const NOT_NAT = "-m conntrack --ctstate NEW -m conntrack ! --ctstate DNAT";
const line = (chain: string, args: string[]) => `-A ${chain} ${joinArgs(args)}`;

/** With `prev`, fragments of unchanged service ports are reused (prev is not modified). */
export function renderIptablesProxy(state: ProxyState, c: IptablesProxyConfig, prev?: IptablesRuleset): IptablesRuleset {
  const P = iptablesPrefix(c.bridge);
  const fragments = new Map<string, IptablesFragment>();
  for (const s of state.services) {
    const key = `${s.name}/${s.protocol}`;
    const sig = signature(s);
    const old = prev?.fragments.get(key);
    fragments.set(key, old && old.sig === sig ? old : serviceFragment(s, P, c, sig));
  }
  const mark = `0x${c.masqueradeMark.toString(16)}`;
  const jump = (from: string, to: string): IptablesJump => ({ from, to, match: comment(iptablesJumpComment(c.bridge)) });
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
      // FORWARD too: an external IP that is not the node's own is forwarded when nothing DNATs it.
      filter: [jump("INPUT", `${P}-FILTER`), jump("FORWARD", `${P}-FILTER`)],
    },
  };
}

/*
 * Rule lines are written as text directly (no per-argument quoting pass): every value in them is an address, a
 * number, a chain name or a service port name (DNS labels and a colon), none of which needs quoting; comments with
 * spaces are quoted here. At 5,000 services that is 75,000 lines, so this matters.
 */
function serviceFragment(s: ServicePortEntry, P: string, c: IptablesProxyConfig, sig: string): IptablesFragment {
  const f: IptablesFragment = { sig, services: [], nodeports: [], filter: [], chains: [] };
  const p = s.protocol.toLowerCase();
  if (!hasEndpoints(s)) {
    if (s.nodePort) f.filter.push(line(`${P}-FILTER`, rejectNodePort(s, p, "REJECT")));
    for (const ip of [...(s.externalIPs ?? []), ...(s.loadBalancerIPs ?? [])]) f.filter.push(filterExternalIP(s, P, ip, "REJECT"));
    return f;
  }
  const h = servicePortHash(s);
  const [svc, svl, ext] = [`${P}-SVC-${h}`, `${P}-SVL-${h}`, `${P}-EXT-${h}`];
  const local = localEndpoints(s);
  const internalChain = s.internalLocal ? svl : svc;
  const hasInternal = !s.internalLocal || local.length > 0;
  const clusterIP = `-d ${s.clusterIP}/32 -p ${p} -m comment --comment "${s.name} cluster IP" -m ${p} --dport ${s.port}`;
  if (hasInternal) f.services.push(`-A ${P}-SERVICES ${clusterIP} -j ${internalChain}`);
  else f.filter.push(`-A ${P}-FILTER -d ${s.clusterIP}/32 -p ${p} -m ${p} --dport ${s.port} ${NOT_NAT} -m comment --comment "${s.name} has no local endpoints" -j DROP`);
  const masq = hasInternal ? `-A ${internalChain} ! -s ${c.clusterCIDR} ${clusterIP} -j ${P}-MARK-MASQ` : undefined;
  const cluster = clusterEndpoints(s);
  if (cluster.length) f.chains.push([svc, endpointPicks(s, svc, cluster, P, internalChain === svc ? masq : undefined)]);
  if (local.length) f.chains.push([svl, endpointPicks(s, svl, local, P, internalChain === svl ? masq : undefined)]);
  addEndpointChains(f, s, P);
  const noLocal = s.externalLocal && local.length === 0;
  for (const ip of s.externalIPs ?? []) {
    f.services.push(`-A ${P}-SERVICES -d ${ip}/32 -p ${p} -m comment --comment "${s.name} external IP" -m ${p} --dport ${s.port} -j ${ext}`);
    if (noLocal) f.filter.push(filterExternalIP(s, P, ip, "DROP"));
  }
  addLoadBalancerIPs(f, s, P, ext, noLocal);
  if (s.nodePort) {
    f.nodeports.push(`-A ${P}-NODEPORTS -p ${p} -m comment --comment ${s.name} -m ${p} --dport ${s.nodePort} -j ${ext}`);
    if (noLocal) f.filter.push(line(`${P}-FILTER`, rejectNodePort(s, p, "DROP")));
  }
  if (externallyAccessible(s)) f.chains.push([ext, externalRules(s, ext, svc, svl, P, c)]);
  return f;
}

/**
 * Load balancer IPs, as external IPs; with loadBalancerSourceRanges through P-FW-X, which sends only those sources
 * on to P-EXT-X: the others are not DNATed and P-FILTER drops them ("traffic not accepted by P-FW-X").
 */
function addLoadBalancerIPs(f: IptablesFragment, s: ServicePortEntry, P: string, ext: string, noLocal: boolean | undefined): void {
  const p = s.protocol.toLowerCase();
  const fw = `${P}-FW-${servicePortHash(s)}`;
  const match = `-p ${p} -m comment --comment "${s.name} loadbalancer IP" -m ${p} --dport ${s.port}`;
  for (const ip of s.loadBalancerIPs ?? []) {
    f.services.push(`-A ${P}-SERVICES -d ${ip}/32 ${match} -j ${s.sourceRanges ? fw : ext}`);
    if (s.sourceRanges) f.filter.push(`-A ${P}-FILTER -d ${ip}/32 -p ${p} -m ${p} --dport ${s.port} ${NOT_NAT} -m comment --comment "${s.name} traffic not accepted by ${fw}" -j DROP`);
    if (noLocal) f.filter.push(filterExternalIP(s, P, ip, "DROP"));
  }
  if (s.sourceRanges) f.chains.push([fw, s.sourceRanges.map((r) => `-A ${fw} -m comment --comment "${s.name} loadbalancer IP" -s ${r} -j ${ext}`)]);
}

/** An external IP's new connections that were not DNATed: refused (no endpoints) or dropped (no local endpoints). */
function filterExternalIP(s: ServicePortEntry, P: string, ip: string, verdict: "REJECT" | "DROP"): string {
  const p = s.protocol.toLowerCase();
  const why = verdict === "REJECT" ? "has no endpoints" : "has no local endpoints";
  const target = verdict === "DROP" ? "DROP" : `REJECT --reject-with ${p === "tcp" ? "tcp-reset" : "icmp-port-unreachable"}`;
  return `-A ${P}-FILTER -d ${ip}/32 -p ${p} -m ${p} --dport ${s.port} ${NOT_NAT} -m comment --comment "${s.name} ${why}" -j ${target}`;
}

/** P-EXT-X: masquerade and the Cluster set, or (externalTrafficPolicy Local) kube-proxy's short circuits, then the Local set. */
function externalRules(s: ServicePortEntry, ext: string, svc: string, svl: string, P: string, c: IptablesProxyConfig): string[] {
  if (!s.externalLocal) return [`-A ${ext} -m comment --comment "masquerade traffic for ${s.name} external destinations" -j ${P}-MARK-MASQ`, `-A ${ext} -j ${svc}`];
  const rules = [
    `-A ${ext} -s ${c.clusterCIDR} -m comment --comment "pod traffic for ${s.name} external destinations" -j ${svc}`,
    `-A ${ext} -m comment --comment "masquerade LOCAL traffic for ${s.name} external destinations" -m addrtype --src-type LOCAL -j ${P}-MARK-MASQ`,
    `-A ${ext} -m comment --comment "route LOCAL traffic for ${s.name} external destinations" -m addrtype --src-type LOCAL -j ${svc}`,
  ];
  if (localEndpoints(s).length) rules.push(`-A ${ext} -j ${svl}`);
  return rules;
}

/** A P-SVC/P-SVL chain: the masquerade rule of cluster IP traffic (on the internal policy's chain), affinity, picks. */
function endpointPicks(s: ServicePortEntry, chain: string, endpoints: Endpoint[], P: string, masq: string | undefined): string[] {
  const rules = masq ? [masq] : [];
  const seps = endpoints.map((e) => ({ e, sep: `${P}-SEP-${endpointHash(s, e)}` }));
  if (s.affinitySeconds) {
    for (const { e, sep } of seps) rules.push(`-A ${chain} -m comment --comment "${s.name} -> ${e.ip}:${e.port}" -m recent --name ${sep} --rcheck --seconds ${s.affinitySeconds} --reap -j ${sep}`);
  }
  seps.forEach(({ e, sep }, i) => {
    const n = seps.length - i;
    const pick = n > 1 ? ` -m statistic --mode random --probability ${(1 / n).toFixed(10)}` : "";
    rules.push(`-A ${chain} -m comment --comment "${s.name} -> ${e.ip}:${e.port}"${pick} -j ${sep}`);
  });
  return rules;
}

/** The P-SEP-Y chain of every endpoint the port may reach. */
function addEndpointChains(f: IptablesFragment, s: ServicePortEntry, P: string): void {
  const p = s.protocol.toLowerCase();
  const recent = s.affinitySeconds ? " -m recent --name CHAIN --set" : "";
  for (const e of s.endpoints) {
    const chain = `${P}-SEP-${endpointHash(s, e)}`;
    f.chains.push([chain, [
      `-A ${chain} -s ${e.ip}/32 -m comment --comment ${s.name} -j ${P}-MARK-MASQ`,
      `-A ${chain} -p ${p} -m comment --comment ${s.name}${recent.replace("CHAIN", chain)} -m ${p} -j DNAT --to-destination ${e.ip}:${e.port}`,
    ]]);
  }
}

/** The shared chains' contents, assembled from the fragments in order. */
export function sharedChains(r: IptablesRuleset, c: Pick<IptablesProxyConfig, "serviceCIDR">): { nat: Map<string, string[]>; filter: Map<string, string[]> } {
  const P = r.prefix;
  const services: string[] = [];
  const nodeports: string[] = [];
  const filter: string[] = [];
  for (const f of r.fragments.values()) {
    services.push(...f.services);
    nodeports.push(...f.nodeports);
    filter.push(...f.filter);
  }
  // After the services' own rules: a cluster IP without local endpoints is dropped, not refused.
  filter.push(...serviceCidrRejects(c.serviceCIDR).map((a) => line(`${P}-FILTER`, a)));
  services.push(line(`${P}-SERVICES`, [...comment("nodelet service nodeports; NOTE: this must be the last rule in this chain"), "-m", "addrtype", "--dst-type", "LOCAL", "-j", `${P}-NODEPORTS`]));
  return { nat: new Map([[`${P}-SERVICES`, services], [`${P}-NODEPORTS`, nodeports]]), filter: new Map([[`${P}-FILTER`, filter]]) };
}

function serviceCidrRejects(cidr: string): string[][] {
  // New connections only: a reply to a node process whose source address is a service IP must pass.
  const notNat = ["-m", "conntrack", "--ctstate", "NEW", "-m", "conntrack", "!", "--ctstate", "DNAT"];
  return [
    ["-d", cidr, "-p", "tcp", ...notNat, ...comment("service address without endpoints"), "-j", "REJECT", "--reject-with", "tcp-reset"],
    ["-d", cidr, ...notNat, ...comment("service address without endpoints"), "-j", "REJECT", "--reject-with", "icmp-port-unreachable"],
  ];
}

/** New connections to the node port that were not DNATed: refused (no endpoints) or dropped (no local endpoints). */
function rejectNodePort(s: ServicePortEntry, p: string, verdict: "REJECT" | "DROP"): string[] {
  const why = verdict === "REJECT" ? "has no endpoints" : "has no local endpoints";
  const match = ["-p", p, "-m", p, "--dport", String(s.nodePort), "-m", "addrtype", "--dst-type", "LOCAL", "-m", "conntrack", "--ctstate", "NEW", "-m", "conntrack", "!", "--ctstate", "DNAT", ...comment(`${s.name} ${why}`)];
  return verdict === "DROP" ? [...match, "-j", "DROP"] : [...match, "-j", "REJECT", "--reject-with", p === "tcp" ? "tcp-reset" : "icmp-port-unreachable"];
}

/** Every chain of ours in a table: they all start with the prefix. */
export function isOurChain(bridge: string, chain: string): boolean {
  return chain.startsWith(`${iptablesPrefix(bridge)}-`);
}
