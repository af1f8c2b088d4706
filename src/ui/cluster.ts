/**
 * The cluster as the web view draws it once the API has more than one Node, computed purely: each Node as a box with
 * its pod CIDR, InternalIP and readiness, holding the pods bound to it (coloured like the topology's); and the links
 * this node programmed to reach the others' pods (network/cross-node-plan.ts: a route via the peer's InternalIP on
 * a shared link, or the VXLAN device), with the nodes it left out and why.
 */
import type { Node, Pod } from "../api/types.js";
import { podId, podState, type PodState } from "./topology.js";

export interface ClusterPod {
  id: string;
  namespace: string;
  name: string;
  ip?: string;
  state: PodState;
}

export interface ClusterNode {
  name: string;
  podCIDR?: string;
  internalIP?: string;
  ready: "True" | "False" | "Unknown";
  /** The node this daemon is. */
  self: boolean;
  pods: ClusterPod[];
}

export interface ClusterLink {
  from: string;
  to: string;
  kind: "route" | "vxlan";
  /** `10.244.1.0/24 via 192.168.1.12 dev eth0` */
  label: string;
}

export interface ClusterView {
  self: string;
  nodes: ClusterNode[];
  links: ClusterLink[];
  /** Nodes this node programs no route to, with why (no pod CIDR yet, no InternalIP, an overlapping CIDR). */
  skipped: { name: string; why: string }[];
  /** Pods bound to no Node yet (pending scheduling). */
  unscheduled: number;
}

/** What this node programmed for its peers (CrossNodeRoutes.last), in the planner's terms. */
export interface ProgrammedRoutes {
  routes: { dst: string; gateway: string; dev: string; onlink: boolean }[];
  vxlan?: { name: string };
  skipped: { name: string; why: string }[];
}

export function buildClusterView(self: string, nodes: Node[], pods: Pod[], programmed: ProgrammedRoutes | undefined): ClusterView {
  const byNode = new Map<string, ClusterPod[]>();
  let unscheduled = 0;
  for (const p of pods) {
    const on = p.spec.nodeName;
    if (!on) {
      unscheduled++;
      continue;
    }
    const ns = p.metadata.namespace ?? "default";
    const name = p.metadata.name ?? "";
    const list = byNode.get(on) ?? [];
    list.push({ id: podId(ns, name), namespace: ns, name, ip: p.status?.podIP, state: podState(p) });
    byNode.set(on, list);
  }
  const boxes = [...nodes].sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1)).map((n): ClusterNode => {
    const name = n.metadata.name ?? "";
    const ready = n.status?.conditions?.find((c) => c.type === "Ready")?.status;
    return {
      name,
      podCIDR: n.spec?.podCIDRs?.[0] ?? n.spec?.podCIDR,
      internalIP: n.status?.addresses?.find((a) => a.type === "InternalIP")?.address,
      ready: ready === "True" || ready === "False" ? ready : "Unknown",
      self: name === self,
      pods: (byNode.get(name) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1)),
    };
  });
  const byCIDR = new Map(boxes.filter((b) => b.podCIDR).map((b) => [b.podCIDR!, b.name]));
  const links: ClusterLink[] = [];
  for (const r of programmed?.routes ?? []) {
    const to = byCIDR.get(r.dst);
    if (!to || to === self) continue;
    const kind = programmed?.vxlan && r.dev === programmed.vxlan.name ? "vxlan" : "route";
    links.push({ from: self, to, kind, label: `${kind === "vxlan" ? "VXLAN " : ""}${r.dst} via ${r.gateway} dev ${r.dev}${r.onlink ? " onlink" : ""}` });
  }
  return { self, nodes: boxes, links, skipped: programmed?.skipped ?? [], unscheduled };
}
