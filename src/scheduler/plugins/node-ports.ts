/** NodePorts (plugins/nodeports): the pod's host ports must be free on the node. */
import type { Pod } from "../../api/types.js";
import type { Plugin } from "../types.js";

export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

interface HostPort {
  hostIP: string;
  protocol: string;
  hostPort: number;
}

/** The host ports a pod's containers ask for (an unset hostIP is the wildcard, an unset protocol TCP). */
export function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push({ hostPort: p.hostPort, hostIP: p.hostIP || "0.0.0.0", protocol: p.protocol || "TCP" });
    }
  }
  return out;
}

/** HostPortInfo.CheckConflict: same port and protocol, and the same address or either one the wildcard. */
function conflicts(a: HostPort, b: HostPort): boolean {
  return a.hostPort === b.hostPort && a.protocol === b.protocol && (a.hostIP === b.hostIP || a.hostIP === "0.0.0.0" || b.hostIP === "0.0.0.0");
}

export const nodePorts: Plugin = {
  name: "NodePorts",
  preFilter: ({ pod }) => (hostPorts(pod).length === 0 ? "skip" : undefined),
  filter: ({ pod }, { pods }) => {
    const wanted = hostPorts(pod);
    const used = pods.flatMap(hostPorts);
    return wanted.some((w) => used.some((u) => conflicts(w, u))) ? { plugin: "NodePorts", code: "Unschedulable", reasons: [ERR_REASON_NODE_PORTS] } : undefined;
  },
};
