/**
 * `nodelet daemon` settings: flags with the defaults a user of the kubelet would expect, validated before anything
 * on the host is touched. Every root is a parameter (DESIGN.md rule 5), so a second daemon with its own --root,
 * --socket, bridge and CIDRs runs beside the first.
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import { boolFlag, durationFlag, flag, flags, parseArgs, UsageError, type FlagSpec } from "../cli/args.js";
import { DEFAULT_SOCKET_PATH } from "../wire/defaults.js";
import { DEFAULT_EVICTION_HARD, parseEvictionConfig, parseReserved, type Reserved, type Threshold } from "../kubelet/node-pressure.js";
import { DEFAULT_EVENT_BURST, DEFAULT_EVENT_QPS } from "../kubelet/events.js";
import { DEFAULT_LIMITS } from "../apiserver/limits.js";
import type { FirewallBackendSetting } from "../network/settings.js";
import type { RegistrySettings } from "../images/registry/settings.js";
import { parseDefaultPolicy, type NamespacePolicy } from "../auth/pod-security/policy.js";
import { CROSS_NODE_FLAGS, parseCrossNodeConfig, type CrossNodeConfig } from "./cross-node-wiring.js";
import { NODE_CONTROLLER_FLAGS, nodeCidrSet, parseNodeControllerConfig, type NodeControllerConfig } from "./node-controllers-wiring.js";

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
  /** --token-auth-file: static users, the kube-apiserver CSV format (token,user,uid,"group1,group2"). */
  tokenAuthFile?: string;
  /** --audit-log-path / --audit-policy-file: the audit log (JSON lines) and its policy (default: Metadata for all). */
  auditLogPath?: string;
  auditPolicyFile?: string;
  /** --pod-security-default: the Pod Security levels of namespaces without the pod-security.kubernetes.io labels (unset: privileged). */
  podSecurityDefault?: NamespacePolicy;
  /** --admission-control-config-file: an AdmissionConfiguration with the PodSecurity plugin's defaults and exemptions. */
  admissionControlConfigFile?: string;
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
  /** --eviction-hard thresholds: pressure conditions and evictions at once; memory/nodefs come off allocatable. */
  evictionHard: Threshold[];
  /** Every threshold: the hard ones and --eviction-soft with their grace periods, each with its minimum reclaim. */
  evictionThresholds: Threshold[];
  /** --eviction-pressure-transition-period: how long a pressure condition outlasts its signal (default 5m). */
  evictionPressureTransitionSeconds: number;
  /** --eviction-max-pod-grace-period: the longest grace period a soft eviction gives a pod (default 0). */
  evictionMaxPodGraceSeconds: number;
  /** --image-gc-high-threshold / --image-gc-low-threshold: image GC starts at this disk usage (percent) and frees down to that one. */
  imageGCHighThresholdPercent: number;
  imageGCLowThresholdPercent: number;
  /** --image-minimum-gc-age: an image first seen more recently is never collected (default 2m). */
  imageMinimumGCAgeSeconds: number;
  /** --image-max-layer-size: most bytes one layer may unpack to (uncompressed tar); a larger one fails the pull. */
  imageMaxLayerBytes: number;
  /** --event-ttl: events last seen longer ago are removed (default 1h, as the API server's flag). */
  eventTtlSeconds: number;
  /** --event-qps / --event-burst: the node's event rate limit (the kubelet's eventRecordQPS/eventBurst; qps 0: none). */
  eventQps: number;
  eventBurst: number;
  /** --max-watches-per-client: watches one TCP peer address may hold open (apiserver/limits.ts; 429 beyond). */
  maxWatchesPerClient: number;
  /** --start-traces: how many pod starts are kept timed step by step (`nodelet explain pod NAME --timing`; 0: none). */
  startTraces: number;
  /** --warm-sandboxes: ready pod sandboxes kept for the next pods that fit (runtime/warm-sandboxes.ts; 0: none). */
  warmSandboxes: number;
  /** --monitor-zygote: monitors forked by the node's monitor zygote (runtime/shim-zygote.ts); false: exec'd. */
  monitorZygote: boolean;
  /** --fail-swap-on: refuse to start with swap on, as the kubelet does by default (off here: warn and report). */
  failSwapOn: boolean;
  /** --seccomp-profile-root: where Localhost seccomp profiles are read (default ROOT/seccomp). */
  seccompProfileRoot: string;
  /** --seccomp-default: RuntimeDefault for containers that name no profile (on by default, unlike the kubelet). */
  seccompDefault: boolean;
  /** --registries-config, --insecure-registry, --registry-ca, --registry-config (images/registry/settings.ts). */
  registries: RegistrySettings;
  /** --encryption-provider-config: an EncryptionConfiguration file (kube-apiserver's format); none: stored as written. */
  encryptionProviderConfig?: string;
  /** --etcd-servers: client URLs of an etcd v3 cluster that holds the objects (store/etcd-store.ts); none: SQLite. */
  etcdServers: string[];
  /** --etcd-compaction-interval in ms (kube-apiserver's, 5m; 0: never). */
  etcdCompactionIntervalMs: number;
  /** --cluster-signing-duration in ms: the longest certificate the CSR signer issues (kube-controller-manager's, 1 year). */
  clusterSigningDurationMs: number;
  /** --node-cidr-mask-size, --node-monitor-grace-period, --node-eviction-rate...: the node controllers (node-controllers-wiring.ts). */
  nodeControllers: NodeControllerConfig;
  /** --cross-node-mode, --vxlan-vni, --vxlan-port: routes to other nodes' pods (cross-node-wiring.ts). */
  crossNode: CrossNodeConfig;
}

export const DAEMON_FLAGS: FlagSpec[] = [
  { name: "root", value: true, help: "state directory (default /var/lib/nodelet)" },
  { name: "socket", value: true, help: "API unix socket (default /run/nodelet/nodelet.sock; ROOT/nodelet.sock with --root)" },
  { name: "cgroup-parent", value: true, help: "cgroup under the daemon's own cgroup that holds the pods (default nodelet)" },
  { name: "log-dir", value: true, help: "container logs go to LOG-DIR/pods (default /var/log; ROOT/log with --root)" },
  { name: "node-name", value: true, help: "the Node object's name (default the hostname)" },
  { name: "listen", value: true, help: "also serve HTTPS for kubectl on HOST:PORT, with a bearer token" },
  { name: "token-file", value: true, help: "the bearer token for --listen (default ROOT/token)" },
  { name: "token-auth-file", value: true, help: "static users for --listen: CSV token,user,uid,\"group1,group2\" (kube-apiserver format)" },
  { name: "audit-log-path", value: true, help: "write an audit.k8s.io/v1 Event per API request to this file (JSON lines)" },
  { name: "audit-policy-file", value: true, help: "audit Policy (levels None, Metadata, Request, RequestResponse); default: Metadata for every request" },
  { name: "pod-security-default", value: true, help: "Pod Security for unlabelled namespaces: LEVEL[:VERSION] (enforce) or MODE=LEVEL[:VERSION],... (enforce, audit, warn); default privileged" },
  { name: "admission-control-config-file", value: true, help: "AdmissionConfiguration file: the PodSecurity plugin's defaults and exemptions (usernames, runtimeClasses, namespaces)" },
  { name: "kubeconfig", value: true, help: "where to write a kubeconfig for kubectl (default ROOT/kubeconfig)" },
  { name: "pod-pids-limit", value: true, help: "pids limit of each pod's cgroup (default 4096)" },
  { name: "container-log-max-size", value: true, help: "rotate a container's log at this size (default 10Mi)" },
  { name: "container-log-max-files", value: true, help: "rotated logs kept per container (default 5)" },
  { name: "resync", value: true, help: "seconds between full syncs of every pod (default 10)" },
  { name: "cluster-domain", value: true, help: "DNS domain of the cluster (default cluster.local)" },
  { name: "cluster-dns", value: true, multiple: true, help: "nameserver written into pods' resolv.conf (default the kube-dns Service IP)" },
  { name: "dns-upstream", value: true, help: "IP[:PORT] the cluster DNS forwards other names to (default: refuse them)" },
  { name: "cleanup-on-exit", value: false, help: "remove every pod when the daemon stops (default: pods keep running)" },
  { name: "verbose", short: "v", value: false, help: "log every host command (argv, exit status, time) and every API request" },
  { name: "bridge", value: true, help: "the pods' bridge (default nodelet0)" },
  { name: "cluster-cidr", value: true, help: "every pod address in the cluster; unreachable off-node (default 10.244.0.0/16)" },
  { name: "pod-cidr", value: true, help: "this node's pod addresses (default 10.244.0.0/24)" },
  { name: "service-cidr", value: true, help: "Service cluster IPs (default 10.96.0.0/12)" },
  { name: "firewall-backend", value: true, help: "auto, nftables, iptables, iptables-legacy or iptables-nft (default auto)" },
  { name: "node-ip", value: true, help: "status.hostIP and NodePort address (default the default route's source)" },
  { name: "hairpin", value: true, help: "let a pod reach itself through its Service: true or false (default true)" },
  { name: "proxy-mode", value: true, help: "Service proxy: iptables, nftables or userspace (default iptables)" },
  { name: "no-network", value: false, help: "pods share nothing but loopback: no bridge, IPs or Services" },
  { name: "manifests", value: true, help: "static pod manifests (default /etc/nodelet/manifests; ROOT/manifests with --root)" },
  { name: "max-pods", value: true, help: "pods this node accepts (default 110)" },
  { name: "system-reserved", value: true, help: "cpu=,memory=,ephemeral-storage= kept from pods for the system" },
  { name: "kube-reserved", value: true, help: "the same, for nodelet itself" },
  { name: "eviction-hard", value: true, help: "thresholds that evict at once, e.g. memory.available<100Mi,nodefs.available<10%" },
  { name: "eviction-soft", value: true, help: "thresholds that evict once held for their grace period (same syntax)" },
  { name: "eviction-soft-grace-period", value: true, help: "grace period of each soft threshold, e.g. memory.available=1m30s" },
  { name: "eviction-minimum-reclaim", value: true, help: "what an eviction frees beyond the threshold, e.g. nodefs.available=500Mi" },
  { name: "eviction-pressure-transition-period", value: true, help: "how long a pressure condition outlasts its signal (default 5m)" },
  { name: "eviction-max-pod-grace-period", value: true, help: "longest grace period, in seconds, of a soft eviction (default 0)" },
  { name: "image-gc-high-threshold", value: true, help: "disk usage percent of the images' filesystem that starts image garbage collection (default 85)" },
  { name: "image-gc-low-threshold", value: true, help: "disk usage percent image garbage collection frees down to (default 80)" },
  { name: "image-minimum-gc-age", value: true, help: "minimum age of an unused image before it is collected (default 2m)" },
  { name: "image-max-layer-size", value: true, help: "most bytes one image layer may unpack to; a larger layer fails its pull (default 20Gi)" },
  { name: "event-ttl", value: true, help: "how long events are kept (default 1h)" },
  { name: "event-qps", value: true, help: "events the node records per second at most; 0: no limit (default 50)" },
  { name: "event-burst", value: true, help: "events recorded at once before --event-qps applies (default 100)" },
  { name: "max-watches-per-client", value: true, help: "watches one client address may hold open at once; more get 429 (default 100)" },
  { name: "start-traces", value: true, help: "how many recent pod starts are kept timed step by step for `explain pod NAME --timing` (default 100; 0: off)" },
  { name: "warm-sandboxes", value: true, help: "how many ready pod sandboxes are kept for the next pods that fit (default 2; 0: off)" },
  { name: "monitor-zygote", value: false, help: "containers' monitors forked by the node's monitor zygote (default true; --monitor-zygote=false: each exec'd)" },
  { name: "fail-swap-on", value: false, help: "refuse to start while swap is on (default: warn)" },
  { name: "seccomp-profile-root", value: true, help: "directory of Localhost seccomp profiles (default ROOT/seccomp)" },
  { name: "seccomp-default", value: false, help: "RuntimeDefault seccomp for pods that name no profile (default true; --seccomp-default=false: Unconfined)" },
  { name: "registries-config", value: true, help: "registry mirrors, insecure hosts and CAs, JSON (default ROOT/registries.json if present)" },
  { name: "insecure-registry", value: true, multiple: true, help: "HOST[:PORT] pulled from and pushed to over plain HTTP (loopback always is)" },
  { name: "registry-ca", value: true, multiple: true, help: "PEM bundle trusted for every registry besides the root CAs" },
  { name: "registry-config", value: true, help: "Docker config.json with the node's registry credentials" },
  { name: "encryption-provider-config", value: true, help: "EncryptionConfiguration file (apiserver.config.k8s.io/v1): encrypt Secrets (and other resources it lists) in the store" },
  { name: "etcd-servers", value: true, help: "URL,... of etcd v3 members that hold the objects, as kube-apiserver lays them out (default: the node's SQLite store)" },
  { name: "etcd-compaction-interval", value: true, help: "how often etcd's history is compacted, a duration (default 5m; 0: never)" },
  { name: "cluster-signing-duration", value: true, help: "the longest life of a certificate the CSR signer issues (nodes' client and serving certificates), a duration (default 8760h)" },
  ...NODE_CONTROLLER_FLAGS,
  ...CROSS_NODE_FLAGS,
  { name: "help", short: "h", value: false },
];

/**
 * Parses the daemon's flags. `spec`: the flags a role accepts (role-config.ts: the control plane's and the node's
 * subsets); a flag it leaves out is refused as unknown and takes its default here.
 */
export function parseDaemonConfig(argv: string[], spec: FlagSpec[] = DAEMON_FLAGS): DaemonConfig {
  const p = parseArgs(argv, spec);
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
    tokenAuthFile: flag(p, "token-auth-file"),
    auditLogPath: flag(p, "audit-log-path"),
    auditPolicyFile: flag(p, "audit-policy-file"),
    podSecurityDefault: flag(p, "pod-security-default") === undefined ? undefined : usage(() => parseDefaultPolicy(flag(p, "pod-security-default")!)),
    admissionControlConfigFile: flag(p, "admission-control-config-file"),
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
    evictionHard: [],
    evictionThresholds: usage(() =>
      parseEvictionConfig({
        hard: flag(p, "eviction-hard") ?? DEFAULT_EVICTION_HARD,
        soft: flag(p, "eviction-soft"),
        softGracePeriod: flag(p, "eviction-soft-grace-period"),
        minimumReclaim: flag(p, "eviction-minimum-reclaim"),
      }),
    ),
    evictionPressureTransitionSeconds: durationFlag(p, "eviction-pressure-transition-period", 300_000) / 1000,
    evictionMaxPodGraceSeconds: nonNegativeInt(p, "eviction-max-pod-grace-period", 0),
    imageGCHighThresholdPercent: percent(p, "image-gc-high-threshold", 85),
    imageGCLowThresholdPercent: percent(p, "image-gc-low-threshold", 80),
    imageMinimumGCAgeSeconds: durationFlag(p, "image-minimum-gc-age", 120_000) / 1000,
    imageMaxLayerBytes: size(flag(p, "image-max-layer-size") ?? "20Gi", "--image-max-layer-size"),
    eventTtlSeconds: durationFlag(p, "event-ttl", 3_600_000) / 1000,
    eventQps: nonNegativeInt(p, "event-qps", DEFAULT_EVENT_QPS),
    eventBurst: positiveInt(p, "event-burst", DEFAULT_EVENT_BURST),
    maxWatchesPerClient: positiveInt(p, "max-watches-per-client", DEFAULT_LIMITS.maxWatchesPerClient),
    startTraces: nonNegativeInt(p, "start-traces", 100),
    warmSandboxes: nonNegativeInt(p, "warm-sandboxes", 2),
    monitorZygote: flag(p, "monitor-zygote") === undefined || boolFlag(p, "monitor-zygote"),
    failSwapOn: boolFlag(p, "fail-swap-on"),
    seccompProfileRoot: flag(p, "seccomp-profile-root") ?? join(root, "seccomp"),
    seccompDefault: flag(p, "seccomp-default") === undefined || boolFlag(p, "seccomp-default"),
    registries: {
      registriesConfig: flag(p, "registries-config"),
      insecureRegistries: flags(p, "insecure-registry"),
      registryCa: flags(p, "registry-ca"),
      registryConfig: flag(p, "registry-config"),
    },
    encryptionProviderConfig: flag(p, "encryption-provider-config"),
    etcdServers: etcdServers(flag(p, "etcd-servers")),
    etcdCompactionIntervalMs: durationFlag(p, "etcd-compaction-interval", 300_000),
    clusterSigningDurationMs: durationFlag(p, "cluster-signing-duration", 8760 * 3600_000),
    nodeControllers: parseNodeControllerConfig(p),
    crossNode: parseCrossNodeConfig(p),
  };
  nodeCidrSet(cfg.clusterCIDR, cfg.nodeControllers.nodeCidrMaskSize); // checked before anything starts
  cfg.evictionHard = cfg.evictionThresholds.filter((t) => !t.gracePeriodMs);
  if (cfg.clusterSigningDurationMs <= 0) throw new UsageError(`--cluster-signing-duration: must be more than 0`);
  if (cfg.warmSandboxes > MAX_WARM_SANDBOXES) throw new UsageError(`--warm-sandboxes: ${cfg.warmSandboxes} is more than ${MAX_WARM_SANDBOXES}`);
  if (cfg.imageMaxLayerBytes < 1) throw new UsageError(`--image-max-layer-size: must be more than 0`);
  if (cfg.imageGCLowThresholdPercent > cfg.imageGCHighThresholdPercent) {
    throw new UsageError(`--image-gc-low-threshold: ${cfg.imageGCLowThresholdPercent} must not be above --image-gc-high-threshold (${cfg.imageGCHighThresholdPercent})`);
  }
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

/** --etcd-servers: comma-separated http(s) URLs, each checked. */
function etcdServers(value: string | undefined): string[] {
  if (value === undefined) return [];
  const urls = value.split(",").map((u) => u.trim()).filter((u) => u !== "");
  if (urls.length === 0) throw new UsageError("--etcd-servers: no URL given");
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new UsageError(`--etcd-servers: "${u}" is not a URL (want http://HOST:PORT)`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError(`--etcd-servers: "${u}": only http and https URLs`);
  }
  return urls;
}

function positiveInt(p: ReturnType<typeof parseArgs>, name: string, dflt: number): number {
  const v = flag(p, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name}: "${v}" must be a positive integer`);
  return Number(v);
}

/** The most warm sandboxes a node keeps: each holds a pause process, a veth and a pod address. */
const MAX_WARM_SANDBOXES = 64;

function nonNegativeInt(p: ReturnType<typeof parseArgs>, name: string, dflt: number): number {
  const v = flag(p, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name}: "${v}" must be a whole number`);
  return Number(v);
}

/** A whole percentage, 0-100 (the kubelet's imageGC thresholds). */
function percent(p: ReturnType<typeof parseArgs>, name: string, dflt: number): number {
  const v = nonNegativeInt(p, name, dflt);
  if (v > 100) throw new UsageError(`--${name}: "${v}" must be a percentage from 0 to 100`);
  return v;
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

/** "10Mi", "512Ki", "1048576" → bytes. */
function size(v: string, name: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(v);
  if (!m) throw new UsageError(`${name}: "${v}" is not a size like 10Mi`);
  return Number(m[1]) * ({ Ki: 1024, Mi: 1048576, Gi: 1073741824 }[m[2] ?? ""] ?? 1);
}
