/**
 * `nodelet cluster up`'s plan, as data: every name, address, port, directory, cgroup and command of a cluster on
 * this host, made from the options alone (no I/O) before anything is created. The plan is the cluster's manifest
 * (DIR/cluster.json): written first, so `cluster down` removes what it names whether `up` finished or crashed
 * half-way, and removing something that was never made is not an error.
 *
 * Shape (kind's and k3d's, without containers): etcd members and the control plane run in the host's network
 * namespace (etcd on loopback, the API on the cluster link's first address — or, with several replicas, each on the
 * next addresses behind `nodelet cluster lb` on the first); each node is a `nodelet node` in a
 * network namespace of its own, joined to the link — a bridge the cluster owns — by a veth pair, and in a mount
 * namespace of its own whose /sys shows that network namespace (the agent reads its bridge's ports there), with its
 * own root and cgroup parent. The node namespaces have no default route: traffic stays on the cluster's link.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { formatIPv4, parseCidr } from "../../api/cidr.js";

export const DEFAULT_CLUSTER_ROOT = "/var/lib/nodelet-cluster";
export const MAX_NODES = 64;
export const MAX_ETCD_MEMBERS = 7;
export const MAX_CONTROL_PLANES = 7;
/** The API server's port on the link's first address (kube-apiserver's secure port). */
export const API_PORT = 6443;
export const MANIFEST_VERSION = 1;

export interface ClusterOptions {
  root: string;
  nodes: number;
  etcdMembers: number;
  /** Control-plane replicas on the one etcd; with more than one, a load balancer on the link's first address fronts them. */
  controlPlanes: number;
  /** Flags every replica gets (`NAME=VALUE` or `NAME`, k3s's --kube-*-arg form), after the planned ones. */
  controlPlaneArgs: string[];
  /** The link's subnet, a /16 to /28 (IPv4): the control plane holds its first address, node i the (10+i)th. */
  linkCIDR: string;
  clusterCIDR: string;
  serviceCIDR: string;
  /** Loopback ports, two per etcd member (client, peer), in member order. */
  etcdPorts: number[];
  /** The nodelet entry point and the Node.js binary that runs it. */
  nodelet: { node: string; script: string };
}

/** A detached process of the cluster: its pid file, its log, and the command that (re)starts it. */
export interface ClusterProcess {
  name: string;
  pidFile: string;
  logFile: string;
  command: string[];
}

export interface EtcdMember extends ClusterProcess {
  dataDir: string;
  clientURL: string;
  peerURL: string;
}

export interface ControlPlaneProcess extends ClusterProcess {
  root: string;
  /** This replica's own listener (the balancer's backend when there are several). */
  server: string;
  /** Its address on the link. */
  address: string;
}

/** `nodelet cluster lb`: the API's one address before several replicas. */
export interface BalancerProcess extends ClusterProcess {
  server: string;
}

export interface ClusterNode extends ClusterProcess {
  root: string;
  address: string;
  /** `ip netns` name of the node's network namespace. */
  netns: string;
  /** The file holding the node's mount namespace (a bind mount of nsfs under DIR/ns). */
  mountNs: string;
  /** The host end of the node's veth on the link (the node's end is its eth0). */
  veth: string;
  cgroupParent: string;
  /**
   * The file `up` writes the bootstrap token to (0600, with the server and the CA) for the agent's
   * --bootstrap-kubeconfig; the agent removes it once it has its certificate.
   */
  bootstrapKubeconfig: string;
  /** The command that restarts the agent: the same as `command` (without the bootstrap file it uses its certificate). */
  restartCommand: string[];
  /** Argv that runs `argv` inside the node's namespaces (net and mount). */
  enter: string[];
}

export interface ClusterManifest {
  version: number;
  root: string;
  /** Short hash of the root: names every host object of this cluster. */
  tag: string;
  /** "planned" until `up` has finished; "up" after. */
  state: "planned" | "up";
  createdAt: string;
  link: { bridge: string; cidr: string; address: string; prefix: number };
  clusterCIDR: string;
  serviceCIDR: string;
  /** The directory under DIR bind-mounted on itself, private, that holds the nodes' mount namespace files. */
  nsDir: string;
  /** The cgroup (absolute in every hierarchy) holding each node's cgroup parent. */
  cgroupRoot: string;
  kubeconfig: string;
  etcd: EtcdMember[];
  /** The first replica (the one replica of a manifest written before --control-planes). */
  controlPlane: ControlPlaneProcess;
  /** Every replica, the first one first (absent from manifests written before --control-planes: see replicasOf). */
  controlPlanes?: ControlPlaneProcess[];
  /** The load balancer before the replicas, when there are several. */
  lb?: BalancerProcess;
  /** Where kubectl and the nodes reach the API: the balancer, or the one replica. */
  server?: string;
  nodes: ClusterNode[];
}

/** Every control-plane replica of a manifest, also of one written before --control-planes. */
export function replicasOf(m: ClusterManifest): ControlPlaneProcess[] {
  return m.controlPlanes ?? [m.controlPlane];
}

/** The API's address for clients, also for a manifest written before --control-planes. */
export function serverOf(m: ClusterManifest): string {
  return m.server ?? m.controlPlane.server;
}

/** Flags of the replicas that the plan sets and --control-plane-arg may not: the cluster's shape depends on them. */
const PLANNED_CONTROL_PLANE_FLAGS = ["root", "etcd-servers", "listen", "kubeconfig", "control-plane-endpoint", "cluster-cidr", "service-cidr", "socket"];

/** --control-plane-arg's `NAME=VALUE` (or `NAME`, leading dashes optional) as the flag it passes. */
export function controlPlaneArg(v: string): string {
  const m = /^-{0,2}([a-z0-9][a-z0-9-]*)(=.*)?$/.exec(v);
  if (!m) throw new RangeError(`--control-plane-arg: "${v}" is not NAME=VALUE (a nodelet control-plane flag, e.g. node-monitor-grace-period=20s)`);
  if (PLANNED_CONTROL_PLANE_FLAGS.includes(m[1])) throw new RangeError(`--control-plane-arg: --${m[1]} is set by cluster up`);
  return `--${m[1]}${m[2] ?? ""}`;
}

export function manifestFile(root: string): string {
  return join(root, "cluster.json");
}

/** The tag of a root: six hex digits of its hash (names stay within IFNAMSIZ: `nlc` + tag + `v` + node number). */
export function clusterTag(root: string): string {
  return createHash("sha256").update(root).digest("hex").slice(0, 6);
}

/** Checks the options (each error names its flag) and returns the plan. Pure. */
export function planCluster(o: ClusterOptions, now: Date): ClusterManifest {
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > MAX_NODES) throw new RangeError(`--nodes: ${o.nodes} must be a whole number from 1 to ${MAX_NODES}`);
  if (!Number.isInteger(o.etcdMembers) || o.etcdMembers < 1 || o.etcdMembers > MAX_ETCD_MEMBERS) throw new RangeError(`--etcd-members: ${o.etcdMembers} must be a whole number from 1 to ${MAX_ETCD_MEMBERS}`);
  if (!Number.isInteger(o.controlPlanes) || o.controlPlanes < 1 || o.controlPlanes > MAX_CONTROL_PLANES) throw new RangeError(`--control-planes: ${o.controlPlanes} must be a whole number from 1 to ${MAX_CONTROL_PLANES}`);
  const cpArgs = o.controlPlaneArgs.map(controlPlaneArg);
  if (!o.root.startsWith("/")) throw new RangeError(`--root: "${o.root}" must be an absolute path`);
  const link = parseCidr(o.linkCIDR);
  if (!link || link.prefix < 16 || link.prefix > 28) throw new RangeError(`--link-cidr: "${o.linkCIDR}" must be an IPv4 CIDR from /16 to /28`);
  if (10 + o.nodes >= 2 ** (32 - link.prefix) - 1) throw new RangeError(`--link-cidr: ${o.linkCIDR} has no room for ${o.nodes} nodes (node i takes the (10+i)th address)`);
  for (const [f, v] of [["--cluster-cidr", o.clusterCIDR], ["--service-cidr", o.serviceCIDR]] as const) if (!parseCidr(v)) throw new RangeError(`${f}: "${v}" is not an IPv4 CIDR`);
  if (o.etcdPorts.length !== 2 * o.etcdMembers) throw new RangeError(`internal: ${o.etcdPorts.length} etcd ports for ${o.etcdMembers} members`);
  const root = o.root.replace(/\/+$/, "") || "/";
  const tag = clusterTag(root);
  const at = (...p: string[]) => join(root, ...p);
  const cliBase = [o.nodelet.node, o.nodelet.script];
  const proc = (name: string): Omit<ClusterProcess, "command"> => ({ name, pidFile: at("run", `${name}.pid`), logFile: at("logs", `${name}.log`) });
  const address = formatIPv4(link.base + 1);
  const cidrs = ["--cluster-cidr", o.clusterCIDR, "--service-cidr", o.serviceCIDR];

  const members = Array.from({ length: o.etcdMembers }, (_, i) => ({ name: `etcd${i + 1}`, client: `http://127.0.0.1:${o.etcdPorts[2 * i]}`, peer: `http://127.0.0.1:${o.etcdPorts[2 * i + 1]}` }));
  const initialCluster = members.map((m) => `${m.name}=${m.peer}`).join(",");
  const etcd: EtcdMember[] = members.map((m) => {
    const dataDir = at("etcd", m.name);
    return {
      ...proc(m.name),
      dataDir,
      clientURL: m.client,
      peerURL: m.peer,
      command: [
        "etcd", "--name", m.name, "--data-dir", dataDir,
        "--listen-client-urls", m.client, "--advertise-client-urls", m.client,
        "--listen-peer-urls", m.peer, "--initial-advertise-peer-urls", m.peer,
        "--initial-cluster", initialCluster, "--initial-cluster-token", `nodelet-cluster-${tag}`, "--initial-cluster-state", "new",
        "--logger", "zap", "--log-level", "warn",
      ],
    };
  });

  const server = `https://${address}:${API_PORT}`;
  const kubeconfig = at("kubeconfig");
  // One replica listens on the link's first address; several listen on the next ones (kind's names: control-plane,
  // control-plane2, …) behind a balancer on the first, which every replica's certificate and kubeconfig name.
  const several = o.controlPlanes > 1;
  const controlPlanes: ControlPlaneProcess[] = Array.from({ length: o.controlPlanes }, (_, k) => {
    const name = k === 0 ? "control-plane" : `control-plane${k + 1}`;
    const cpRoot = at(name);
    const cpAddress = several ? formatIPv4(link.base + 2 + k) : address;
    return {
      ...proc(name),
      root: cpRoot,
      address: cpAddress,
      server: `https://${cpAddress}:${API_PORT}`,
      command: [
        ...cliBase, "control-plane", "--root", cpRoot, "--etcd-servers", members.map((m) => m.client).join(","), "--listen", `${cpAddress}:${API_PORT}`,
        // The first replica writes the admin kubeconfig; the others' stay in their roots.
        "--kubeconfig", k === 0 ? kubeconfig : join(cpRoot, "kubeconfig"),
        ...(several ? ["--control-plane-endpoint", `${address}:${API_PORT}`] : []), ...cidrs, ...cpArgs,
      ],
    };
  });
  const lb: BalancerProcess | undefined = several
    ? { ...proc("api-lb"), server, command: [...cliBase, "cluster", "lb", "--listen", `${address}:${API_PORT}`, ...controlPlanes.flatMap((c) => ["--backend", `${c.address}:${API_PORT}`])] }
    : undefined;

  const nsDir = at("ns");
  const cgroupRoot = `/nodelet-cluster-${tag}`;
  const nodes: ClusterNode[] = Array.from({ length: o.nodes }, (_, k) => {
    const i = k + 1;
    const name = `node${i}`;
    const nodeRoot = at("nodes", name);
    const netns = `nlc${tag}-${name}`;
    const mountNs = join(nsDir, `${name}.mnt`);
    const nodeAddress = formatIPv4(link.base + 10 + i);
    const cgroupParent = `${cgroupRoot}/${name}`;
    const enter = ["nsenter", `--mount=${mountNs}`, `--net=/run/netns/${netns}`, "--"];
    const common = ["--root", nodeRoot, "--node-name", name, "--node-ip", nodeAddress, "--cgroup-parent", cgroupParent, ...cidrs];
    const bootstrapKubeconfig = join(nodeRoot, "bootstrap-kubelet.conf");
    // The token reaches the agent in a file, never on its command line; the same command restarts it.
    const command = [...enter, ...cliBase, "node", "--bootstrap-kubeconfig", bootstrapKubeconfig, ...common];
    return {
      ...proc(name),
      root: nodeRoot,
      address: nodeAddress,
      netns,
      mountNs,
      veth: `nlc${tag}v${i}`,
      cgroupParent,
      enter,
      bootstrapKubeconfig,
      command,
      restartCommand: command,
    };
  });

  return {
    version: MANIFEST_VERSION,
    root,
    tag,
    state: "planned",
    createdAt: now.toISOString(),
    link: { bridge: `nlc${tag}`, cidr: `${formatIPv4(link.base)}/${link.prefix}`, address, prefix: link.prefix },
    clusterCIDR: o.clusterCIDR,
    serviceCIDR: o.serviceCIDR,
    nsDir,
    cgroupRoot,
    kubeconfig,
    etcd,
    controlPlane: controlPlanes[0],
    controlPlanes,
    ...(lb ? { lb } : {}),
    server,
    nodes,
  };
}
