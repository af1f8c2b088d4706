/**
 * What every proxy mode implements, as plain data: one entry per service port (kube-proxy's ServicePortName) with
 * its virtual address, node port, affinity, traffic policies and usable endpoints. buildProxyState is pure:
 * Services, EndpointSlices and this node's name in, sorted entries out, so renderers get the same input for the
 * same cluster state.
 *
 * Left out, as kube-proxy leaves them out: headless and ExternalName services, services without a cluster IP, and
 * SCTP ports. Endpoints come from EndpointSlices (as kube-proxy reads them) whose slice has a port of the service
 * port's name and protocol. Which are used is kube-proxy's CategorizeEndpoints (pkg/proxy/topology.go): Ready ones
 * (ready condition absent or true), or — when there is none — the serving and terminating ones, separately for
 * the Cluster policy (every node's) and the Local policy (those whose `nodeName` is this node's).
 * `internalTrafficPolicy: Local` sends cluster IP traffic to the Local set only; `externalTrafficPolicy: Local`
 * does the same for node port, external IP and load balancer IP traffic, which then keeps its client address
 * (renderers: no masquerade).
 */
import type { EndpointSlice, Service, ServicePort } from "../api/types.js";
import { isIPv4 } from "../api/ip.js";
import { formatCidr, parseCidr } from "../api/cidr.js";

export type Protocol = "TCP" | "UDP";

export interface Endpoint {
  ip: string;
  port: number;
}

export interface ServicePortEntry {
  /** "namespace/name:portName" (portName may be empty), as kube-proxy names a service port. */
  name: string;
  namespace: string;
  service: string;
  portName: string;
  clusterIP: string;
  protocol: Protocol;
  port: number;
  nodePort?: number;
  /** sessionAffinity ClientIP: the stickiness timeout in seconds. */
  affinitySeconds?: number;
  /**
   * Every endpoint some traffic of this port may reach from this node (kube-proxy's allReachableEndpoints), sorted
   * by address, without duplicates: without a Local policy, the usable endpoints of the whole cluster.
   */
  endpoints: Endpoint[];
  /** spec.externalIPs (IPv4): addresses the node takes this port's traffic for, like the node port. */
  externalIPs?: string[];
  /** A LoadBalancer's ingress addresses (status.loadBalancer.ingress[].ip, IPv4, ipMode not Proxy). */
  loadBalancerIPs?: string[];
  /** spec.loadBalancerSourceRanges (IPv4 networks): the only clients the load balancer addresses take. */
  sourceRanges?: string[];
  /** internalTrafficPolicy Local: cluster IP traffic goes to `policy.local` only. */
  internalLocal?: true;
  /** externalTrafficPolicy Local on a port with a node port or external IPs: their traffic goes to `policy.local` only. */
  externalLocal?: true;
  /** With a Local policy: kube-proxy's clusterEndpoints and localEndpoints (empty when that policy is never used). */
  policy?: EndpointPolicy;
  /** type LoadBalancer with externalTrafficPolicy Local: the health check node port (proxy/health-check-server.ts). */
  healthCheck?: HealthCheck;
}

export interface EndpointPolicy {
  cluster: Endpoint[];
  local: Endpoint[];
  /** Some usable endpoint exists anywhere in the cluster (kube-proxy's hasAnyEndpoints): if not, reject; else drop. */
  any: boolean;
}

export interface HealthCheck {
  port: number;
  /** This node's Ready endpoint addresses over all the service's ports (kube-proxy's LocalReadyEndpoints). */
  localEndpoints: number;
}

export interface ProxyState {
  /** Sorted by name, then protocol. */
  services: ServicePortEntry[];
}

export const EMPTY_STATE: ProxyState = { services: [] };

/** Slices grouped by "namespace/service" (from the kubernetes.io/service-name label). */
export function slicesByService(slices: Iterable<EndpointSlice>): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.["kubernetes.io/service-name"];
    if (!svc || s.addressType !== "IPv4") continue;
    const key = `${s.metadata.namespace ?? "default"}/${svc}`;
    out.set(key, [...(out.get(key) ?? []), s]);
  }
  return out;
}

/** `nodeName`: this node's name, which tells its endpoints (EndpointSlice endpoints[].nodeName) from others. */
export function buildProxyState(services: Iterable<Service>, slices: Map<string, EndpointSlice[]>, nodeName: string): ProxyState {
  const out: ServicePortEntry[] = [];
  for (const svc of services) out.push(...serviceEntries(svc, slices.get(`${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`) ?? [], nodeName));
  out.sort(compareEntries);
  return { services: out };
}

/** The entries of one service (none for headless, ExternalName, or without a cluster IP). */
export function serviceEntries(svc: Service, slices: EndpointSlice[], nodeName: string): ServicePortEntry[] {
  const s = svc.spec;
  if (s.type === "ExternalName" || !s.clusterIP || s.clusterIP === "None") return [];
  const out: ServicePortEntry[] = [];
  const localReady = new Set<string>();
  for (const p of s.ports ?? []) {
    const protocol = p.protocol ?? "TCP";
    if (protocol !== "TCP" && protocol !== "UDP") continue;
    const found = candidates(slices, p.name ?? "", protocol, nodeName);
    for (const c of found) if (c.local && c.ready) localReady.add(c.ip);
    out.push(portEntry(svc, p, protocol, found));
  }
  const hc = s.type === "LoadBalancer" && s.externalTrafficPolicy === "Local" ? s.healthCheckNodePort : undefined;
  if (hc) for (const e of out) e.healthCheck = { port: hc, localEndpoints: localReady.size };
  return out;
}

/** One port's entry: its addresses, affinity, policies and the endpoints they use. */
function portEntry(svc: Service, p: ServicePort, protocol: Protocol, found: Candidate[]): ServicePortEntry {
  const s = svc.spec;
  const ns = svc.metadata.namespace ?? "default";
  const portName = p.name ?? "";
  const nodePort = (s.type === "NodePort" || s.type === "LoadBalancer") && p.nodePort ? p.nodePort : undefined;
  const entry: ServicePortEntry = {
    name: `${ns}/${svc.metadata.name}:${portName}`,
    namespace: ns,
    service: svc.metadata.name ?? "",
    portName,
    clusterIP: s.clusterIP!,
    protocol,
    port: p.port,
    nodePort,
    affinitySeconds: s.sessionAffinity === "ClientIP" ? s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 : undefined,
    endpoints: [],
  };
  const externalIPs = (s.externalIPs ?? []).filter(isIPv4);
  if (externalIPs.length) entry.externalIPs = externalIPs;
  const lbIPs = loadBalancerIPs(svc);
  if (lbIPs.length) entry.loadBalancerIPs = lbIPs;
  const ranges = (s.loadBalancerSourceRanges ?? []).map((r) => parseCidr(r, false)).filter((r) => r !== undefined).map(formatCidr);
  if (lbIPs.length && ranges.length) entry.sourceRanges = ranges;
  const internalLocal = s.internalTrafficPolicy === "Local";
  // kube-proxy's ExternalPolicyLocal: only for a port that takes external traffic at all.
  const externallyAccessible = nodePort !== undefined || externalIPs.length > 0 || lbIPs.length > 0;
  const externalLocal = s.externalTrafficPolicy === "Local" && externallyAccessible;
  if (!internalLocal && !externalLocal) {
    entry.endpoints = usable(found, () => true);
    return entry;
  }
  const c = categorize(found, !internalLocal || externallyAccessible);
  entry.endpoints = c.all;
  entry.policy = { cluster: c.cluster, local: c.local, any: c.any };
  if (internalLocal) entry.internalLocal = true;
  if (externalLocal) entry.externalLocal = true;
  return entry;
}

/** kube-proxy's LoadBalancerVIPs: a LoadBalancer's ingress IPv4 addresses, except those whose ipMode is Proxy. */
function loadBalancerIPs(svc: Service): string[] {
  if (svc.spec.type !== "LoadBalancer") return [];
  return (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && isIPv4(i.ip) && i.ipMode !== "Proxy").map((i) => i.ip!);
}

/** An endpoint of a service port as a slice states it. */
interface Candidate extends Endpoint {
  ready: boolean;
  servingTerminating: boolean;
  local: boolean;
}

/** The slices' endpoints for one port, sorted by address, without duplicates (a later slice's entry wins). */
function candidates(slices: EndpointSlice[], portName: string, protocol: Protocol, nodeName: string): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const sl of slices) {
    const port = sl.ports?.find((p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === protocol)?.port;
    if (!port) continue;
    for (const e of sl.endpoints ?? []) {
      // kube-proxy's reading: ready and serving default to true, terminating to false.
      const ready = e.conditions?.ready !== false;
      const servingTerminating = e.conditions?.serving !== false && e.conditions?.terminating === true;
      const local = e.nodeName !== undefined && e.nodeName === nodeName;
      for (const ip of e.addresses ?? []) seen.set(`${ip}:${port}`, { ip, port, ready, servingTerminating, local });
    }
  }
  return [...seen.values()].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port);
}

/** The Ready endpoints `pick` keeps, else its serving terminating ones (kube-proxy's fallback), as plain endpoints. */
function usable(found: Candidate[], pick: (c: Candidate) => boolean): Endpoint[] {
  let out = found.filter((c) => c.ready && pick(c));
  if (out.length === 0) out = found.filter((c) => c.servingTerminating && pick(c));
  return out.map(({ ip, port }) => ({ ip, port }));
}

/**
 * kube-proxy's CategorizeEndpoints for a port with a Local policy (topology hints aside): the Cluster set when the
 * port ever uses it (`usesCluster`: internal policy Cluster, or external traffic whose pod and host clients take
 * the Cluster set), the Local set, their union, and whether any usable endpoint exists anywhere.
 */
function categorize(found: Candidate[], usesCluster: boolean): { cluster: Endpoint[]; local: Endpoint[]; all: Endpoint[]; any: boolean } {
  const cluster = usesCluster ? usable(found, () => true) : [];
  const local = usable(found, (c) => c.local);
  const any = found.some((c) => c.ready || c.servingTerminating);
  if (!usesCluster) return { cluster, local, all: local, any };
  const all = new Map(cluster.map((e) => [`${e.ip}:${e.port}`, e]));
  for (const e of local) all.set(`${e.ip}:${e.port}`, e);
  return { cluster, local, all: [...all.values()].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port), any };
}

/** kube-proxy's hasAnyEndpoints: without any, traffic is rejected; with some but none for a Local policy, dropped. */
export function hasEndpoints(s: ServicePortEntry): boolean {
  return s.policy ? s.policy.any : s.endpoints.length > 0;
}

/** The endpoints of the Cluster policy (empty when the port never uses it). */
export function clusterEndpoints(s: ServicePortEntry): Endpoint[] {
  return s.policy ? s.policy.cluster : s.endpoints;
}

/** The endpoints of the Local policy (empty without a Local policy). */
export function localEndpoints(s: ServicePortEntry): Endpoint[] {
  return s.policy?.local ?? [];
}

/** Where cluster IP traffic goes: the Local set with internalTrafficPolicy Local, else the Cluster set. */
export function internalEndpoints(s: ServicePortEntry): Endpoint[] {
  return s.internalLocal ? localEndpoints(s) : clusterEndpoints(s);
}

/** Whether the port takes traffic from outside the cluster: a node port or external IPs (kube-proxy's ExternallyAccessible). */
export function externallyAccessible(s: ServicePortEntry): boolean {
  return s.nodePort !== undefined || (s.externalIPs?.length ?? 0) > 0 || (s.loadBalancerIPs?.length ?? 0) > 0;
}

/** Where node port traffic from other hosts goes: the Local set with externalTrafficPolicy Local, else the Cluster set. */
export function externalEndpoints(s: ServicePortEntry): Endpoint[] {
  return s.externalLocal ? localEndpoints(s) : clusterEndpoints(s);
}

export function compareEntries(a: ServicePortEntry, b: ServicePortEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0;
}

/** "10.1.2.3" → its 32-bit number (hot: called per endpoint when rendering thousands of services). */
export function ipNumber(ip: string): number {
  let n = 0;
  let octet = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + octet;
      octet = 0;
    } else octet = octet * 10 + (c - 48);
  }
  return n * 256 + octet;
}

const signatures = new WeakMap<ServicePortEntry, string>();

/**
 * What a service port's rules depend on (address, ports, affinity, policies, endpoints), for the renderers' reuse of
 * unchanged fragments; remembered per entry object, since the change tracker reuses the objects of unchanged
 * services.
 */
export function signature(s: ServicePortEntry): string {
  let sig = signatures.get(s);
  if (sig === undefined) {
    const eps = (list: Endpoint[]) => list.map((e) => `${e.ip}:${e.port}`).join(",");
    sig = `${s.clusterIP}|${s.protocol}|${s.port}|${s.nodePort ?? ""}|${s.affinitySeconds ?? ""}|${eps(s.endpoints)}`;
    if (s.externalIPs) sig += `|X${s.externalIPs.join(",")}`;
    if (s.loadBalancerIPs) sig += `|L${s.loadBalancerIPs.join(",")}|${s.sourceRanges?.join(",") ?? ""}`;
    if (s.policy) sig += `|${s.internalLocal ? "I" : ""}${s.externalLocal ? "E" : ""}${s.policy.any ? "A" : ""}|${eps(s.policy.cluster)}|${eps(s.policy.local)}`;
    signatures.set(s, sig);
  }
  return sig;
}
