/**
 * Cross-node pod routes, pure (flannel's host-gw and vxlan backends in one planner): from the Node objects (each
 * one's spec.podCIDR and InternalIP address), what this node must program so its pods reach every other node's pods
 * by pod IP, and what it has to change given what it found.
 *
 * For each other node (a peer) the path is chosen by the `mode` setting:
 * - `route`: `ROUTE podCIDR via INTERNAL-IP dev UNDERLAY` (the peer must be on the same link);
 * - `vxlan`: through one kernel VXLAN device of ours (VNI and UDP port from settings, MTU = the underlay's - 50):
 *   a route `podCIDR via VTEP onlink dev VX`, a permanent neighbour VTEP → VTEP-MAC and a permanent FDB entry
 *   VTEP-MAC → INTERNAL-IP. A node's VTEP is its pod CIDR's network address (never a pod's) and its MAC is 0a:58 +
 *   that address (names.ts macForIP), so no node has to publish anything beyond its Node object;
 * - `auto` (the default): `route` for a peer whose InternalIP lies in a subnet of the underlay link (one L2 hop
 *   away), `vxlan` for the others.
 * Routes carry protocol ROUTE_PROTO and lie inside the cluster CIDR: that is how ours are told from any other.
 */
import { contains, formatCidr, formatIPv4, overlaps, parseCidr, parseIPv4, type Cidr } from "../api/cidr.js";
import type { Node } from "../api/types.js";
import { macForIP } from "./names.js";

/** The routing protocol number our cross-node routes carry (`ip route ... proto 203`), unused by iproute2's table. */
export const ROUTE_PROTO = 203;
/** VXLAN's header, outer UDP, IP and Ethernet: the overlay MTU is the underlay's minus this. */
export const VXLAN_OVERHEAD = 50;

export type OverlayMode = "auto" | "route" | "vxlan";

export interface Peer {
  name: string;
  podCIDR: Cidr;
  internalIP: number;
}

export interface LocalNode extends Peer {
  /** The link carrying InternalIP, its MTU and the subnets on it. */
  underlay: { dev: string; mtu: number; subnets: Cidr[] };
}

export interface VxlanSettings {
  /** Device name (≤ 15 bytes). */
  name: string;
  vni: number;
  port: number;
}

export interface RouteEntry {
  dst: string;
  gateway: string;
  dev: string;
  onlink: boolean;
}

export interface VxlanDevice {
  name: string;
  vni: number;
  port: number;
  local: string;
  underlay: string;
  mtu: number;
  mac: string;
  /** The VTEP address, /32. */
  address: string;
}

export interface CrossNodePlan {
  routes: RouteEntry[];
  /** Present when some peer goes over VXLAN. */
  vxlan?: VxlanDevice;
  neighbours: { ip: string; mac: string }[];
  fdb: { mac: string; dst: string }[];
  /** Nodes left out, with why (no podCIDR yet, no InternalIP, a CIDR outside the cluster or overlapping another). */
  skipped: { name: string; why: string }[];
}

const internalIPOf = (n: Node): number | undefined => {
  const a = n.status?.addresses?.find((x) => x.type === "InternalIP")?.address;
  return a === undefined ? undefined : parseIPv4(a);
};

/** The peers among `nodes` (all but `self`), and the nodes that cannot be routed to with the reason. */
export function peersOf(nodes: Node[], self: string, cluster: Cidr): { peers: Peer[]; skipped: { name: string; why: string }[] } {
  const peers: Peer[] = [];
  const skipped: { name: string; why: string }[] = [];
  const selfNode = nodes.find((n) => n.metadata.name === self);
  const own = selfNode?.spec?.podCIDR ? parseCidr(selfNode.spec.podCIDR) : undefined;
  // Oldest first (then by name): of two nodes claiming overlapping CIDRs, the one that had it first keeps it.
  const order = (n: Node): string => `${n.metadata.creationTimestamp ?? ""}\u0000${n.metadata.name ?? ""}`;
  for (const n of [...nodes].sort((a, b) => order(a).localeCompare(order(b)))) {
    const name = n.metadata.name ?? "";
    if (name === self) continue;
    const text = n.spec?.podCIDRs?.[0] ?? n.spec?.podCIDR;
    const podCIDR = text ? parseCidr(text) : undefined;
    const internalIP = internalIPOf(n);
    let why: string | undefined;
    if (!podCIDR) why = text ? `spec.podCIDR "${text}" is not an IPv4 CIDR` : "no spec.podCIDR yet";
    else if (internalIP === undefined) why = "no InternalIP address";
    else if (!overlaps(cluster, podCIDR) || podCIDR.prefix < cluster.prefix) why = `pod CIDR ${formatCidr(podCIDR)} is outside the cluster CIDR ${formatCidr(cluster)}`;
    else if (own && overlaps(own, podCIDR)) why = `pod CIDR ${formatCidr(podCIDR)} overlaps this node's ${formatCidr(own)}`;
    else if (peers.some((p) => overlaps(p.podCIDR, podCIDR))) why = `pod CIDR ${formatCidr(podCIDR)} overlaps another node's`;
    if (why) skipped.push({ name, why });
    else peers.push({ name, podCIDR: podCIDR!, internalIP: internalIP! });
  }
  return { peers, skipped };
}

/** True when `ip` is on one of the underlay's subnets: the peer is one hop away on the same link. */
export function sharesLink(local: LocalNode, ip: number): boolean {
  return local.underlay.subnets.some((s) => s.prefix < 32 && contains(s, ip));
}

/** What this node programs for its peers. */
export function planCrossNode(local: LocalNode, peers: Peer[], mode: OverlayMode, vx: VxlanSettings, skipped: CrossNodePlan["skipped"] = []): CrossNodePlan {
  const plan: CrossNodePlan = { routes: [], neighbours: [], fdb: [], skipped };
  for (const p of peers) {
    const direct = mode === "route" || (mode === "auto" && sharesLink(local, p.internalIP));
    if (direct) {
      plan.routes.push({ dst: formatCidr(p.podCIDR), gateway: formatIPv4(p.internalIP), dev: local.underlay.dev, onlink: false });
      continue;
    }
    const vtep = p.podCIDR.base;
    plan.routes.push({ dst: formatCidr(p.podCIDR), gateway: formatIPv4(vtep), dev: vx.name, onlink: true });
    plan.neighbours.push({ ip: formatIPv4(vtep), mac: macForIP(vtep) });
    plan.fdb.push({ mac: macForIP(vtep), dst: formatIPv4(p.internalIP) });
  }
  if (plan.fdb.length) {
    plan.vxlan = {
      name: vx.name,
      vni: vx.vni,
      port: vx.port,
      local: formatIPv4(local.internalIP),
      underlay: local.underlay.dev,
      mtu: local.underlay.mtu - VXLAN_OVERHEAD,
      mac: macForIP(local.podCIDR.base),
      address: `${formatIPv4(local.podCIDR.base)}/32`,
    };
  }
  return plan;
}

/** What is programmed now: our routes (protocol ROUTE_PROTO inside the cluster CIDR), our VXLAN device and its entries. */
export interface CrossNodeObserved {
  routes: RouteEntry[];
  vxlan?: VxlanDevice;
  neighbours: { ip: string; mac: string }[];
  fdb: { mac: string; dst: string }[];
}

export interface CrossNodeChanges {
  /** Delete the device (its routes, neighbours and FDB entries go with it) before anything else. */
  deleteVxlan: boolean;
  createVxlan?: VxlanDevice;
  /** `ip -batch` lines, run with -force after the device exists: routes, neighbours. */
  ipBatch: string[];
  /** `bridge -batch` lines: FDB entries. */
  bridgeBatch: string[];
}

const sameDevice = (a: VxlanDevice, b: VxlanDevice): boolean =>
  a.vni === b.vni && a.port === b.port && a.local === b.local && a.underlay === b.underlay && a.mtu === b.mtu && a.mac === b.mac && a.address === b.address;
const sameRoute = (a: RouteEntry, b: RouteEntry): boolean => a.gateway === b.gateway && a.dev === b.dev && a.onlink === b.onlink;

export function routeLine(verb: "replace" | "del", r: RouteEntry): string {
  return `route ${verb} ${r.dst} via ${r.gateway} dev ${r.dev}${r.onlink ? " onlink" : ""} proto ${ROUTE_PROTO}`;
}

/** The changes that turn `seen` into `plan` (pure). An entry already right is left alone. */
export function diffCrossNode(plan: CrossNodePlan, seen: CrossNodeObserved): CrossNodeChanges {
  const recreate = seen.vxlan !== undefined && (plan.vxlan === undefined || !sameDevice(plan.vxlan, seen.vxlan));
  const create = plan.vxlan !== undefined && (recreate || seen.vxlan === undefined) ? plan.vxlan : undefined;
  // A deleted device takes its routes, neighbours and FDB entries with it.
  const gone = (dev: string): boolean => recreate && dev === seen.vxlan?.name;
  const routes = seen.routes.filter((r) => !gone(r.dev));
  const neighbours = recreate ? [] : seen.neighbours;
  const fdb = recreate ? [] : seen.fdb;
  const ip: string[] = [];
  for (const r of routes) if (!plan.routes.some((w) => w.dst === r.dst)) ip.push(routeLine("del", r));
  for (const w of plan.routes) {
    const have = routes.find((r) => r.dst === w.dst);
    if (!have || !sameRoute(have, w)) ip.push(routeLine("replace", w));
  }
  const vx = plan.vxlan?.name ?? seen.vxlan?.name;
  if (vx && !(recreate && !create)) {
    for (const n of neighbours) if (!plan.neighbours.some((w) => w.ip === n.ip && w.mac === n.mac)) ip.push(`neigh del ${n.ip} dev ${vx}`);
    for (const w of plan.neighbours) if (!neighbours.some((n) => n.ip === w.ip && n.mac === w.mac)) ip.push(`neigh replace ${w.ip} lladdr ${w.mac} dev ${vx} nud permanent`);
  }
  const br: string[] = [];
  if (vx && !(recreate && !create)) {
    for (const f of fdb) if (!plan.fdb.some((w) => w.mac === f.mac && w.dst === f.dst)) br.push(`fdb del ${f.mac} dev ${vx} dst ${f.dst} self`);
    for (const w of plan.fdb) if (!fdb.some((f) => f.mac === w.mac && f.dst === w.dst)) br.push(`fdb append ${w.mac} dev ${vx} dst ${w.dst} self permanent`);
  }
  // No VXLAN peer left: the device goes (with its entries), nothing to delete one by one.
  if (!plan.vxlan && seen.vxlan) return { deleteVxlan: true, ipBatch: ip.filter((l) => !l.includes(` dev ${seen.vxlan!.name}`)), bridgeBatch: [] };
  return { deleteVxlan: recreate, createVxlan: create, ipBatch: ip, bridgeBatch: br };
}

/** argv creating the device (then `ip link set` for MAC, MTU, up, and the VTEP address). */
export function vxlanCreateArgv(d: VxlanDevice): string[][] {
  return [
    ["ip", "link", "add", d.name, "type", "vxlan", "id", String(d.vni), "dstport", String(d.port), "local", d.local, "dev", d.underlay, "nolearning"],
    ["ip", "link", "set", "dev", d.name, "address", d.mac, "mtu", String(d.mtu), "up"],
    ["ip", "addr", "replace", d.address, "dev", d.name],
  ];
}
