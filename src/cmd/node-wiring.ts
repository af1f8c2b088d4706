/**
 * The node's half of the wiring, shared by `nodelet daemon` (all-in-one) and `nodelet node` (joined to a control
 * plane): the runtime and what it stands on (shim fork server, cgroups, images, pod network, explain recorder), and
 * the kubelet (Node registration and status, the node's Lease, the sync loop with eviction and image GC). Which store
 * they read and write — the embedded one or the control plane's API — is the caller's.
 */
import { join } from "node:path";
import { readdirSync, readFileSync } from "node:fs";
import type { Node } from "../api/types.js";
import type { ConfigObjects } from "../storage/config-objects.js";
import { serviceEnvVars, servicesForPod } from "../controllers/service-env.js";
import type { Service } from "../api/types.js";
import { realClock } from "../kubelet/clock.js";
import { startNodeAgent, type EvictionSettings, type NodeAgent } from "../kubelet/node-agent.js";
import type { ImageGC } from "../images/image-gc.js";
import { NodeHeartbeat } from "../kubelet/node-heartbeat.js";
import { NodeLease } from "../kubelet/node-lease.js";
import type { PressureCondition } from "../kubelet/eviction.js";
import type { Kubelet } from "../kubelet/kubelet.js";
import { diskReserve, evictionSettings } from "./eviction-wiring.js";
import { BridgeNetwork } from "../network/bridge-network.js";
import type { NetworkSettings } from "../network/settings.js";
import { LoopbackOnlyNetwork, type PodNetwork } from "../network/pod-network.js";
import { FileRecorder } from "../runtime/explain.js";
import { StartTraces } from "../sys/start-trace.js";
import { createNodeRuntime, type NodeRuntime } from "../runtime/node-runtime.js";
import type { Runner } from "../sys/runner.js";
import type { Store } from "../store/store.js";
import { Spawner } from "../sys/spawner.js";
import { findShim } from "../sys/shim-path.js";
import { readHostFacts } from "../sys/host-info.js";
import { onStateWriteNoSpace } from "../sys/state-file.js";
import type { DaemonConfig } from "./daemon-config.js";
import { clusterDnsServers } from "./service-wiring.js";
import { claimVolumePlugins } from "./storage-wiring.js";
import { registerImageReclaimer, type NodeImages } from "./image-wiring.js";
import type { Registry } from "../metrics/registry.js";
import type { DiskReserve } from "../sys/disk-reserve.js";

export const SHIM_PATH = findShim();

export interface NodeHost extends NodeRuntime {
  spawner: Spawner;
  traces: StartTraces;
  reserve: DiskReserve;
  /** The explain recorder, once the runtime made it. */
  recorder(): FileRecorder | undefined;
  /** Hands the runtime its store and configuration objects once they are open (volumes and config read them). */
  useStore(store: Store, objects: ConfigObjects): void;
  /** Pokes the eviction manager (the disk reserve was released); set once the agent runs. */
  onReserveReleased?: () => void;
}

/** The runtime of the node's pods and the shim's fork server; the store comes later (useStore). */
export function createNodeHost(cfg: DaemonConfig, log: (msg: string) => void): NodeHost {
  let recorder: FileRecorder | undefined;
  let store: Store | undefined;
  let objects: ConfigObjects | undefined;
  const traces = new StartTraces(cfg.startTraces);
  const parts = createNodeRuntime({
    root: cfg.root,
    logDir: cfg.logDir,
    shimPath: SHIM_PATH,
    cgroupParent: cfg.cgroupParent,
    network: (runner, l) => podNetwork(cfg, runner, l.root),
    dns: { clusterDNS: clusterDnsServers(cfg), clusterDomain: cfg.clusterDomain, hostResolvConf: readText("/etc/resolv.conf") },
    podPidsLimit: cfg.podPidsLimit,
    imageMaxLayerBytes: cfg.imageMaxLayerBytes,
    log: { maxSize: cfg.logMaxSize, maxFiles: cfg.logMaxFiles },
    seccomp: { profileRoot: cfg.seccompProfileRoot, defaultToRuntime: cfg.seccompDefault },
    volumePlugins: claimVolumePlugins(cfg.root, () => store),
    report: log,
    verboseLog: cfg.verbose ? log : undefined,
    configObjects: () => objects,
    traces,
    warmSandboxes: cfg.warmSandboxes,
    // A stop that leaves the pods running leaves the pool too: the next daemon adopts it, as it adopts the pods.
    warmSandboxesAtStop: cfg.cleanupOnExit ? "remove" : "keep",
    monitorZygote: cfg.monitorZygote,
    // Steps of a pod (owner = its uid) go to its explain.jsonl; the node's own steps to one file of the node.
    recorder: (l) =>
      (recorder = new FileRecorder(
        (owner) => (/^[0-9a-f-]{36}$/.test(owner) ? l.podExplainFile(owner) : join(l.root, "node-steps.jsonl")),
        (file, err) => log(`cannot record host steps in ${file} (${err instanceof Error ? err.message : String(err)}); those steps are left out of explain`),
      )),
  });
  const spawner = new Spawner(SHIM_PATH);
  spawner.start();
  parts.runner.useSpawner(spawner);
  const host: NodeHost = {
    ...parts,
    spawner,
    traces,
    reserve: diskReserve(cfg.root, log, () => host.onReserveReleased?.()),
    recorder: () => recorder,
    useStore(s, o) {
      store = s;
      objects = o;
    },
  };
  // The runtime's records and the kubelet's state files meet a full disk as the store does: the reserve goes first.
  onStateWriteNoSpace(() => host.reserve.release());
  return host;
}

/** ConfigMaps, Secrets and the Node's allocatable from `store`, for configuration volumes and downward API. */
export function storeConfigObjects(store: Store, nodeName: string): ConfigObjects {
  return {
    configMap: (ns, name) => store.get("ConfigMap", ns, name),
    secret: (ns, name) => store.get("Secret", ns, name),
    allocatable: () => store.get<Node>("Node", "", nodeName)?.status?.allocatable,
  };
}

export interface KubeletParts {
  agent: NodeAgent;
  heartbeat: NodeHeartbeat;
  lease: NodeLease;
  kubelet: Kubelet;
  stop(): Promise<void>;
}

/**
 * Registers the Node, starts its Lease and the kubelet's loop over `store` (already attributed to the `kubelet`
 * field manager by the caller).
 */
export async function startKubelet(
  cfg: DaemonConfig,
  host: NodeHost,
  store: Store,
  o: { images: NodeImages; metrics: Registry; serviceStore: Store; log: (m: string) => void; worker?: boolean; kubeletPort?: number },
): Promise<KubeletParts> {
  const { runtime, runner, network, layout, cgroups } = host;
  const clock = realClock;
  let pressure: () => PressureCondition[] = () => [];
  const heartbeat = registerNode(store, cfg, network.hostIP(), () => pressure(), o.log, o.worker, o.kubeletPort);
  const lease = new NodeLease({ store, nodeName: cfg.nodeName, clock, log: o.log });
  lease.start();
  const agent = await startNodeAgent({
    nodeName: cfg.nodeName,
    store,
    runtime,
    runner,
    clock,
    heartbeat,
    hostIP: () => network.hostIP(),
    stateDir: cfg.root,
    manifests: cfg.manifests,
    resyncMs: cfg.resyncSeconds * 1000,
    eventLimits: { qps: cfg.eventQps, burst: cfg.eventBurst },
    log: o.log,
    serviceEnv: (ns: string, links: boolean) => {
      const s = o.serviceStore;
      const services = [...s.list<Service>("Service", { namespace: ns }).items, ...(ns === "default" ? [] : s.list<Service>("Service", { namespace: "default" }).items)];
      return serviceEnvVars(servicesForPod(services, ns, links));
    },
    images: o.images.service,
    metrics: o.metrics,
    traces: host.traces,
    eviction: withImageReclaimer(evictionSettings(cfg, layout, cgroups, runtime, host.reserve, () => heartbeat.writeSafely()), o.images.gc),
  });
  host.onReserveReleased = () => void agent.eviction.poke();
  pressure = () => agent.eviction.conditions();
  return {
    agent,
    heartbeat,
    lease,
    kubelet: agent.kubelet,
    async stop() {
      heartbeat.stop();
      lease.stop();
      await agent.stop();
    },
  };
}

/** One log line once every pod found at start has synced: how long re-adopting them took. */
export async function reportAdoption(kubelet: Kubelet, log: (m: string) => void): Promise<void> {
  const workers = [...kubelet.workers.values()];
  await Promise.all(workers.map((w) => w.firstSync));
  log(`re-adopted ${workers.length} pods in ${kubelet.adoptedInMs ?? "?"} ms`);
}

/** The eviction settings with image GC as the "imagefs" node-level reclaimer. */
function withImageReclaimer(settings: EvictionSettings, gc: ImageGC): EvictionSettings {
  registerImageReclaimer(settings.reclaimers, gc);
  return settings;
}

/** The bridge network's settings from the daemon's flags. */
export function networkSettings(cfg: DaemonConfig): NetworkSettings {
  return {
    bridge: cfg.bridge,
    clusterCIDR: cfg.clusterCIDR,
    podCIDR: cfg.podCIDR,
    serviceCIDR: cfg.serviceCIDR,
    firewallBackend: cfg.firewallBackend,
    hairpin: cfg.hairpin,
    nodeIP: cfg.nodeIP,
  };
}

/** The pod network the flags ask for: the bridge network, or loopback only with --no-network. */
export function podNetwork(cfg: DaemonConfig, runner: Runner, root: string): PodNetwork {
  if (!cfg.network) return new LoopbackOnlyNetwork(cfg.nodeIP, runner);
  return new BridgeNetwork({ ...networkSettings(cfg), stateDir: join(root, "network"), runner });
}

/**
 * Registers the Node and keeps its status current (kubelet/node-heartbeat.ts: checked every 10 s, written on change
 * or every 5 min). Swap: the kubelet
 * refuses to start with swap on unless failSwapOn=false; nodelet warns and reports it, and refuses with --fail-swap-on.
 */
function registerNode(store: Store, cfg: DaemonConfig, hostIP: string, pressure: () => PressureCondition[], log: (m: string) => void, worker = false, kubeletPort?: number): NodeHeartbeat {
  const facts = readHostFacts(cfg.root);
  if (facts.swapBytes > 0) {
    const what = `swap is on (${Math.round(facts.swapBytes / 1048576)} MiB)`;
    if (cfg.failSwapOn) throw new Error(`${what}: refusing to start with --fail-swap-on (turn swap off with swapoff -a)`);
    log(`warning: ${what}; the kubelet would refuse to start without failSwapOn=false; it is reported in the Node's nodeInfo.swap`);
  }
  const heartbeat = new NodeHeartbeat({
    store,
    facts,
    settings: { name: cfg.nodeName, hostIP, podCIDR: cfg.network ? cfg.podCIDR : undefined, reserved: cfg.reserved, evictionHard: cfg.evictionHard, maxPods: cfg.maxPods, worker, kubeletPort },
    pressure,
    clock: realClock,
    log,
  });
  heartbeat.start();
  return heartbeat;
}

export function readText(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}

/** The pods the runtime has directories for; only a missing directory is none (the network keeps their leases). */
export function podDirs(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}
