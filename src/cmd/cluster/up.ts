/**
 * `nodelet cluster up`: checks everything it can before touching the host (root, the tools, the root directory not
 * in use, the options), writes the plan as DIR/cluster.json, then builds: the link, each node's namespaces, the etcd
 * members (healthy), the control-plane replicas (one PKI; behind the balancer when several; ready), a bootstrap token
 * (`nodelet token create`, 15 min), and the node agents, which join with it — handed over in a bootstrap kubeconfig
 * file, never on a command line — the real join path (CSR approved, the node's own certificate). Once every Node is
 * Ready the token is deleted (a restarted agent uses its certificate). A failure after the plan was written removes
 * what was made (cluster down) before it is reported.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { renderBootstrapKubeconfig } from "../../auth/bootstrap-kubeconfig.js";
import { parseCidr } from "../../api/cidr.js";
import type { Runner } from "../../sys/runner.js";
import { writeJsonState } from "../../sys/json-state.js";
import { etcdHealthy, nodeReadiness } from "./api.js";
import { createLink, createNodeNamespaces, createNsDir } from "./host.js";
import { clusterDown } from "./down.js";
import { manifestFile, planCluster, replicasOf, serverOf, type ClusterManifest, type ClusterOptions, type ControlPlaneProcess } from "./plan.js";
import { ensureCA } from "../../auth/pki.js";
import { loadOrCreateSigningKey } from "../../auth/signing-key.js";
import { loadOrCreateToken } from "../../apiserver/auth.js";
import { parseControlPlaneConfig } from "../role-config.js";
import { logHas, startDetached, waitReady } from "./processes.js";

export interface UpOptions extends Omit<ClusterOptions, "linkCIDR" | "etcdPorts"> {
  /** undefined: the first 10.X.0.0/24 (X from 250 down) no route of this host touches. */
  linkCIDR?: string;
  /** How long each stage may take (etcd, control plane, nodes Ready). */
  timeoutMs?: number;
}

export class ClusterInputError extends Error {}

/** The executable `name` on PATH, or undefined. */
export function onPath(name: string, path = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"): string | undefined {
  for (const dir of path.split(delimiter)) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Second octets X with a route to 10.X.* in this namespace. */
function routedOctets(): Set<number> {
  const used = new Set<number>();
  for (const line of readFileSync("/proc/net/route", "utf8").split("\n").slice(1)) {
    const n = parseInt(line.split("\t")[1] ?? "", 16);
    if (!Number.isNaN(n) && (n & 0xff) === 10) used.add((n >> 8) & 0xff);
  }
  return used;
}

function freeLinkCIDR(): string {
  const used = routedOctets();
  for (let x = 250; x >= 200; x--) if (!used.has(x)) return `10.${x}.0.0/24`;
  throw new ClusterInputError("--link-cidr: no free 10.X.0.0/24 for the cluster's link (X from 200 to 250 all routed here): give one");
}

/** `count` distinct free loopback ports (each bound to port 0 and released). */
async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<import("node:net").Server>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a)!;
  const y = parseCidr(b)!;
  const p = Math.min(x.prefix, y.prefix);
  const mask = p === 0 ? 0 : (~0 << (32 - p)) >>> 0;
  return ((x.base & mask) >>> 0) === ((y.base & mask) >>> 0);
}

/** Every check that needs no change to the host; throws ClusterInputError naming the flag or the tool. */
export async function preflight(o: UpOptions): Promise<ClusterManifest> {
  if (process.getuid?.() !== 0) throw new ClusterInputError("nodelet cluster up must run as root: it creates namespaces, links, cgroups and mounts");
  for (const tool of ["etcd", "ip", "nsenter", "unshare", "mount", "umount"]) {
    if (!onPath(tool)) throw new ClusterInputError(`${tool}: not found on PATH${tool === "etcd" ? " (install Debian's etcd-server: apt-get install etcd-server)" : ""}`);
  }
  if (existsSync(manifestFile(o.root))) throw new ClusterInputError(`--root: ${o.root} is in use by a cluster (${manifestFile(o.root)}): run nodelet cluster down --root ${o.root} first`);
  if (existsSync(o.root) && readdirSync(o.root).length > 0) throw new ClusterInputError(`--root: ${o.root} is not empty: give an empty or new directory`);
  const linkCIDR = o.linkCIDR ?? freeLinkCIDR();
  const etcdPorts = await freeLoopbackPorts(2 * o.etcdMembers);
  let plan: ClusterManifest;
  try {
    plan = planCluster({ ...o, linkCIDR, etcdPorts }, new Date());
  } catch (err) {
    throw new ClusterInputError((err as Error).message);
  }
  try {
    // What the replicas will make of their flags (--control-plane-arg's among them), before anything is made.
    parseControlPlaneConfig(plan.controlPlane.command.slice(3));
  } catch (err) {
    throw new ClusterInputError(`--control-plane-arg: ${(err as Error).message}`);
  }
  for (const [f, v] of [["--cluster-cidr", o.clusterCIDR], ["--service-cidr", o.serviceCIDR]] as const) {
    if (overlaps(plan.link.cidr, v)) throw new ClusterInputError(`--link-cidr: ${plan.link.cidr} overlaps ${f} ${v}`);
  }
  if (overlaps(o.clusterCIDR, o.serviceCIDR)) throw new ClusterInputError(`--service-cidr: ${o.serviceCIDR} overlaps --cluster-cidr ${o.clusterCIDR}`);
  if (routedOctets().has(Number(plan.link.cidr.split(".")[1])) && o.linkCIDR === undefined) throw new ClusterInputError(`--link-cidr: ${plan.link.cidr} is routed here already`);
  if (existsSync(join("/sys/class/net", plan.link.bridge))) throw new ClusterInputError(`link ${plan.link.bridge} exists already: another cluster on a root with this tag? run nodelet cluster down --root ${o.root}`);
  return plan;
}

/** Builds the cluster of `plan` (from preflight); on failure removes it again, then throws. */
export async function clusterUp(runner: Runner, plan: ClusterManifest, log: (m: string) => void, timeoutMs = 180_000): Promise<ClusterManifest> {
  mkdirSync(plan.root, { recursive: true, mode: 0o700 });
  writeJsonState(manifestFile(plan.root), plan, { mode: 0o600, pretty: true });
  try {
    await build(runner, plan, log, timeoutMs);
  } catch (err) {
    log(`cluster up failed: ${(err as Error).message}`);
    log("removing what was made");
    await clusterDown(runner, plan, log).catch((e: Error) => log(`cluster down: ${e.message}`));
    throw err;
  }
  const up = { ...plan, state: "up" as const };
  writeJsonState(manifestFile(plan.root), up, { mode: 0o600, pretty: true });
  return up;
}

async function build(runner: Runner, m: ClusterManifest, log: (m: string) => void, timeoutMs: number): Promise<void> {
  log(`link ${m.link.bridge} ${m.link.address}/${m.link.prefix}`);
  await createLink(runner, m);
  await createNsDir(runner, m);
  for (const n of m.nodes) {
    log(`node ${n.name}: network namespace ${n.netns} (${n.address}), mount namespace ${n.mountNs}`);
    await createNodeNamespaces(runner, m, n);
  }
  for (const e of m.etcd) {
    mkdirSync(e.dataDir, { recursive: true, mode: 0o700 });
    startDetached(runner, e);
  }
  for (const e of m.etcd) await waitReady(e, () => etcdHealthy(e.clientURL), "healthy", timeoutMs);
  log(`etcd: ${m.etcd.length} member(s) healthy`);
  const replicas = replicasOf(m);
  if (replicas.length > 1) await sharePki(runner, replicas);
  if (m.lb) {
    startDetached(runner, m.lb);
    await waitReady(m.lb, () => logHas(m.lb!, /nodelet cluster lb ready/), "ready", timeoutMs);
  }
  for (const cp of replicas) startDetached(runner, cp);
  for (const cp of replicas) await waitReady(cp, () => logHas(cp, /nodelet control-plane ready/), "ready", timeoutMs);
  await waitReady(m.controlPlane, () => existsSync(m.kubeconfig), `writing ${m.kubeconfig}`, timeoutMs);
  log(`control plane: ${serverOf(m)}${m.lb ? ` (a balancer before ${replicas.map((r) => r.server).join(", ")})` : ""}`);

  const cli = m.controlPlane.command.slice(0, 2);
  const socket = ["--socket", join(m.controlPlane.root, "nodelet.sock")];
  const created = await runner.run([...cli, "token", "create", ...socket, "--ttl", "15m", "--description", `nodelet cluster up ${m.root}`]);
  const token = created.stdout.trim();
  const bootstrap = renderBootstrapKubeconfig(serverOf(m), readFileSync(join(m.controlPlane.root, "pki", "ca.crt"), "utf8"), token);
  try {
    for (const n of m.nodes) {
      // The token goes to each agent in a file only it (root) may read; the agent removes it once it has its certificate.
      mkdirSync(n.root, { recursive: true, mode: 0o700 });
      writeFileSync(n.bootstrapKubeconfig, bootstrap, { mode: 0o600, flag: "wx" });
      startDetached(runner, n);
    }
    for (const n of m.nodes) await waitReady(n, () => logHas(n, /nodelet node ready/), "ready", timeoutMs);
    const want = new Set(m.nodes.map((n) => n.name));
    await waitReady(m.nodes[0], async () => {
      const ready = await nodeReadiness(m.kubeconfig);
      return !!ready && [...want].every((name) => ready.get(name) === "True");
    }, "every Node Ready", timeoutMs);
  } finally {
    await runner.run([...cli, "token", "delete", ...socket, token.split(".")[0]], { allowFail: true });
    for (const n of m.nodes) rmSync(n.bootstrapKubeconfig, { force: true });
  }
  log(`nodes: ${m.nodes.map((n) => n.name).join(", ")} Ready`);
}

/**
 * One CA, ServiceAccount signing key and admin token for every replica, as `kubeadm init` makes them once and
 * `kubeadm join --control-plane` copies them: made in the first replica's root, copied (0600 in 0700 directories) to
 * the others' before any starts. Each replica issues its own serving and kubelet-client certificates from the CA.
 */
async function sharePki(runner: Runner, replicas: ControlPlaneProcess[]): Promise<void> {
  const first = replicas[0];
  const pki = join(first.root, "pki");
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  await ensureCA(pki, runner);
  loadOrCreateSigningKey(join(pki, "sa.key"));
  await loadOrCreateToken(join(first.root, "token"));
  for (const r of replicas.slice(1)) {
    mkdirSync(join(r.root, "pki"), { recursive: true, mode: 0o700 });
    for (const f of ["pki/ca.crt", "pki/ca.key", "pki/sa.key", "token"]) copyFileSync(join(first.root, f), join(r.root, f), constants.COPYFILE_EXCL);
  }
}
