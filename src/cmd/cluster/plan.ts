/**
 * `nodelet cluster up`'s plan, as data: every name, address, port, directory, cgroup and command of a cluster on
 * this host, made from the options alone (no I/O) before anything is created. The plan is the cluster's manifest
 * (DIR/cluster.json): written first, so `cluster down` removes what it names whether `up` finished or crashed
 * half-way, and removing something that was never made is not an error.
 *
 * Shape (kind's and k3d's, without containers): etcd members and the control plane run in the host's network
 * namespace (etcd on loopback, the API on the cluster link's first address); each node is a `nodelet node` in a
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
/** The API server's port on the link's first address (kube-apiserver's secure port). */
export const API_PORT = 6443;
export const MANIFEST_VERSION = 1;

export interface ClusterOptions {
  root: string;
  nodes: number;
  etcdMembers: number;
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
  /** The command that restarts the agent once it has joined: its own credentials instead of the bootstrap token. */
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
  controlPlane: ControlPlaneProcess;
  nodes: ClusterNode[];
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
  const cpRoot = at("control-plane");
  const kubeconfig = at("kubeconfig");
  const controlPlane: ControlPlaneProcess = {
    ...proc("control-plane"),
    root: cpRoot,
    server,
    command: [...cliBase, "control-plane", "--root", cpRoot, "--etcd-servers", members.map((m) => m.client).join(","), "--listen", `${address}:${API_PORT}`, "--kubeconfig", kubeconfig, ...cidrs],
  };

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
    return {
      ...proc(name),
      root: nodeRoot,
      address: nodeAddress,
      netns,
      mountNs,
      veth: `nlc${tag}v${i}`,
      cgroupParent,
      enter,
      // The bootstrap token is added when up starts the node (it exists only then); a restart uses the certificate.
      command: [...enter, ...cliBase, "node", "--server", server, ...common],
      restartCommand: [...enter, ...cliBase, "node", "--kubeconfig", join(nodeRoot, "pki", "kubelet.conf"), ...common],
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
    controlPlane,
    nodes,
  };
}
