/**
 * The node's topology as the web view draws it, computed purely from the objects the store holds and the counters
 * the node reads: the node and its bridge; each pod on its veth (the host end's name and the pod's IP); hostPort
 * entries on the node; Services by cluster IP, with NodePort entries, pointing at exactly their ready endpoints;
 * every edge that carries traffic annotated with packets and bytes (a veth's interface statistics, a service
 * endpoint's firewall rule counters). The page draws this graph as it is; a change of the objects re-sends it whole
 * (a 100-pod node is ~60 KB of JSON, and one source of truth beats patching two copies), while a counter tick sends
 * only the edges whose counters moved (counterDelta / applyCounterDelta: a few hundred bytes on a quiet node).
 */
import type { Endpoints, Pod, Service } from "../api/types.js";

/** An interface's statistics as /sys/class/net/NAME/statistics reports them (host side of the veth). */
export interface LinkCounters {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
}

/**
 * What the firewall counted for one service port → endpoint: the connections its NAT rule matched (NAT sees a
 * connection's first packet only), and where the proxy counts them (nftables) every packet and byte of those
 * connections, both ways.
 */
export interface RuleCounters {
  connections: number;
  packets?: number;
  bytes?: number;
}

export type PodState = "ready" | "running" | "pending" | "succeeded" | "failed" | "terminating" | "unknown";

export type TopoNodeKind = "node" | "bridge" | "pod" | "service" | "hostPort" | "nodePort";

export interface TopoNode {
  id: string;
  kind: TopoNodeKind;
  label: string;
  /** Pods and Services. */
  namespace?: string;
  name?: string;
  /** Pod IP, cluster IP, or the node's IP. */
  ip?: string;
  state?: PodState;
  phase?: string;
}

export type TopoEdgeKind = "uplink" | "veth" | "hostPort" | "nodePort" | "endpoint" | "hostNetwork";

export interface TopoEdge {
  id: string;
  kind: TopoEdgeKind;
  source: string;
  target: string;
  label: string;
  /** The host-side interface of a veth edge. */
  interface?: string;
  link?: LinkCounters;
  rule?: RuleCounters;
}

export interface Topology {
  nodeName: string;
  nodes: TopoNode[];
  edges: TopoEdge[];
  /** Set when the viewer may list only some namespaces: the ones shown. */
  scope?: string[];
}

export interface TopologyInput {
  nodeName: string;
  hostIP: string;
  /** The pod bridge, or undefined when the node runs without a pod network (loopback only). */
  bridge?: string;
  pods: Pod[];
  services: Service[];
  endpoints: Endpoints[];
  /** The host end of a pod's veth (network/names.ts vethName of its runtime uid). */
  vethOf(pod: Pod): string;
  /** Interface statistics by interface name (missing: not read, or the veth is gone). */
  links: ReadonlyMap<string, LinkCounters>;
  /** Endpoint rule counters by endpointRuleKey(); absent where the firewall keeps none. */
  rules: ReadonlyMap<string, RuleCounters>;
}

export const podId = (namespace: string, name: string): string => `pod/${namespace}/${name}`;
export const serviceId = (namespace: string, name: string): string => `svc/${namespace}/${name}`;

/** The key of one service-port → endpoint rule's counters: `10.96.0.10:53/UDP>10.88.0.5:53`. */
export function endpointRuleKey(serviceIP: string, port: number, protocol: string, endpointIP: string, endpointPort: number): string {
  return `${serviceIP}:${port}/${protocol}>${endpointIP}:${endpointPort}`;
}

/** The colour class of a pod: terminating first, then the phase, Running split by the Ready condition. */
export function podState(pod: Pod): PodState {
  if (pod.metadata.deletionTimestamp) return "terminating";
  switch (pod.status?.phase) {
    case "Running":
      return pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? "ready" : "running";
    case "Pending":
      return "pending";
    case "Succeeded":
      return "succeeded";
    case "Failed":
      return "failed";
    default:
      return "unknown";
  }
}

export function buildTopology(input: TopologyInput): Topology {
  const nodes: TopoNode[] = [{ id: "node", kind: "node", label: `${input.nodeName} (${input.hostIP})`, name: input.nodeName, ip: input.hostIP }];
  const edges: TopoEdge[] = [];
  if (input.bridge) {
    nodes.push({ id: "bridge", kind: "bridge", label: input.bridge, name: input.bridge });
    edges.push({ id: "uplink", kind: "uplink", source: "node", target: "bridge", label: "routed" });
  }
  const podByIP = new Map<string, string>();
  for (const pod of [...input.pods].sort(byKey)) addPod(input, pod, nodes, edges, podByIP);
  const endpointsOf = new Map(input.endpoints.map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
  const pods = new Set(nodes.filter((n) => n.kind === "pod").map((n) => n.id));
  for (const svc of [...input.services].sort(byKey)) addService(input, svc, endpointsOf.get(`${svc.metadata.namespace}/${svc.metadata.name}`), { byIP: podByIP, ids: pods }, nodes, edges);
  return { nodeName: input.nodeName, nodes, edges };
}

function byKey(a: { metadata: { namespace?: string; name?: string } }, b: { metadata: { namespace?: string; name?: string } }): number {
  const x = `${a.metadata.namespace}/${a.metadata.name}`;
  const y = `${b.metadata.namespace}/${b.metadata.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function addPod(input: TopologyInput, pod: Pod, nodes: TopoNode[], edges: TopoEdge[], podByIP: Map<string, string>): void {
  const ns = pod.metadata.namespace ?? "default";
  const name = pod.metadata.name ?? "";
  const id = podId(ns, name);
  const ip = pod.status?.podIP;
  const hostNetwork = pod.spec.hostNetwork === true;
  nodes.push({ id, kind: "pod", label: ip && !hostNetwork ? `${ns}/${name}\n${ip}` : `${ns}/${name}`, namespace: ns, name, ip, state: podState(pod), phase: pod.status?.phase ?? "Unknown" });
  if (ip && !hostNetwork) podByIP.set(ip, id);
  if (hostNetwork || !input.bridge) {
    edges.push({ id: `hostnet/${id}`, kind: "hostNetwork", source: "node", target: id, label: hostNetwork ? "host network" : "loopback only" });
  } else {
    const veth = input.vethOf(pod);
    const link = input.links.get(veth);
    edges.push({ id: `veth/${id}`, kind: "veth", source: "bridge", target: id, label: veth, interface: veth, ...(link ? { link } : {}) });
  }
  pod.spec.containers.forEach((c) => {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const proto = p.protocol ?? "TCP";
      const hp = `hostport/${p.hostIP ?? "0.0.0.0"}:${p.hostPort}/${proto}`;
      nodes.push({ id: hp, kind: "hostPort", label: `hostPort ${p.hostPort}/${proto}`, ip: p.hostIP ?? input.hostIP });
      edges.push({ id: `${hp}>node`, kind: "hostPort", source: "node", target: hp, label: "" });
      edges.push({ id: `${hp}>${id}`, kind: "hostPort", source: hp, target: id, label: `→ ${p.containerPort}` });
    }
  });
}

function addService(input: TopologyInput, svc: Service, ep: Endpoints | undefined, pods: { byIP: Map<string, string>; ids: Set<string> }, nodes: TopoNode[], edges: TopoEdge[]): void {
  const ns = svc.metadata.namespace ?? "default";
  const name = svc.metadata.name ?? "";
  const id = serviceId(ns, name);
  const clusterIP = svc.spec.clusterIP && svc.spec.clusterIP !== "None" ? svc.spec.clusterIP : undefined;
  nodes.push({ id, kind: "service", label: `${ns}/${name}\n${clusterIP ?? svc.spec.type ?? "headless"}`, namespace: ns, name, ip: clusterIP });
  for (const p of svc.spec.ports ?? []) {
    if (!p.nodePort) continue;
    const np = `nodeport/${p.nodePort}/${p.protocol ?? "TCP"}`;
    nodes.push({ id: np, kind: "nodePort", label: `NodePort ${p.nodePort}/${p.protocol ?? "TCP"}`, ip: input.hostIP });
    edges.push({ id: `${np}>node`, kind: "nodePort", source: "node", target: np, label: "" });
    edges.push({ id: `${np}>${id}`, kind: "nodePort", source: np, target: id, label: `→ ${p.port}` });
  }
  // Ready addresses only: the proxy sends nothing to notReadyAddresses, so neither does the picture.
  const seen = new Set<string>();
  for (const subset of ep?.subsets ?? []) {
    for (const addr of subset.addresses ?? []) {
      const target = addr.targetRef?.kind === "Pod" && addr.targetRef.name ? podId(addr.targetRef.namespace ?? ns, addr.targetRef.name) : pods.byIP.get(addr.ip);
      if (!target || !pods.ids.has(target) || seen.has(target)) continue;
      seen.add(target);
      const rule = sumRules(input, svc, subset.ports ?? [], addr.ip, clusterIP);
      const ports = (subset.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(", ");
      edges.push({ id: `ep/${id}>${target}`, kind: "endpoint", source: id, target, label: `${addr.ip}${ports ? `:${ports}` : ""}`, ...(rule ? { rule } : {}) });
    }
  }
}

/** The counters of every rule from the service's ports to this endpoint address, or undefined when none is known. */
function sumRules(input: TopologyInput, svc: Service, epPorts: { name?: string; port: number; protocol?: string }[], epIP: string, clusterIP: string | undefined): RuleCounters | undefined {
  if (!clusterIP) return undefined;
  let found: RuleCounters | undefined;
  for (const sp of svc.spec.ports ?? []) {
    const proto = sp.protocol ?? "TCP";
    const ep = epPorts.find((p) => (p.name ?? "") === (sp.name ?? "") && (p.protocol ?? "TCP") === proto);
    if (!ep) continue;
    const r = input.rules.get(endpointRuleKey(clusterIP, sp.port, proto, epIP, ep.port));
    if (!r) continue;
    found = { connections: (found?.connections ?? 0) + r.connections, ...sumTraffic(found, r) };
  }
  return found;
}

/** Packets and bytes of two counters added, absent when neither has any. */
function sumTraffic(a: RuleCounters | undefined, b: RuleCounters): Pick<RuleCounters, "packets" | "bytes"> {
  if (a?.packets === undefined && b.packets === undefined) return {};
  return { packets: (a?.packets ?? 0) + (b.packets ?? 0), bytes: (a?.bytes ?? 0) + (b.bytes ?? 0) };
}

/**
 * The part of the topology a viewer limited to `namespaces` may see: their pods and Services, the node and bridge,
 * and the hostPorts and NodePorts that lead to what is kept.
 */
export function scopeTopology(t: Topology, namespaces: string[]): Topology {
  const allowed = new Set(namespaces);
  const keep = new Set(t.nodes.filter((n) => n.kind === "node" || n.kind === "bridge" || ((n.kind === "pod" || n.kind === "service") && allowed.has(n.namespace ?? ""))).map((n) => n.id));
  for (const e of t.edges) if ((e.kind === "hostPort" || e.kind === "nodePort") && keep.has(e.target) && e.source !== "node") keep.add(e.source);
  return { nodeName: t.nodeName, nodes: t.nodes.filter((n) => keep.has(n.id)), edges: t.edges.filter((e) => keep.has(e.source) && keep.has(e.target)), scope: [...namespaces].sort() };
}

/** The counters an edge carries (both optional: a veth's link statistics, an endpoint's rule counters). */
export type EdgeCounters = Pick<TopoEdge, "link" | "rule">;

/** The edges whose counters changed between two topologies of the same objects, by edge id. */
export interface CounterDelta {
  edges: Record<string, EdgeCounters>;
}

/** What `next`'s edges count that `prev`'s same edges did not (an edge only `next` has is left to the next whole send). */
export function counterDelta(prev: Topology, next: Topology): CounterDelta {
  const before = new Map(prev.edges.map((e) => [e.id, e]));
  const edges: Record<string, EdgeCounters> = {};
  for (const e of next.edges) {
    const p = before.get(e.id);
    if (!p || (sameCounters(p.link, e.link) && sameCounters(p.rule, e.rule))) continue;
    edges[e.id] = { ...(e.link ? { link: e.link } : {}), ...(e.rule ? { rule: e.rule } : {}) };
  }
  return { edges };
}

function sameCounters<T extends object>(a: T | undefined, b: T | undefined): boolean {
  if (!a || !b) return a === b;
  return (Object.keys(a) as (keyof T)[]).every((k) => a[k] === b[k]) && Object.keys(a).length === Object.keys(b).length;
}

/** `t` with the delta's counters on its edges (in place); returns the edges that changed. */
export function applyCounterDelta(t: Topology, delta: CounterDelta): TopoEdge[] {
  const changed: TopoEdge[] = [];
  for (const e of t.edges) {
    const c = delta.edges[e.id];
    if (!c) continue;
    delete e.link;
    delete e.rule;
    Object.assign(e, c);
    changed.push(e);
  }
  return changed;
}

/** The part of a delta about edges a scoped viewer sees. */
export function scopeCounterDelta(delta: CounterDelta, edgeIds: ReadonlySet<string>): CounterDelta {
  return { edges: Object.fromEntries(Object.entries(delta.edges).filter(([id]) => edgeIds.has(id))) };
}
