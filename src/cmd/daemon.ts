/**
 * The daemon: wiring only. Store → API server; kubelet (sync loop, workers) → runtime (shim, cgroups, images,
 * volumes, network). Stopping with SIGTERM/SIGINT leaves pods running (their monitors outlive us) unless
 * --cleanup-on-exit, which stops and removes every pod first.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Node, Service } from "../api/types.js";
import { serviceEnvVars } from "../controllers/service-env.js";
import { createApiServer, ensureServingCert, loadOrCreateToken, writeKubeconfig, type ApiServer } from "../apiserver/index.js";
import { Backoff } from "../kubelet/backoff.js";
import { realClock } from "../kubelet/clock.js";
import { EventRecorder } from "../kubelet/events.js";
import { Kubelet } from "../kubelet/kubelet.js";
import { NodeIO } from "../kubelet/node-io.js";
import { buildNode, readNodeFacts } from "../kubelet/node-status.js";
import { PodSync } from "../kubelet/pod-sync.js";
import { ProbeState } from "../kubelet/probe-state.js";
import { createBridgeNetwork } from "../network/bridge-network.js";
import type { NetworkSettings } from "../network/settings.js";
import { LoopbackOnlyNetwork, type PodNetwork } from "../network/pod-network.js";
import { FileRecorder } from "../runtime/explain.js";
import { ImageStore } from "../runtime/images.js";
import { Layout } from "../runtime/layout.js";
import { LinuxPodRuntime } from "../runtime/linux-runtime.js";
import { openStore } from "../store/sqlite-store.js";
import type { Store } from "../store/store.js";
import { VolumeManager } from "../storage/volumes.js";
import { detectCgroups } from "../sys/cgroups/detect.js";
import { Runner } from "../sys/runner.js";
import { Spawner } from "../sys/spawner.js";
import type { DaemonConfig } from "./daemon-config.js";
import { registerNodeApi } from "../apiserver/node-api.js";
import { clusterDnsServers, installServiceAllocation, startServices } from "./service-wiring.js";

/**
 * The nodelet-shim binary: $NODELET_SHIM, else build/nodelet-shim in the checkout this code runs from (found by
 * walking up from this module, which may sit in dist/src/cmd or in a bundle), else the installed copy.
 */
export const SHIM_PATH = findShim();

function findShim(): string {
  if (process.env.NODELET_SHIM) return process.env.NODELET_SHIM;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "build", "nodelet-shim");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return "/usr/local/lib/nodelet/nodelet-shim";
}

export interface Daemon {
  store: Store;
  api: ApiServer;
  kubelet: Kubelet;
  runtime: LinuxPodRuntime;
  /** Stops serving; with cleanup, stops and removes every pod first. */
  stop(cleanup?: boolean): Promise<void>;
}

export async function startDaemon(cfg: DaemonConfig, log: (msg: string) => void = defaultLog): Promise<Daemon> {
  if (process.getuid?.() !== 0) throw new Error("nodelet daemon must run as root: it creates namespaces, cgroups and mounts");
  mkdirSync(cfg.root, { recursive: true, mode: 0o700 });
  chmodSync(cfg.root, 0o700);
  const layout = new Layout(cfg.root, cfg.logDir, SHIM_PATH);
  const recorder = new FileRecorder((owner) => (/^[0-9a-f-]{36}$/.test(owner) ? layout.podExplainFile(owner) : join(cfg.root, "node-steps.jsonl")));
  const runner = new Runner(recorder);
  const spawner = new Spawner(SHIM_PATH);
  spawner.start();
  runner.useSpawner(spawner);
  const store = openStore(layout.storeFile);
  const cgroups = detectCgroups(runner, { parent: cfg.cgroupParent });
  const images = new ImageStore(layout.imagesDir, runner);
  await images.ensureBusybox();
  const bridge = cfg.network ? createBridgeNetwork({ ...networkSettings(cfg), stateDir: join(cfg.root, "network"), runner }) : undefined;
  const network: PodNetwork = bridge ?? new LoopbackOnlyNetwork(primaryAddress());
  if (bridge) await bridge.start(livePodUids(store, cfg.nodeName));
  const runtime = new LinuxPodRuntime({
    layout,
    runner,
    cgroups,
    images,
    volumes: new VolumeManager(layout, runner),
    network,
    dns: { clusterDNS: clusterDnsServers(cfg), clusterDomain: cfg.clusterDomain, hostResolvConf: readText("/etc/resolv.conf") },
    podPidsLimit: cfg.podPidsLimit,
    log: { maxSize: cfg.logMaxSize, maxFiles: cfg.logMaxFiles },
  });
  const clock = realClock;
  const events = new EventRecorder(store, clock, "kubelet", cfg.nodeName);
  const probes = new ProbeState();
  const serviceEnv = (ns: string) => serviceEnvVars(store.list<Service>("Service", { namespace: ns }).items);
  const syncer = new PodSync({ store, runtime, clock, events, backoff: new Backoff(clock), probes, hostIP: () => network.hostIP(), serviceEnv });
  const kubelet = new Kubelet({
    nodeName: cfg.nodeName,
    store,
    runtime,
    syncer,
    clock,
    resyncMs: cfg.resyncSeconds * 1000,
    log,
    onPodEvent: (pod) => {
      if (!pod.status?.startTime) events.record(pod, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${cfg.nodeName}`, undefined, "default-scheduler");
    },
  });
  const heartbeat = registerNode(store, cfg, network.hostIP());
  const api = await startApi(cfg, store, runtime, runner, log, (a) => installServiceAllocation(cfg, store, a));
  registerNodeApi(api, { images, layout, runtime, store, flushSteps: () => recorder.flush() });
  await kubelet.start();
  const services = await startServices(cfg, store, runner, bridge, log);
  log(`nodelet daemon ready: node ${cfg.nodeName}, socket ${cfg.socket}, root ${cfg.root}, cgroup v${cgroups.version}`);
  return {
    store,
    api,
    kubelet,
    runtime,
    async stop(cleanup = cfg.cleanupOnExit) {
      clearInterval(heartbeat);
      await api.close();
      if (cleanup) await removeAllPods(store, kubelet, cfg.nodeName);
      await kubelet.stop();
      await services.stop(cleanup);
      if (cleanup) await network.reset?.();
      if (cleanup) await cgroups.remove("").catch(() => undefined);
      store.close();
      spawner.stop();
    },
  };
}

async function startApi(cfg: DaemonConfig, store: Store, runtime: LinuxPodRuntime, runner: Runner, log: (m: string) => void, beforeListen: (api: ApiServer) => void): Promise<ApiServer> {
  mkdirSync(dirname(cfg.socket), { recursive: true, mode: 0o700 });
  let tcp;
  if (cfg.listen) {
    const token = await loadOrCreateToken(cfg.tokenFile);
    const cert = await ensureServingCert({ dir: join(cfg.root, "pki"), runner, hosts: [cfg.listen.host] });
    tcp = { host: cfg.listen.host, port: cfg.listen.port, token, cert: cert.cert, key: cert.key };
  }
  const api = createApiServer({
    store,
    podIO: new NodeIO(runtime, runner),
    nodeName: cfg.nodeName,
    socketPath: cfg.socket,
    tcp,
    log: cfg.verbose ? log : undefined,
  });
  beforeListen(api);
  await api.start();
  const addr = api.tcpAddress();
  if (addr && tcp) {
    const host = addr.host === "0.0.0.0" ? "127.0.0.1" : addr.host;
    await writeKubeconfig(cfg.kubeconfig, { server: `https://${host}:${addr.port}`, caCert: tcp.cert, token: tcp.token });
    log(`kubectl: KUBECONFIG=${cfg.kubeconfig} (https://${host}:${addr.port})`);
  }
  return api;
}

/** The bridge network's settings from the daemon's flags. */
export function networkSettings(cfg: DaemonConfig): NetworkSettings {
  return { bridge: cfg.bridge, clusterCIDR: cfg.clusterCIDR, podCIDR: cfg.podCIDR, serviceCIDR: cfg.serviceCIDR, firewallBackend: cfg.firewallBackend };
}

/** Pods of this node in the store: the network keeps their leases and frees the others. */
function livePodUids(store: Store, nodeName: string): Set<string> {
  return new Set(store.list("Pod", { fieldSelector: `spec.nodeName=${nodeName}` }).items.map((p) => p.metadata.uid!));
}

/** Registers the Node and refreshes its status every 10 s (the kubelet's node status update). */
function registerNode(store: Store, cfg: DaemonConfig, hostIP: string): NodeJS.Timeout {
  const facts = readNodeFacts();
  if (facts.swapBytes > 0) defaultLog(`warning: swap is on (${Math.round(facts.swapBytes / 1048576)} MiB); the kubelet would refuse to start without failSwapOn=false`);
  const settings = { name: cfg.nodeName, hostIP, podCIDR: cfg.network ? cfg.podCIDR : undefined, reservedCPUMilli: 0, reservedMemoryBytes: 0, maxPods: cfg.maxPods };
  const write = () => {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const prev = store.get<Node>("Node", "", cfg.nodeName);
    const node = buildNode(facts, settings, prev, now);
    if (!prev) store.create(node);
    else store.update({ ...node, metadata: prev.metadata }, { subresource: "status" });
  };
  write();
  const t = setInterval(() => {
    try {
      write();
    } catch (err) {
      defaultLog(`node status: ${String(err)}`);
    }
  }, 10_000);
  t.unref();
  return t;
}

/** --cleanup-on-exit / reset: delete every pod of this node at once and wait for the kubelet to remove them. */
async function removeAllPods(store: Store, kubelet: Kubelet, nodeName: string): Promise<void> {
  for (const pod of store.list("Pod", { fieldSelector: `spec.nodeName=${nodeName}` }).items) {
    try {
      store.delete("Pod", pod.metadata.namespace ?? "default", pod.metadata.name!);
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 10));
  await kubelet.drain();
}

/** The IPv4 address of the interface holding the default route (the node's InternalIP), else the first one. */
export function primaryAddress(): string {
  const route = readText("/proc/net/route").split("\n").find((l) => l.split("\t")[1] === "00000000");
  const dev = route?.split("\t")[0];
  const all = networkInterfaces();
  const pick = (addrs: NetworkInterfaceInfo[] | undefined) => addrs?.find((a) => a.family === "IPv4" && !a.internal)?.address;
  return (dev && pick(all[dev])) ?? Object.values(all).map(pick).find(Boolean) ?? "127.0.0.1";
}

function readText(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}

function defaultLog(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
}
