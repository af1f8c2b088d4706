/**
 * Settings of the two roles of a cluster, each the daemon's flags that make sense for it (daemon-config.ts parses
 * them, so a flag means the same in every role) plus its own:
 * - `nodelet control-plane`: the API server and its store (SQLite or --etcd-servers), admission and the controllers;
 *   the controllers act only while this replica holds the kube-system/kube-controller-manager Lease
 *   (--leader-elect*, kube-controller-manager's flags and defaults);
 * - `nodelet node`: the kubelet, service proxy and node DNS of one machine, joined to a control plane over HTTPS
 *   (--bootstrap-kubeconfig; or --server and --token; or --kubeconfig with the node's credentials).
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { durationFlag, flag, parseArgs, UsageError, type FlagSpec } from "../cli/args.js";
import { DEFAULT_TIMING, validateTiming, type ElectionTiming } from "../controllers/leader/decision.js";
import { DAEMON_FLAGS, parseDaemonConfig, type DaemonConfig } from "./daemon-config.js";
import { NODE_CONTROLLER_FLAGS } from "./node-controllers-wiring.js";
import { DEFAULT_KUBELET_PORT } from "../client/kubelet/kubelet-address.js";

const pick = (names: string[]): FlagSpec[] => DAEMON_FLAGS.filter((f) => names.includes(f.name));

/** The control plane's default listener: every address, kube-apiserver's secure port. */
export const CONTROL_PLANE_LISTEN = "0.0.0.0:6443";

export const CONTROL_PLANE_FLAGS: FlagSpec[] = [
  ...pick(["root", "socket", "token-file", "token-auth-file", "audit-log-path", "audit-policy-file", "pod-security-default", "admission-control-config-file", "kubeconfig", "cluster-domain", "cluster-cidr", "service-cidr", "node-ip", "encryption-provider-config", "etcd-servers", "etcd-compaction-interval", "cluster-signing-duration", "event-ttl", "event-qps", "event-burst", "max-watches-per-client", "verbose"]),
  ...NODE_CONTROLLER_FLAGS,
  { name: "listen", value: true, help: `HOST:PORT of the API's HTTPS listener, for kubectl and the nodes (default ${CONTROL_PLANE_LISTEN})` },
  { name: "control-plane-endpoint", value: true, help: "HOST:PORT where clients reach the replicas (a load balancer before them, as kubeadm's flag): named by the serving certificate, written in the kubeconfig, and the kubernetes Service's endpoint when HOST is an IP (default: the listener)" },
  { name: "leader-elect", value: true, help: "the controllers act only while this replica holds the kube-system/kube-controller-manager Lease: true or false (default true)" },
  { name: "leader-elect-lease-duration", value: true, help: "how long standbys wait after the leader's last renewal before taking over (default 15s)" },
  { name: "leader-elect-renew-deadline", value: true, help: "how long the leader retries renewing before it stops leading (default 10s)" },
  { name: "leader-elect-retry-period", value: true, help: "the interval between attempts to acquire or renew (default 2s)" },
  { name: "help", short: "h", value: false },
];

export interface ControlPlaneConfig {
  daemon: DaemonConfig;
  /** undefined: --leader-elect=false (this replica always acts: only right when it is the only one). */
  election?: { timing: ElectionTiming; identity: string };
  /** --control-plane-endpoint: where clients reach the API when not at the listener. */
  endpoint?: { host: string; port: number };
}

export function parseControlPlaneConfig(argv: string[]): ControlPlaneConfig {
  const p = parseArgs(argv, CONTROL_PLANE_FLAGS);
  const daemon = parseDaemonConfig(flag(p, "listen") === undefined ? [...argv, "--listen", CONTROL_PLANE_LISTEN] : argv, [...CONTROL_PLANE_FLAGS]);
  const endpoint = hostPort(flag(p, "control-plane-endpoint"));
  const elect = flag(p, "leader-elect") ?? "true";
  if (elect !== "true" && elect !== "false") throw new UsageError(`--leader-elect: "${elect}" must be true or false`);
  if (elect === "false") return { daemon, endpoint };
  const timing: ElectionTiming = {
    leaseDurationMs: durationFlag(p, "leader-elect-lease-duration", DEFAULT_TIMING.leaseDurationMs),
    renewDeadlineMs: durationFlag(p, "leader-elect-renew-deadline", DEFAULT_TIMING.renewDeadlineMs),
    retryPeriodMs: durationFlag(p, "leader-elect-retry-period", DEFAULT_TIMING.retryPeriodMs),
  };
  try {
    validateTiming(timing);
  } catch (err) {
    throw new UsageError(`--leader-elect-*: ${(err as Error).message}`);
  }
  // client-go's identity: the host name and a unique suffix, so two replicas on one host differ.
  return { daemon, endpoint, election: { timing, identity: `${hostname()}_${crypto.randomUUID()}` } };
}

/** --control-plane-endpoint's HOST:PORT (an IPv4 address or a DNS name; [IPv6]:PORT). */
function hostPort(v: string | undefined): { host: string; port: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(v);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) throw new UsageError(`--control-plane-endpoint: "${v}" is not HOST:PORT`);
  return { host: m[1] ?? m[2], port };
}

export const NODE_FLAGS: FlagSpec[] = [
  ...DAEMON_FLAGS.filter(
    (f) =>
      ![
        "socket",
        "listen",
        "token-file",
        "token-auth-file",
        "audit-log-path",
        "audit-policy-file",
        "pod-security-default",
        "admission-control-config-file",
        "kubeconfig",
        "encryption-provider-config",
        "etcd-servers",
        "etcd-compaction-interval",
        "cluster-signing-duration",
        "event-ttl",
        "max-watches-per-client",
        "help",
        ...NODE_CONTROLLER_FLAGS.map((n) => n.name),
      ].includes(f.name),
  ),
  { name: "server", value: true, help: "the control plane's API: https://HOST:PORT" },
  { name: "token", value: true, help: "a bootstrap token (abcdef.0123456789abcdef) the node joins with; visible to every user of the host in ps: prefer --bootstrap-kubeconfig" },
  { name: "bootstrap-kubeconfig", value: true, help: "a kubeconfig (mode 0600) with the server, the cluster CA and a bootstrap token: the node gets its certificate with it (kept in ROOT/pki/kubelet.conf) and removes the file; once removed, restarts use the certificate" },
  { name: "ca-cert-hash", value: true, help: "sha256:HEX of the control plane CA's public key (kubeadm's --discovery-token-ca-cert-hash)" },
  { name: "ca-file", value: true, help: "PEM CA bundle the control plane's serving certificate is checked against" },
  { name: "kubeconfig", value: true, help: "the node's credentials for the control plane (a kubeconfig with a client certificate or token), instead of --server/--token" },
  { name: "kubelet-port", value: true, help: `the kubelet's HTTPS port on the node's address, which the control plane dials for pods' logs, exec, attach, port-forward and metrics (default ${DEFAULT_KUBELET_PORT})` },
  { name: "help", short: "h", value: false },
];

export interface NodeRoleConfig {
  daemon: DaemonConfig;
  /** --pod-cidr as given (undefined: the node takes the pod CIDR the control plane's IPAM assigns its Node). */
  podCIDRFlag?: string;
  /** --kubelet-port: where the kubelet server listens (on the node's address). */
  kubeletPort: number;
  /** How the node reaches and authenticates to the control plane. */
  join: { kubeconfig: string } | { bootstrapKubeconfig: string } | { server: string; token: string; caCertHash?: string; caFile?: string };
}

export function parseNodeConfig(argv: string[]): NodeRoleConfig {
  const p = parseArgs(argv, NODE_FLAGS);
  const daemon = parseDaemonConfig(argv, NODE_FLAGS);
  const kubeletPort = portFlag(flag(p, "kubelet-port"));
  const kubeconfig = flag(p, "kubeconfig");
  const server = flag(p, "server");
  const token = flag(p, "token");
  const bootstrapKubeconfig = flag(p, "bootstrap-kubeconfig");
  if (bootstrapKubeconfig !== undefined) {
    for (const other of ["kubeconfig", "server", "token", "ca-cert-hash", "ca-file"]) {
      if (flag(p, other) !== undefined) throw new UsageError(`--${other}: not with --bootstrap-kubeconfig, which names the server, the CA and the token (the node's own credentials are kept in ROOT/pki/kubelet.conf)`);
    }
    return { daemon, podCIDRFlag: flag(p, "pod-cidr"), kubeletPort, join: { bootstrapKubeconfig } };
  }
  if (kubeconfig !== undefined) {
    if (token !== undefined || flag(p, "ca-cert-hash") !== undefined) throw new UsageError("--kubeconfig: give the node's credentials either as a kubeconfig or as --server with --token, not both");
    if (server !== undefined) throw new UsageError("--server: the kubeconfig names the server");
    return { daemon, podCIDRFlag: flag(p, "pod-cidr"), kubeletPort, join: { kubeconfig } };
  }
  if (server === undefined) throw new UsageError("--server: required (https://HOST:PORT of the control plane), or --bootstrap-kubeconfig FILE, or --kubeconfig FILE");
  if (!/^https:\/\/[^/\s]+$/.test(server)) throw new UsageError(`--server: "${server}" is not https://HOST:PORT (a node talks to the control plane over HTTPS only)`);
  if (token === undefined) throw new UsageError("--token: required with --server (a bootstrap token, abcdef.0123456789abcdef)");
  if (!/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(token)) throw new UsageError("--token: not a bootstrap token (want [a-z0-9]{6}.[a-z0-9]{16}, e.g. abcdef.0123456789abcdef)");
  const caCertHash = flag(p, "ca-cert-hash");
  const caFile = flag(p, "ca-file");
  if (caCertHash !== undefined && !/^sha256:[0-9a-f]{64}$/.test(caCertHash)) throw new UsageError(`--ca-cert-hash: "${caCertHash}" is not sha256:<64 hex digits>`);
  if (caCertHash === undefined && caFile === undefined) throw new UsageError("--ca-cert-hash or --ca-file: required with --token, so the control plane's certificate can be checked");
  if (caFile !== undefined) {
    try {
      readFileSync(caFile, "utf8");
    } catch (err) {
      throw new UsageError(`--ca-file: cannot read ${caFile}: ${(err as Error).message}`);
    }
  }
  return { daemon, podCIDRFlag: flag(p, "pod-cidr"), kubeletPort, join: { server, token, caCertHash, caFile } };
}

function portFlag(v: string | undefined): number {
  if (v === undefined) return DEFAULT_KUBELET_PORT;
  const port = Number(v);
  if (!/^\d+$/.test(v) || port < 1 || port > 65535) throw new UsageError(`--kubelet-port: "${v}" is not a port (1-65535)`);
  return port;
}

