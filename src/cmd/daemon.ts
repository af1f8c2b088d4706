/**
 * The daemon: wiring only. Store → API server; kubelet (sync loop, workers) → runtime (shim, cgroups, images,
 * volumes, network). Stopping with SIGTERM/SIGINT leaves pods running (their monitors outlive us) unless
 * --cleanup-on-exit, which stops and removes every pod first.
 */
import { mkdirSync, readFileSync, chmodSync } from "node:fs";
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApiServer, ensureServingCert, loadOrCreateToken, writeKubeconfig, type ApiServer } from "../apiserver/index.js";
import { realClock } from "../kubelet/clock.js";
import type { Kubelet } from "../kubelet/kubelet.js";
import { startNodeAgent, type NodeAgent } from "../kubelet/node-agent.js";
import { NodeHeartbeat } from "../kubelet/node-heartbeat.js";
import { NodeIO } from "../kubelet/node-io.js";
import { readNodeFacts, readNodeUsage } from "../kubelet/node-status.js";
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
import type { DaemonConfig } from "./daemon-config.js";
import { registerNodeApi } from "../apiserver/node-api.js";

export const SHIM_PATH = fileURLToPath(new URL("../../../build/nodelet-shim", import.meta.url));

export interface Daemon {
  store: Store;
  api: ApiServer;
  kubelet: Kubelet;
  agent: NodeAgent;
  runtime: LinuxPodRuntime;
  /** Stops serving; with cleanup, stops and removes every pod first. */
  stop(cleanup?: boolean): Promise<void>;
}

export async function startDaemon(cfg: DaemonConfig, log: (msg: string) => void = defaultLog): Promise<Daemon> {
  if (process.getuid?.() !== 0) throw new Error("nodelet daemon must run as root: it creates namespaces, cgroups and mounts");
  mkdirSync(cfg.root, { recursive: true, mode: 0o700 });
  chmodSync(cfg.root, 0o700);
  const layout = new Layout(cfg.root, cfg.logDir, SHIM_PATH);
  const runner = new Runner(new FileRecorder((owner) => (/^[0-9a-f-]{36}$/.test(owner) ? layout.podExplainFile(owner) : join(cfg.root, "node-steps.jsonl"))));
  const store = openStore(layout.storeFile);
  const cgroups = detectCgroups(runner, { parent: cfg.cgroupParent });
  const images = new ImageStore(layout.imagesDir, runner);
  await images.ensureBusybox();
  const network: PodNetwork = new LoopbackOnlyNetwork(primaryAddress());
  const runtime = new LinuxPodRuntime({
    layout,
    runner,
    cgroups,
    images,
    volumes: new VolumeManager(layout, runner),
    network,
    dns: { clusterDNS: cfg.clusterDNS, clusterDomain: cfg.clusterDomain, hostResolvConf: readText("/etc/resolv.conf") },
    podPidsLimit: cfg.podPidsLimit,
    log: { maxSize: cfg.logMaxSize, maxFiles: cfg.logMaxFiles },
    report: log,
  });
  const clock = realClock;
  const heartbeat = registerNode(store, cfg, network.hostIP(), log);
  const api = await startApi(cfg, store, runtime, runner, log);
  registerNodeApi(api, { images, layout, runtime, store });
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
    eventTtlMs: cfg.eventTtlSeconds * 1000,
    log,
  });
  const kubelet = agent.kubelet;
  log(`nodelet daemon ready: node ${cfg.nodeName}, socket ${cfg.socket}, root ${cfg.root}, cgroup v${cgroups.version}, manifests ${cfg.manifests}`);
  void reportAdoption(kubelet, log);
  return {
    store,
    api,
    kubelet,
    agent,
    runtime,
    async stop(cleanup = cfg.cleanupOnExit) {
      heartbeat.stop();
      await api.close();
      if (cleanup) await removeAllPods(store, agent, cfg.nodeName);
      await agent.stop();
      if (cleanup) await cgroups.remove("").catch(() => undefined);
      store.close();
    },
  };
}

/** One log line once every pod found at start has synced: how long re-adopting them took. */
async function reportAdoption(kubelet: Kubelet, log: (m: string) => void): Promise<void> {
  const workers = [...kubelet.workers.values()];
  await Promise.all(workers.map((w) => w.firstSync));
  log(`re-adopted ${workers.length} pods in ${kubelet.adoptedInMs ?? "?"} ms`);
}

async function startApi(cfg: DaemonConfig, store: Store, runtime: LinuxPodRuntime, runner: Runner, log: (m: string) => void): Promise<ApiServer> {
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
  await api.start();
  const addr = api.tcpAddress();
  if (addr && tcp) {
    const host = addr.host === "0.0.0.0" ? "127.0.0.1" : addr.host;
    await writeKubeconfig(cfg.kubeconfig, { server: `https://${host}:${addr.port}`, caCert: tcp.cert, token: tcp.token });
    log(`kubectl: KUBECONFIG=${cfg.kubeconfig} (https://${host}:${addr.port})`);
  }
  return api;
}

/**
 * Registers the Node and refreshes its status every 10 s (the kubelet's node status update). Swap: the kubelet
 * refuses to start with swap on unless failSwapOn=false; nodelet warns and reports it, and refuses with --fail-swap-on.
 */
function registerNode(store: Store, cfg: DaemonConfig, hostIP: string, log: (m: string) => void): NodeHeartbeat {
  const facts = readNodeFacts();
  if (facts.swapBytes > 0) {
    const what = `swap is on (${Math.round(facts.swapBytes / 1048576)} MiB)`;
    if (cfg.failSwapOn) throw new Error(`${what}: refusing to start with --fail-swap-on (turn swap off with swapoff -a)`);
    log(`warning: ${what}; the kubelet would refuse to start without failSwapOn=false; it is reported in the Node's nodeInfo.swap`);
  }
  const heartbeat = new NodeHeartbeat({
    store,
    facts,
    settings: { name: cfg.nodeName, hostIP, podCIDR: cfg.network ? cfg.podCIDR : undefined, reserved: cfg.reserved, evictionHard: cfg.evictionHard, maxPods: cfg.maxPods },
    readUsage: () => readNodeUsage(cfg.root),
    now: () => Date.now(),
    log,
  });
  heartbeat.start();
  return heartbeat;
}

/** --cleanup-on-exit / reset: delete every pod of this node (static ones too) and wait for the kubelet to remove them. */
async function removeAllPods(store: Store, agent: NodeAgent, nodeName: string): Promise<void> {
  agent.staticPods.stop();
  agent.kubelet.staticPodsChanged([]);
  for (const pod of store.list("Pod", { fieldSelector: `spec.nodeName=${nodeName}` }).items) {
    try {
      store.delete("Pod", pod.metadata.namespace ?? "default", pod.metadata.name!);
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 10));
  await agent.kubelet.drain();
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
