/**
 * The host objects of a cluster on one machine, made and removed through the Runner (so `-v` shows each command):
 * the link (a bridge in the host's namespace holding the control plane's address, or the balancer's and each
 * replica's), and per node a network
 * namespace joined to the link by a veth pair and a mount namespace (kept in a file under the manifest's nsDir)
 * whose /sys is a sysfs of that network namespace with the host's cgroup hierarchies moved back under it.
 *
 * Every remove is idempotent: it is also what `cluster down` runs after `up` crashed half-way, where any object
 * may or may not exist.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Runner } from "../../sys/runner.js";
import { replicasOf, type ClusterManifest, type ClusterNode } from "./plan.js";

const OWNER = undefined;

async function ok(runner: Runner, argv: string[]): Promise<void> {
  await runner.run(argv, { owner: OWNER });
}

/** Runs argv, ignoring a failure (a remove of something absent). Returns whether it succeeded. */
async function tryRun(runner: Runner, argv: string[]): Promise<boolean> {
  return (await runner.run(argv, { owner: OWNER, allowFail: true })).code === 0;
}

/** Whether `path` is a mount point in this mount namespace. */
export function isMountPoint(path: string): boolean {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((l) => l.split(" ")[4] === path.replace(/ /g, "\\040"));
}

/**
 * The link: a bridge with the control plane's address, up. Its netfilter hooks are off (nf_call_iptables 0): the
 * host's own firewall (a FORWARD policy of DROP, say) must not judge traffic between the cluster's nodes.
 */
export async function createLink(runner: Runner, m: ClusterManifest): Promise<void> {
  const b = m.link.bridge;
  await ok(runner, ["ip", "link", "add", b, "type", "bridge"]);
  await tryRun(runner, ["ip", "link", "set", b, "type", "bridge", "nf_call_iptables", "0", "nf_call_ip6tables", "0", "nf_call_arptables", "0"]);
  await ok(runner, ["ip", "addr", "add", `${m.link.address}/${m.link.prefix}`, "dev", b]);
  // Several control-plane replicas each listen on an address of their own (the balancer holds the first).
  for (const cp of replicasOf(m)) if (cp.address && cp.address !== m.link.address) await ok(runner, ["ip", "addr", "add", `${cp.address}/${m.link.prefix}`, "dev", b]);
  await ok(runner, ["ip", "link", "set", b, "up"]);
}

export async function removeLink(runner: Runner, m: ClusterManifest): Promise<void> {
  await tryRun(runner, ["ip", "link", "del", m.link.bridge]);
}

/** The directory of mount-namespace files: bound on itself and private, as the kernel requires of an nsfs bind. */
export async function createNsDir(runner: Runner, m: ClusterManifest): Promise<void> {
  await runner.mkdir(m.nsDir, OWNER, 0o700);
  if (!isMountPoint(m.nsDir)) await ok(runner, ["mount", "--bind", m.nsDir, m.nsDir]);
  await ok(runner, ["mount", "--make-private", m.nsDir]);
}

export async function removeNsDir(runner: Runner, m: ClusterManifest): Promise<void> {
  if (isMountPoint(m.nsDir)) await tryRun(runner, ["umount", m.nsDir]);
}

/**
 * Node `n`'s namespaces: its network namespace with eth0 (its address on the link) and lo up, the host end of the
 * veth on the bridge; its mount namespace, private, with /sys showing its network namespace.
 */
export async function createNodeNamespaces(runner: Runner, m: ClusterManifest, n: ClusterNode): Promise<void> {
  await ok(runner, ["ip", "netns", "add", n.netns]);
  await ok(runner, ["ip", "link", "add", n.veth, "type", "veth", "peer", "name", "eth0", "netns", n.netns]);
  await ok(runner, ["ip", "link", "set", n.veth, "master", m.link.bridge, "up"]);
  await ok(runner, ["ip", "-n", n.netns, "addr", "add", `${n.address}/${m.link.prefix}`, "dev", "eth0"]);
  await ok(runner, ["ip", "-n", n.netns, "link", "set", "eth0", "up"]);
  await ok(runner, ["ip", "-n", n.netns, "link", "set", "lo", "up"]);
  await runner.writeFile(n.mountNs, "", OWNER, 0o600);
  await ok(runner, ["unshare", `--mount=${n.mountNs}`, "--propagation", "private", "true"]);
  const inMount = ["nsenter", `--mount=${n.mountNs}`, "--"];
  // Its copy of the namespace-file directory would hold the earlier nodes' namespaces alive as long as it lives.
  await ok(runner, [...inMount, "umount", "--lazy", m.nsDir]);
  // sysfs shows the network namespace of whoever mounts it; mounting it over /sys hides the cgroup hierarchies
  // below, so they are bound aside first and moved back on top.
  const aside = join(m.root, "nodes", `${n.name}.cgroup`);
  await runner.mkdir(aside, OWNER, 0o700);
  await ok(runner, [...inMount, "mount", "--rbind", "/sys/fs/cgroup", aside]);
  await ok(runner, [...n.enter, "mount", "-t", "sysfs", "sysfs", "/sys"]);
  await ok(runner, [...inMount, "mount", "--move", aside, "/sys/fs/cgroup"]);
  await runner.rmdir(aside, OWNER);
}

/** Removes node `n`'s namespaces (its veth goes with its network namespace). */
export async function removeNodeNamespaces(runner: Runner, n: ClusterNode): Promise<void> {
  if (isMountPoint(n.mountNs)) await tryRun(runner, ["umount", n.mountNs]);
  if (existsSync(join("/run/netns", n.netns))) await tryRun(runner, ["ip", "netns", "del", n.netns]);
  await tryRun(runner, ["ip", "link", "del", n.veth]);
}

/** Whether node `n`'s mount namespace file is live (a bind of nsfs): commands can enter it. */
export function nodeNamespacesLive(n: ClusterNode): boolean {
  return isMountPoint(n.mountNs) && existsSync(join("/run/netns", n.netns));
}
