/**
 * `nodelet daemon` settings: flags with the defaults a user of the kubelet would expect, validated before anything
 * on the host is touched. Every root is a parameter (DESIGN.md rule 5), so a second daemon with its own --root,
 * --socket, bridge and CIDRs runs beside the first.
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import { boolFlag, flag, flags, parseArgs, UsageError, type FlagSpec } from "../cli/args.js";
import { DEFAULT_SOCKET_PATH } from "../client/defaults.js";
import { DEFAULT_EVICTION_HARD, parseEvictionHard, parseReserved, type Reserved, type Threshold } from "../kubelet/node-pressure.js";
import type { FirewallBackendSetting } from "../network/settings.js";

export const DEFAULT_ROOT = "/var/lib/nodelet";

export interface DaemonConfig {
  root: string;
  socket: string;
  cgroupParent: string;
  logDir: string;
  nodeName: string;
  /** TCP listener for kubectl (HTTPS + bearer token). */
  listen?: { host: string; port: number };
  tokenFile: string;
  /** Where `nodelet kubeconfig` / the daemon writes the kubeconfig for kubectl. */
  kubeconfig: string;
  podPidsLimit: number;
  logMaxSize: number;
  logMaxFiles: number;
  resyncSeconds: number;
  clusterDomain: string;
  clusterDNS: string[];
  /** Resolver (IP or IP:PORT) for names outside the cluster domain; none: they are refused. */
  dnsUpstream?: string;
  cleanupOnExit: boolean;
  verbose: boolean;
  /** Network and proxy settings, passed through to their factories. */
  bridge: string;
  clusterCIDR: string;
  podCIDR: string;
  serviceCIDR: string;
  firewallBackend: FirewallBackendSetting;
  /** --node-ip: the node's address (status.hostIP); default the source address of the default route. */
  nodeIP?: string;
  hairpin: boolean;
  proxyMode: "iptables" | "nftables" | "userspace";
  network: boolean;
  manifests: string;
  maxPods: number;
  /** --system-reserved plus --kube-reserved: kept from pods (allocatable = capacity - reserved - eviction). */
  reserved: Reserved;
  /** --eviction-hard thresholds: pressure conditions, and memory/nodefs come off allocatable. */
  evictionHard: Threshold[];
  /** --event-ttl: events last seen longer ago are removed (default 1h, as the API server's flag). */
  eventTtlSeconds: number;
  /** --fail-swap-on: refuse to start with swap on, as the kubelet does by default (off here: warn and report). */
  failSwapOn: boolean;
}

export const DAEMON_FLAGS: FlagSpec[] = [
  { name: "root", value: true },
  { name: "socket", value: true },
  { name: "cgroup-parent", value: true },
  { name: "log-dir", value: true },
  { name: "node-name", value: true },
  { name: "listen", value: true },
  { name: "token-file", value: true },
  { name: "kubeconfig", value: true },
  { name: "pod-pids-limit", value: true },
  { name: "container-log-max-size", value: true },
  { name: "container-log-max-files", value: true },
  { name: "resync", value: true },
  { name: "cluster-domain", value: true },
  { name: "cluster-dns", value: true, multiple: true },
  { name: "dns-upstream", value: true },
  { name: "cleanup-on-exit", value: false },
  { name: "verbose", short: "v", value: false },
  { name: "bridge", value: true },
  { name: "cluster-cidr", value: true },
  { name: "pod-cidr", value: true },
  { name: "service-cidr", value: true },
  { name: "firewall-backend", value: true },
  { name: "node-ip", value: true },
  { name: "hairpin", value: true },
  { name: "proxy-mode", value: true },
  { name: "no-network", value: false },
  { name: "manifests", value: true },
  { name: "max-pods", value: true },
  { name: "system-reserved", value: true },
  { name: "kube-reserved", value: true },
  { name: "eviction-hard", value: true },
  { name: "event-ttl", value: true },
  { name: "fail-swap-on", value: false },
  { name: "help", short: "h", value: false },
];

export function parseDaemonConfig(argv: string[]): DaemonConfig {
  const p = parseArgs(argv, DAEMON_FLAGS);
  if (p.positional.length) throw new UsageError(`unexpected argument "${p.positional[0]}"`);
  const root = flag(p, "root") ?? DEFAULT_ROOT;
  const custom = root !== DEFAULT_ROOT;
  const cfg: DaemonConfig = {
    root,
    socket: flag(p, "socket") ?? (custom ? join(root, "nodelet.sock") : DEFAULT_SOCKET_PATH),
    // A second daemon (its own --root) gets its own cgroup parent, so neither ever touches the other's pods.
    cgroupParent: flag(p, "cgroup-parent") ?? (custom ? `nodelet-${createHash("sha256").update(root).digest("hex").slice(0, 8)}` : "nodelet"),
    logDir: flag(p, "log-dir") ?? (custom ? join(root, "log") : "/var/log"),
    nodeName: (flag(p, "node-name") ?? hostname()).toLowerCase(),
    listen: flag(p, "listen") ? hostPort(flag(p, "listen")!) : undefined,
    tokenFile: flag(p, "token-file") ?? join(root, "token"),
    kubeconfig: flag(p, "kubeconfig") ?? join(root, "kubeconfig"),
    podPidsLimit: positiveInt(p, "pod-pids-limit", 4096),
    logMaxSize: size(flag(p, "container-log-max-size") ?? "10Mi", "--container-log-max-size"),
    logMaxFiles: positiveInt(p, "container-log-max-files", 5),
    resyncSeconds: positiveInt(p, "resync", 10),
    clusterDomain: flag(p, "cluster-domain") ?? "cluster.local",
    clusterDNS: flags(p, "cluster-dns"),
    dnsUpstream: flag(p, "dns-upstream"),
    cleanupOnExit: boolFlag(p, "cleanup-on-exit"),
    verbose: boolFlag(p, "verbose"),
    bridge: flag(p, "bridge") ?? "nodelet0",
    clusterCIDR: flag(p, "cluster-cidr") ?? "10.244.0.0/16",
    podCIDR: flag(p, "pod-cidr") ?? "10.244.0.0/24",
    serviceCIDR: flag(p, "service-cidr") ?? "10.96.0.0/12",
    firewallBackend: oneOf(p, "firewall-backend", ["auto", "nftables", "iptables", "iptables-legacy", "iptables-nft"] as const, "auto"),
    nodeIP: flag(p, "node-ip"),
    hairpin: oneOf(p, "hairpin", ["true", "false"] as const, "true") === "true",
    proxyMode: oneOf(p, "proxy-mode", ["iptables", "nftables", "userspace"] as const, "iptables"),
    network: !boolFlag(p, "no-network"),
    manifests: flag(p, "manifests") ?? (custom ? join(root, "manifests") : "/etc/nodelet/manifests"),
    maxPods: positiveInt(p, "max-pods", 110),
    reserved: addReserved(reserved(p, "system-reserved"), reserved(p, "kube-reserved")),
    evictionHard: usage(() => parseEvictionHard("--eviction-hard", flag(p, "eviction-hard") ?? DEFAULT_EVICTION_HARD)),
    eventTtlSeconds: duration(flag(p, "event-ttl") ?? "1h", "--event-ttl"),
    failSwapOn: boolFlag(p, "fail-swap-on"),
  };
  if (cfg.dnsUpstream !== undefined && !/^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/.test(cfg.dnsUpstream)) throw new UsageError(`--dns-upstream: "${cfg.dnsUpstream}" is not IP or IP:PORT`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cfg.nodeName)) throw new UsageError(`--node-name: "${cfg.nodeName}" is not a valid DNS-1123 subdomain`);
  return cfg;
}

function hostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(":");
  const port = Number(s.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--listen: "${s}" is not HOST:PORT`);
  return { host: s.slice(0, i) || "127.0.0.1", port };
}

function positiveInt(p: ReturnType<typeof parseArgs>, name: string, dflt: number): number {
  const v = flag(p, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name}: "${v}" must be a positive integer`);
  return Number(v);
}

function oneOf<T extends string>(p: ReturnType<typeof parseArgs>, name: string, allowed: readonly T[], dflt: T): T {
  const v = flag(p, name) ?? dflt;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name}: "${v}" must be one of ${allowed.join(", ")}`);
  return v as T;
}

function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function reserved(p: ReturnType<typeof parseArgs>, name: string): Reserved {
  return usage(() => parseReserved(`--${name}`, flag(p, name) ?? ""));
}

function addReserved(a: Reserved, b: Reserved): Reserved {
  return { cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes, ephemeralBytes: a.ephemeralBytes + b.ephemeralBytes };
}

/** "1h", "30m", "90s", "1h30m", "2s" (Go durations without fractions) → seconds. */
function duration(v: string, name: string): number {
  const parts = [...v.matchAll(/(\d+)(h|m|s)/g)];
  if (!parts.length || parts.map((m) => m[0]).join("") !== v) throw new UsageError(`${name}: "${v}" is not a duration like 1h, 30m or 90s`);
  return parts.reduce((sum, m) => sum + Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as "h" | "m" | "s"], 0);
}

/** "10Mi", "512Ki", "1048576" → bytes. */
function size(v: string, name: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(v);
  if (!m) throw new UsageError(`${name}: "${v}" is not a size like 10Mi`);
  return Number(m[1]) * ({ Ki: 1024, Mi: 1048576, Gi: 1073741824 }[m[2] ?? ""] ?? 1);
}
