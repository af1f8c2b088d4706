/**
 * `nodelet cluster status`: each etcd member, the control plane and each node, with its process and its health —
 * an etcd member's /health, the API's /readyz, a Node's Ready condition — as a table or as JSON (ClusterStatus).
 */
import type { ClusterManifest } from "./plan.js";
import { apiGetText, etcdHealthy, nodeReadiness } from "./api.js";
import { runningProcess } from "./processes.js";

/** The JSON of `cluster status -o json` (documented in the README; a contract). */
export interface ClusterStatus {
  root: string;
  /** "up" once `cluster up` finished; "planned" while it runs or after it stopped half-way. */
  state: "planned" | "up";
  kubeconfig: string;
  server: string;
  link: { bridge: string; cidr: string };
  etcd: { name: string; pid: number | null; clientURL: string; healthy: boolean }[];
  controlPlane: { pid: number | null; server: string; healthy: boolean };
  /** ready: the Node's Ready condition ("True", "False", "Unknown"), null when the API does not know the Node. */
  nodes: { name: string; pid: number | null; address: string; netns: string; root: string; ready: string | null }[];
  /** Every process running and every part healthy. */
  healthy: boolean;
}

export async function clusterStatus(m: ClusterManifest): Promise<ClusterStatus> {
  const etcd = await Promise.all(m.etcd.map(async (e) => ({ name: e.name, pid: runningProcess(e)?.pid ?? null, clientURL: e.clientURL, healthy: await etcdHealthy(e.clientURL) })));
  const cpPid = runningProcess(m.controlPlane)?.pid ?? null;
  const readyz = cpPid === null ? undefined : await apiGetText(m.kubeconfig, "/readyz");
  const readiness = cpPid === null ? undefined : await nodeReadiness(m.kubeconfig);
  const nodes = m.nodes.map((n) => ({ name: n.name, pid: runningProcess(n)?.pid ?? null, address: n.address, netns: n.netns, root: n.root, ready: readiness?.get(n.name) ?? null }));
  const controlPlane = { pid: cpPid, server: m.controlPlane.server, healthy: readyz !== undefined };
  const healthy = etcd.every((e) => e.pid !== null && e.healthy) && controlPlane.pid !== null && controlPlane.healthy && nodes.every((n) => n.pid !== null && n.ready === "True");
  return { root: m.root, state: m.state, kubeconfig: m.kubeconfig, server: m.controlPlane.server, link: { bridge: m.link.bridge, cidr: m.link.cidr }, etcd, controlPlane, nodes, healthy };
}

/** The table: one row per part, kubectl-style columns. */
export function formatStatus(s: ClusterStatus): string {
  const rows = [["ROLE", "NAME", "PID", "ADDRESS", "STATUS"]];
  const pid = (p: number | null) => (p === null ? "-" : String(p));
  for (const e of s.etcd) rows.push(["etcd", e.name, pid(e.pid), e.clientURL, e.pid === null ? "NotRunning" : e.healthy ? "Healthy" : "Unhealthy"]);
  rows.push(["control-plane", "control-plane", pid(s.controlPlane.pid), s.controlPlane.server, s.controlPlane.pid === null ? "NotRunning" : s.controlPlane.healthy ? "Healthy" : "Unhealthy"]);
  for (const n of s.nodes) rows.push(["node", n.name, pid(n.pid), n.address, n.pid === null ? "NotRunning" : n.ready === "True" ? "Ready" : n.ready === null ? "NotRegistered" : "NotReady"]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join("")).join("\n");
  return `cluster ${s.root} (${s.state}), kubeconfig ${s.kubeconfig}\n${table}\n`;
}
