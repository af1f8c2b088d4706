/**
 * `nodelet cluster status`: each etcd member, the API's load balancer (with several replicas), each control-plane
 * replica and each node, with its process and its health — an etcd member's /health, the API's /readyz through the
 * balancer and on each replica, the Leases each replica leads (its leader_election_master_status), a Node's Ready
 * condition — as a table or as JSON (ClusterStatus).
 */
import { replicasOf, serverOf, type ClusterManifest } from "./plan.js";
import { apiGetText, etcdHealthy, nodeReadiness } from "./api.js";
import { runningProcess } from "./processes.js";
import { leasesLed } from "../../metrics/leader-election.js";
import { ELECTED_LEASES } from "../../controllers/leader/leases.js";

export interface ReplicaStatus {
  name: string;
  pid: number | null;
  server: string;
  healthy: boolean;
  /** The Leases this replica leads (kube-controller-manager, kube-scheduler); empty for a standby. */
  leads: string[];
}

/** The JSON of `cluster status -o json` (documented in the README; a contract). */
export interface ClusterStatus {
  root: string;
  /** "up" once `cluster up` finished; "planned" while it runs or after it stopped half-way. */
  state: "planned" | "up";
  kubeconfig: string;
  /** Where kubectl and the nodes reach the API (the balancer with several replicas). */
  server: string;
  link: { bridge: string; cidr: string };
  etcd: { name: string; pid: number | null; clientURL: string; healthy: boolean }[];
  /** The first replica (kept from before --control-planes; `controlPlanes` has them all). */
  controlPlane: { pid: number | null; server: string; healthy: boolean };
  controlPlanes: ReplicaStatus[];
  /** The balancer before several replicas (healthy: the API answers through it); null with one replica. */
  lb: { pid: number | null; server: string; healthy: boolean } | null;
  /** Each elected Lease's leader by replica name; null when no running replica leads it. */
  leaders: Record<string, string | null>;
  /** ready: the Node's Ready condition ("True", "False", "Unknown"), null when the API does not know the Node. */
  nodes: { name: string; pid: number | null; address: string; netns: string; root: string; ready: string | null }[];
  /** Every process running, every part healthy, every Lease led. */
  healthy: boolean;
}

export async function clusterStatus(m: ClusterManifest): Promise<ClusterStatus> {
  const etcd = await Promise.all(m.etcd.map(async (e) => ({ name: e.name, pid: runningProcess(e)?.pid ?? null, clientURL: e.clientURL, healthy: await etcdHealthy(e.clientURL) })));
  const controlPlanes = await Promise.all(
    replicasOf(m).map(async (c): Promise<ReplicaStatus> => {
      const pid = runningProcess(c)?.pid ?? null;
      // Asked on the replica's own listener (its certificate names it), not through the balancer.
      const [readyz, metrics] = pid === null ? [undefined, undefined] : await Promise.all([apiGetText(m.kubeconfig, "/readyz", 5000, c.server), apiGetText(m.kubeconfig, "/metrics", 5000, c.server)]);
      return { name: c.name, pid, server: c.server, healthy: readyz !== undefined, leads: metrics === undefined ? [] : leasesLed(metrics) };
    }),
  );
  const lbPid = m.lb ? (runningProcess(m.lb)?.pid ?? null) : null;
  const lb = m.lb ? { pid: lbPid, server: m.lb.server, healthy: lbPid !== null && (await apiGetText(m.kubeconfig, "/readyz")) !== undefined } : null;
  const apiUp = controlPlanes.some((c) => c.healthy) && (lb === null || lb.healthy);
  const readiness = apiUp ? await nodeReadiness(m.kubeconfig) : undefined;
  const nodes = m.nodes.map((n) => ({ name: n.name, pid: runningProcess(n)?.pid ?? null, address: n.address, netns: n.netns, root: n.root, ready: readiness?.get(n.name) ?? null }));
  const leaders = Object.fromEntries(ELECTED_LEASES.map((l) => [l, controlPlanes.find((c) => c.leads.includes(l))?.name ?? null]));
  const first = controlPlanes[0];
  const healthy =
    etcd.every((e) => e.pid !== null && e.healthy) &&
    controlPlanes.every((c) => c.pid !== null && c.healthy) &&
    (lb === null || lb.healthy) &&
    Object.values(leaders).every((l) => l !== null) &&
    nodes.every((n) => n.pid !== null && n.ready === "True");
  return {
    root: m.root,
    state: m.state,
    kubeconfig: m.kubeconfig,
    server: serverOf(m),
    link: { bridge: m.link.bridge, cidr: m.link.cidr },
    etcd,
    controlPlane: { pid: first.pid, server: first.server, healthy: first.healthy },
    controlPlanes,
    lb,
    leaders,
    nodes,
    healthy,
  };
}

/** A replica's state in the table: Healthy (and leader, standby, or the Leases it leads when not all), or why not. */
function replicaState(c: ReplicaStatus): string {
  if (c.pid === null) return "NotRunning";
  if (!c.healthy) return "Unhealthy";
  if (c.leads.length === 0) return "Healthy,Standby";
  return ELECTED_LEASES.every((l) => c.leads.includes(l)) ? "Healthy,Leader" : `Healthy,Leader:${c.leads.join("+")}`;
}

/** The table: one row per part, kubectl-style columns. */
export function formatStatus(s: ClusterStatus): string {
  const rows = [["ROLE", "NAME", "PID", "ADDRESS", "STATUS"]];
  const pid = (p: number | null) => (p === null ? "-" : String(p));
  for (const e of s.etcd) rows.push(["etcd", e.name, pid(e.pid), e.clientURL, e.pid === null ? "NotRunning" : e.healthy ? "Healthy" : "Unhealthy"]);
  if (s.lb) rows.push(["load-balancer", "api-lb", pid(s.lb.pid), s.lb.server, s.lb.pid === null ? "NotRunning" : s.lb.healthy ? "Healthy" : "Unhealthy"]);
  for (const c of s.controlPlanes) rows.push(["control-plane", c.name, pid(c.pid), c.server, replicaState(c)]);
  for (const n of s.nodes) rows.push(["node", n.name, pid(n.pid), n.address, n.pid === null ? "NotRunning" : n.ready === "True" ? "Ready" : n.ready === null ? "NotRegistered" : "NotReady"]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join("")).join("\n");
  return `cluster ${s.root} (${s.state}), kubeconfig ${s.kubeconfig}\n${table}\n`;
}
