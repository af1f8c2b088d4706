/**
 * `nodelet cluster down`: removes everything the manifest names, whatever state `up` left it in, and is a no-op for
 * what is already gone: per node the agent (SIGTERM), its pods and host objects (`nodelet reset` inside the node's
 * namespaces), any process still in its network namespace, then the control-plane replicas (and their balancer) and
 * the etcd members; the node namespaces (their veths with them), the link, the cgroups, the namespace-file mount,
 * and the files under DIR (etcd's data, the roots, logs, pid files, the kubeconfig), the manifest last.
 */
import { existsSync, readFileSync, rmSync, rmdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Runner } from "../../sys/runner.js";
import { parseCgroupMounts } from "../../sys/cgroups/detect.js";
import { removeCgroupDirs } from "../../sys/cgroups/files.js";
import { isMountPoint, nodeNamespacesLive, removeLink, removeNodeNamespaces, removeNsDir } from "./host.js";
import { manifestFile, replicasOf, type ClusterManifest, type ClusterNode } from "./plan.js";
import { processesRunning, stopProcess } from "./processes.js";

const AGENT_GRACE_MS = 20_000;
const CONTROL_PLANE_GRACE_MS = 15_000;
const ETCD_GRACE_MS = 10_000;

/** Pids in node `n`'s network namespace (`ip netns pids`); empty when it is gone. */
async function pidsInNetns(runner: Runner, n: ClusterNode): Promise<number[]> {
  if (!existsSync(join("/run/netns", n.netns))) return [];
  const r = await runner.run(["ip", "netns", "pids", n.netns], { allowFail: true });
  return r.stdout.split("\n").filter(Boolean).map(Number).filter((p) => Number.isInteger(p) && p > 1);
}

async function removeNode(runner: Runner, m: ClusterManifest, n: ClusterNode, log: (m: string) => void): Promise<void> {
  await stopProcess(runner, n, AGENT_GRACE_MS);
  if (nodeNamespacesLive(n) && existsSync(n.root)) {
    // The node's own reset, where its pods' mounts and network live: pods, bridge, rules, its cgroup parent.
    const cli = m.controlPlane.command.slice(0, 2);
    const r = await runner.run([...n.enter, ...cli, "reset", "--root", n.root, "--cgroup-parent", n.cgroupParent, "--cluster-cidr", m.clusterCIDR, "--service-cidr", m.serviceCIDR], { allowFail: true, timeoutMs: 120_000 });
    if (r.code !== 0) log(`${n.name}: nodelet reset: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`);
  }
  // Whatever still runs in its network namespace (a pod reset could not stop) is the cluster's: it goes too.
  const left = await pidsInNetns(runner, n);
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
      runner.note(undefined, { kind: "exec", argv: ["kill", "-KILL", String(pid)], at: new Date().toISOString(), ms: 0, exitCode: 0 });
    } catch {
      /* gone already */
    }
  }
  if (left.length) log(`${n.name}: killed ${left.length} leftover process(es) in ${n.netns}`);
  await removeNodeNamespaces(runner, n);
}

/**
 * Processes of the plan that no pid file names (up killed between starting one and recording it): found by their
 * planned argv (a node's without the nsenter in front, which exec'd it), and killed.
 */
async function killStrays(runner: Runner, m: ClusterManifest, log: (m: string) => void): Promise<void> {
  const commands = [...m.etcd.map((e) => e.command), ...replicasOf(m).map((c) => c.command), ...(m.lb ? [m.lb.command] : []), ...m.nodes.flatMap((n) => [n.command.slice(n.enter.length), n.restartCommand.slice(n.enter.length)])];
  const strays = processesRunning(commands);
  for (const pid of strays) {
    try {
      process.kill(pid, "SIGKILL");
      runner.note(undefined, { kind: "exec", argv: ["kill", "-KILL", String(pid)], at: new Date().toISOString(), ms: 0, exitCode: 0 });
    } catch {
      /* gone already */
    }
  }
  if (strays.length) log(`killed ${strays.length} process(es) of the cluster that no pid file named`);
}

/** The cluster's cgroup tree in every mounted hierarchy (v1 controllers and the v2 tree). */
async function removeCgroups(runner: Runner, m: ClusterManifest, log: (m: string) => void): Promise<void> {
  const mounts = parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8"));
  const dirs = [...new Set(mounts.map((c) => join(c.mountPoint, m.cgroupRoot)))].filter((d) => existsSync(d));
  await removeCgroupDirs(dirs, runner).catch((err: Error) => log(`cgroups: ${err.message}`));
}

export async function clusterDown(runner: Runner, m: ClusterManifest, log: (m: string) => void): Promise<void> {
  // Nodes first (their agents still reach the API while they stop), each on its own; then the control plane, then etcd.
  await Promise.all(m.nodes.map((n) => removeNode(runner, m, n, log)));
  await Promise.all(replicasOf(m).map((c) => stopProcess(runner, c, CONTROL_PLANE_GRACE_MS)));
  if (m.lb) await stopProcess(runner, m.lb, CONTROL_PLANE_GRACE_MS);
  await Promise.all(m.etcd.map((e) => stopProcess(runner, e, ETCD_GRACE_MS)));
  await killStrays(runner, m, log);
  await removeNsDir(runner, m);
  await removeLink(runner, m);
  await removeCgroups(runner, m, log);
  for (const p of [join(m.root, "etcd"), join(m.root, "nodes"), ...replicasOf(m).map((c) => c.root), join(m.root, "run"), join(m.root, "logs"), m.kubeconfig]) rmSync(p, { recursive: true, force: true });
  if (!isMountPoint(m.nsDir)) rmSync(m.nsDir, { recursive: true, force: true });
  rmSync(manifestFile(m.root), { force: true });
  try {
    if (readdirSync(m.root).length === 0) rmdirSync(m.root);
  } catch {
    /* gone, or not ours to remove */
  }
}
