/**
 * CrossNodeRoutes: programs this node's routes to the other nodes' pod CIDRs (cross-node-plan.ts decides; this
 * reads the host, applies the difference and removes what it made). It owns, and removes on reset():
 * - routes of protocol ROUTE_PROTO (203) inside the cluster CIDR in the main table, whatever their device;
 * - the VXLAN device named in its settings (its neighbour and FDB entries go with it).
 * Each sync reads the Nodes given, the host's addresses (the underlay is the link holding this node's InternalIP)
 * and what is programmed, then runs one `ip -batch` and one `bridge -batch` with only the changes; runs are
 * serialized and coalesced (SerialSync), so a burst of Node changes costs at most two.
 */
import { formatCidr, parseCidr, parseIPv4, type Cidr } from "../api/cidr.js";
import type { Node } from "../api/types.js";
import type { Runner } from "../sys/runner.js";
import { diffCrossNode, peersOf, planCrossNode, ROUTE_PROTO, vxlanCreateArgv, type CrossNodeObserved, type CrossNodePlan, type LocalNode, type OverlayMode, type RouteEntry, type VxlanDevice, type VxlanSettings } from "./cross-node-plan.js";
import { SerialSync } from "./serial-sync.js";

const OWNER = "cross-node";

export interface CrossNodeOptions {
  runner: Runner;
  /** This node's name: its own Node gives the pod CIDR and InternalIP. */
  nodeName: string;
  cluster: Cidr;
  mode: OverlayMode;
  vxlan: VxlanSettings;
  log?: (msg: string) => void;
}

interface AddrLink {
  ifname: string;
  mtu: number;
  addr_info?: { family?: string; local: string; prefixlen: number }[];
}

interface JsonRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  flags?: string[];
}

interface JsonVxlan {
  ifname: string;
  mtu: number;
  address: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; local?: string; link?: string; port?: number } };
}

export class CrossNodeRoutes {
  private nodes: Node[] = [];
  private readonly serial = new SerialSync(() => this.apply());
  /** The last plan applied (for status and tests). */
  last: CrossNodePlan | undefined;

  constructor(private readonly o: CrossNodeOptions) {}

  /** Programs the routes for `nodes` (every Node of the cluster); resolves once a run that saw them has finished. */
  sync(nodes: Node[]): Promise<void> {
    this.nodes = nodes;
    return this.serial.request();
  }

  /** Removes every route and the device this owns. */
  async reset(): Promise<void> {
    await this.serial.idle();
    const { runner } = this.o;
    const seen = await this.observe();
    await runner.run(["ip", "link", "del", this.o.vxlan.name], { owner: OWNER, allowFail: true });
    const lines = seen.routes.filter((r) => r.dev !== this.o.vxlan.name).map((r) => `route del ${r.dst} proto ${ROUTE_PROTO}`);
    if (lines.length) await runner.run(["ip", "-force", "-batch", "-"], { input: lines.join("\n") + "\n", owner: OWNER, allowFail: true });
    this.last = undefined;
  }

  private async apply(): Promise<void> {
    const { runner, nodeName, cluster, mode, vxlan } = this.o;
    const self = this.nodes.find((n) => n.metadata.name === nodeName);
    const local = self ? await this.localNode(self) : undefined;
    const seen = await this.observe();
    let plan: CrossNodePlan;
    if (!local) {
      plan = { routes: [], neighbours: [], fdb: [], skipped: [{ name: nodeName, why: "this node has no pod CIDR or InternalIP on a local link yet" }] };
    } else {
      const { peers, skipped } = peersOf(this.nodes, nodeName, cluster);
      plan = planCrossNode(local, peers, mode, vxlan, skipped);
    }
    const changes = diffCrossNode(plan, seen);
    if (changes.deleteVxlan) await runner.run(["ip", "link", "del", vxlan.name], { owner: OWNER, allowFail: true });
    if (changes.createVxlan) {
      runner.comment(OWNER, `VXLAN device ${vxlan.name} (VNI ${vxlan.vni}, UDP ${vxlan.port}) over ${changes.createVxlan.underlay} for pods on other links`);
      for (const argv of vxlanCreateArgv(changes.createVxlan)) await runner.run(argv, { owner: OWNER });
    }
    if (changes.ipBatch.length) await runner.run(["ip", "-force", "-batch", "-"], { input: changes.ipBatch.join("\n") + "\n", owner: OWNER });
    if (changes.bridgeBatch.length) await runner.run(["bridge", "-force", "-batch", "-"], { input: changes.bridgeBatch.join("\n") + "\n", owner: OWNER });
    for (const s of plan.skipped) if (!this.last?.skipped.some((x) => x.name === s.name && x.why === s.why)) this.o.log?.(`cross-node routes: node ${s.name} left out: ${s.why}`);
    this.last = plan;
  }

  /** This node as the planner needs it: pod CIDR, InternalIP and the link that carries it. */
  private async localNode(self: Node): Promise<LocalNode | undefined> {
    const text = self.spec?.podCIDRs?.[0] ?? self.spec?.podCIDR;
    const podCIDR = text ? parseCidr(text) : undefined;
    const ipText = self.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    const internalIP = ipText ? parseIPv4(ipText) : undefined;
    if (!podCIDR || internalIP === undefined) return undefined;
    const r = await this.o.runner.run(["ip", "-json", "-4", "addr", "show"], { owner: OWNER });
    const links = JSON.parse(r.stdout || "[]") as AddrLink[];
    for (const l of links) {
      const addrs = (l.addr_info ?? []).filter((a) => a.family === undefined || a.family === "inet");
      if (!addrs.some((a) => a.local === ipText)) continue;
      const subnets = addrs.map((a) => parseCidr(`${a.local}/${a.prefixlen}`, false)).filter((c): c is Cidr => c !== undefined);
      return { name: self.metadata.name ?? "", podCIDR, internalIP, underlay: { dev: l.ifname, mtu: l.mtu, subnets } };
    }
    return undefined;
  }

  private async observe(): Promise<CrossNodeObserved> {
    const { runner, cluster, vxlan } = this.o;
    const routesOut = await runner.run(["ip", "-json", "-4", "route", "show", "table", "main", "proto", String(ROUTE_PROTO), "root", formatCidr(cluster)], { owner: OWNER });
    const routes: RouteEntry[] = (JSON.parse(routesOut.stdout || "[]") as JsonRoute[]).map((r) => ({ dst: r.dst, gateway: r.gateway ?? "", dev: r.dev ?? "", onlink: (r.flags ?? []).includes("onlink") }));
    const link = await runner.run(["ip", "-json", "-d", "link", "show", "dev", vxlan.name], { owner: OWNER, allowFail: true });
    if (link.code !== 0) return { routes, neighbours: [], fdb: [] };
    const dev = (JSON.parse(link.stdout || "[]") as JsonVxlan[])[0];
    const addr = await runner.run(["ip", "-json", "-4", "addr", "show", "dev", vxlan.name], { owner: OWNER, allowFail: true });
    const local = ((JSON.parse(addr.stdout || "[]") as AddrLink[])[0]?.addr_info ?? [])[0];
    const info = dev?.linkinfo?.info_data;
    const device: VxlanDevice | undefined = dev
      ? {
          name: dev.ifname,
          vni: info?.id ?? -1,
          port: info?.port ?? -1,
          local: info?.local ?? "",
          underlay: info?.link ?? "",
          mtu: dev.mtu,
          mac: dev.address,
          address: local ? `${local.local}/${local.prefixlen}` : "",
        }
      : undefined;
    const neigh = await runner.run(["ip", "-json", "neigh", "show", "dev", vxlan.name], { owner: OWNER, allowFail: true });
    const neighbours = (JSON.parse(neigh.stdout || "[]") as { dst: string; lladdr?: string; state?: string[] }[])
      .filter((n) => n.lladdr && (n.state ?? []).includes("PERMANENT"))
      .map((n) => ({ ip: n.dst, mac: n.lladdr! }));
    const fdbOut = await runner.run(["bridge", "-json", "fdb", "show", "dev", vxlan.name], { owner: OWNER, allowFail: true });
    const fdb = (JSON.parse(fdbOut.stdout || "[]") as { mac: string; dst?: string; state?: string }[])
      .filter((f) => f.dst && f.state === "permanent" && f.mac !== "00:00:00:00:00:00")
      .map((f) => ({ mac: f.mac, dst: f.dst! }));
    return { routes, vxlan: device, neighbours, fdb };
  }
}
