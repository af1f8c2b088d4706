/**
 * The daemon: wiring only. Store → API server; kubelet (sync loop, workers) → runtime (shim, cgroups, images,
 * volumes, network). Stopping with SIGTERM/SIGINT leaves pods running (their monitors outlive us) unless
 * --cleanup-on-exit, which stops and removes every pod first.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { findShim } from "../sys/shim-path.js";
import type { ConfigMap, Node, Secret, Service } from "../api/types.js";
import type { ConfigObjects } from "../storage/config-objects.js";
import { serviceEnvVars, servicesForPod } from "../controllers/service-env.js";
import { createApiServer, writeKubeconfig, type ApiServer } from "../apiserver/index.js";
import { auditSettings, installLimitRanger, installPodSecurity, podSecuritySettings, installResourceQuota, installServiceAccountAdmission, podTokenIssuer, prepareTcpAccess, publishApiService, serviceAccountKey, servingHosts, startAccessControllers, type TcpAccess } from "./access-wiring.js";
import { realClock } from "../kubelet/clock.js";
import type { Kubelet } from "../kubelet/kubelet.js";
import { runtimeUid } from "../kubelet/pod-objects.js";
import { startNodeAgent, type EvictionSettings, type NodeAgent } from "../kubelet/node-agent.js";
import type { ImageGC } from "../images/image-gc.js";
import { NodeHeartbeat } from "../kubelet/node-heartbeat.js";
import { NodeIO } from "../kubelet/node-io.js";
import type { PressureCondition } from "../kubelet/eviction.js";
import { diskReserve, evictionSettings } from "./eviction-wiring.js";
import { BridgeNetwork } from "../network/bridge-network.js";
import type { NetworkSettings } from "../network/settings.js";
import { LoopbackOnlyNetwork, type PodNetwork } from "../network/pod-network.js";
import { FileRecorder, readSteps, renderScript } from "../runtime/explain.js";
import { StartTraces } from "../sys/start-trace.js";
import type { LinuxPodRuntime } from "../runtime/linux-runtime.js";
import { createNodeRuntime } from "../runtime/node-runtime.js";
import type { Runner } from "../sys/runner.js";
import { openStore } from "../store/sqlite-store.js";
import { openEtcdStore } from "../store/etcd-store.js";
import { encryptionTransformer, parseEncryptionConfig, type ValueTransformer } from "../store/encryption.js";
import type { Store } from "../store/store.js";
import { Spawner } from "../sys/spawner.js";
import { readHostFacts } from "../sys/host-info.js";
import type { DaemonConfig } from "./daemon-config.js";
import { recordSetup } from "./daemon-record.js";
import { removeDaemonPid, writeDaemonPid } from "./daemon-stop.js";
import { onStateWriteNoSpace } from "../sys/state-file.js";
import { registerNodeApi } from "../apiserver/node-api.js";
import { installUi } from "./ui-wiring.js";
import { imageApi, nodeImages, registerImageReclaimer } from "./image-wiring.js";
import { clusterDnsServers, installServiceAllocation, startServices } from "./service-wiring.js";
import { claimVolumePlugins, installStorageHooks, startStorage } from "./storage-wiring.js";
import { loadNodeRegistries, pushFromStore, registrySources } from "./registry-wiring.js";
import { startWorkloads } from "./workloads-wiring.js";
import { nodeCidrSet, nodeControllers } from "./node-controllers-wiring.js";
import { crossNodeRoutes, startCrossNodeRoutes } from "./cross-node-wiring.js";
import { Registry } from "../metrics/registry.js";
import { registerCadvisorMetrics } from "../kubelet/kubelet-metrics.js";
import { NodeLease } from "../kubelet/node-lease.js";
import { NodeUsageReader } from "../kubelet/node-usage.js";
import { withFieldManager } from "../store/field-manager-store.js";

export const SHIM_PATH = findShim();

export interface Daemon {
  store: Store;
  api: ApiServer;
  kubelet: Kubelet;
  agent: NodeAgent;
  runtime: LinuxPodRuntime;
  /** Stops serving; with cleanup, stops and removes every pod first. `step` hears each step as it begins. */
  stop(cleanup?: boolean, step?: (name: string) => void): Promise<void>;
}

export async function startDaemon(cfg: DaemonConfig, log: (msg: string) => void = defaultLog): Promise<Daemon> {
  if (process.getuid?.() !== 0) throw new Error("nodelet daemon must run as root: it creates namespaces, cgroups and mounts");
  // Registry flags and files are checked before anything on the host changes.
  const registries = loadNodeRegistries(cfg.registries, cfg.root);
  // Before anything on the host changes: a bad encryption config refuses the start.
  const transformer = encryptionFrom(cfg.encryptionProviderConfig);
  // Before anything on the host changes: a bad admission configuration refuses the start.
  const podSecurity = podSecuritySettings(cfg);
  mkdirSync(cfg.root, { recursive: true, mode: 0o700 });
  chmodSync(cfg.root, 0o700);
  // Before anything on the host changes: what `nodelet reset --root` will need to find it all again.
  recordSetup(cfg);
  writeDaemonPid(cfg.root);
  let recorder: FileRecorder | undefined;
  const traces = new StartTraces(cfg.startTraces);
  let openedStore: Store | undefined;
  let configObjects: ConfigObjects | undefined;
  const { layout, runner, cgroups, images, network, runtime } = createNodeRuntime({
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
    volumePlugins: claimVolumePlugins(cfg.root, () => openedStore),
    report: log,
    verboseLog: cfg.verbose ? log : undefined,
    configObjects: () => configObjects,
    traces,
    warmSandboxes: cfg.warmSandboxes,
    // Steps of a pod (owner = its uid) go to its explain.jsonl; the node's own steps to one file of the node.
    recorder: (l) =>
      (recorder = new FileRecorder(
        (owner) => (/^[0-9a-f-]{36}$/.test(owner) ? l.podExplainFile(owner) : join(l.root, "node-steps.jsonl")),
        (file, err) => log(`cannot record host steps in ${file} (${err instanceof Error ? err.message : String(err)}); those steps are left out of explain`),
      )),
  });
  const spawner = new Spawner(SHIM_PATH);
  spawner.start();
  runner.useSpawner(spawner);
  let agent: NodeAgent | undefined;
  const reserve = diskReserve(cfg.root, log, () => void agent?.eviction.poke());
  const store: Store =
    cfg.etcdServers.length > 0
      ? openEtcdStore({ endpoints: cfg.etcdServers, transformer, log, compactionIntervalMs: cfg.etcdCompactionIntervalMs })
      : openStore(layout.storeFile, { onFull: () => reserve.release(), log, transformer });
  // The runtime's records and the kubelet's state files meet a full disk as the store does: the reserve goes first.
  onStateWriteNoSpace(() => reserve.release());
  openedStore = store;
  const objects: ConfigObjects = {
    configMap: (ns, name) => store.get<ConfigMap>("ConfigMap", ns, name),
    secret: (ns, name) => store.get<Secret>("Secret", ns, name),
    allocatable: () => store.get<Node>("Node", "", cfg.nodeName)?.status?.allocatable,
  };
  configObjects = objects;
  await images.removeTemporaries();
  await images.ensureBusybox();
  const nodeImageSet = nodeImages(cfg, images, runtime, log, registrySources(registries));
  const imageService = nodeImageSet.service;
  // The network owns leases of pods that exist (in the store, or with a sandbox on disk); the rest are collected.
  await network.start(new Set([...store.list("Pod").items.map((p) => p.metadata.uid!), ...podDirs(layout.podsDir)]));
  const clock = realClock;
  let pressure: () => PressureCondition[] = () => [];
  // The kubelet's writes (node and pod status, the Lease, evictions, mirror pods, events) are its own in managedFields.
  const kubeletStore = withFieldManager(store, "kubelet");
  const heartbeat = registerNode(kubeletStore, cfg, network.hostIP(), () => pressure(), log);
  let stopAccess = (): void => undefined;
  const lease = new NodeLease({ store: kubeletStore, nodeName: cfg.nodeName, clock, log });
  lease.start();
  // /metrics: the API server's and the kubelet's series; /metrics/cadvisor: each container's usage.
  const metrics = { main: new Registry(), cadvisor: new Registry() };
  registerCadvisorMetrics(metrics.cadvisor, runtime);
  const { api } = await startApi(cfg, store, runtime, runner, network.hostIP(), log, { ...metrics, traces }, (a, rootCA) => {
    installServiceAllocation(cfg, store, a);
    installStorageHooks(store, a);
    // Before the API listens: each namespace's `default` account exists when its first pod is admitted.
    stopAccess = startAccessControllers(store, rootCA, log);
    // Admission in kube-apiserver's order: the mutating plugins, then Pod Security, then quota last.
    if (rootCA !== undefined) installServiceAccountAdmission(a);
    installLimitRanger(a);
    installPodSecurity(a, podSecurity);
    installResourceQuota(a);
    objects.tokens = podTokenIssuer(a, store);
  });
  registerNodeApi(api, {
    push: pushFromStore(registries, images),
    images: {
      list: () => images.list(),
      buildFromHost: (paths, tag) => images.buildFromHost(paths, tag),
      buildDebian: (packages, tag) => images.buildDebian(packages, tag),
      // An image a container (running or exited) was made from keeps its layers until the container goes.
      remove: (ref) => images.remove(ref, (id) => runtime.containers().some((c) => c.imageId === `sha256:${id}`)),
      ...imageApi(images, nodeImageSet, runtime),
    },
    store,
    timing: (pod) => traces.timing(runtimeUid(pod)),
    explain: (pod, title) => {
      recorder?.flush(); // steps still in memory go to their files before they are read back
      return renderScript(readSteps(layout.podExplainFile(runtimeUid(pod))), title);
    },
  });
  const stopUi = installUi(api, { store, nodeName: cfg.nodeName, hostIP: () => network.hostIP(), bridge: cfg.network ? cfg.bridge : undefined, runtimeUid, podUsage: (pod) => runtime.podUsage(runtimeUid(pod)) }, log);
  agent = await startNodeAgent({
    nodeName: cfg.nodeName,
    store: kubeletStore,
    runtime,
    runner,
    clock,
    heartbeat,
    hostIP: () => network.hostIP(),
    stateDir: cfg.root,
    manifests: cfg.manifests,
    resyncMs: cfg.resyncSeconds * 1000,
    eventTtlMs: cfg.eventTtlSeconds * 1000,
    eventLimits: { qps: cfg.eventQps, burst: cfg.eventBurst },
    log,
    serviceEnv: (ns: string, links: boolean) => {
      const services = [...store.list<Service>("Service", { namespace: ns }).items, ...(ns === "default" ? [] : store.list<Service>("Service", { namespace: "default" }).items)];
      return serviceEnvVars(servicesForPod(services, ns, links));
    },
    images: imageService,
    metrics: metrics.main,
    traces,
    eviction: withImageReclaimer(evictionSettings(cfg, layout, cgroups, runtime, reserve, () => heartbeat.writeSafely()), nodeImageSet.gc),
  });
  const started = agent;
  pressure = () => started.eviction.conditions();
  const kubelet = agent.kubelet;
  const storage = await startStorage({ root: cfg.root, nodeName: cfg.nodeName, store, runner, clock, eventLimits: { qps: cfg.eventQps, burst: cfg.eventBurst }, log });
  const services = await startServices(cfg, store, runner, network instanceof BridgeNetwork ? network : undefined, log);
  const crossNode = network instanceof BridgeNetwork ? crossNodeRoutes(cfg.crossNode, network.settings, runner, cfg.nodeName, log) : undefined;
  const crossNodeWatch = crossNode ? startCrossNodeRoutes(store, clock, crossNode, log) : undefined;
  const nodeSet = cfg.network ? nodeCidrSet(cfg.clusterCIDR, cfg.nodeControllers.nodeCidrMaskSize) : undefined;
  const workloads = await startWorkloads(api, clock, cfg.nodeName, log, nodeControllers(cfg.nodeControllers, nodeSet));
  log(`nodelet daemon ready: node ${cfg.nodeName}, socket ${cfg.socket}, root ${cfg.root}, cgroup v${cgroups.version}, manifests ${cfg.manifests}`);
  void reportAdoption(kubelet, log);
  return {
    store,
    api,
    kubelet,
    agent,
    runtime,
    async stop(cleanup = cfg.cleanupOnExit, step = () => undefined) {
      heartbeat.stop();
      lease.stop();
      step("stopping the workload controllers");
      await workloads.stop();
      crossNodeWatch?.stop();
      step("closing the API server");
      stopUi();
      await api.close();
      step("removing every pod");
      if (cleanup) await removeAllPods(store, agent, cfg.nodeName);
      step("stopping the kubelet");
      await agent.stop();
      step("stopping the volume controllers");
      await storage.stop();
      step("stopping the service proxy and DNS");
      await services.stop(cleanup);
      stopAccess();
      if (cleanup) {
        step("removing the node's cgroups and network");
        await cgroups.remove("").catch(() => undefined);
        await crossNode?.reset();
        await network.reset?.();
      }
      step("closing the store");
      store.close();
      spawner.stop();
      registries.client.close();
      removeDaemonPid(cfg.root);
    },
  };
}

/** The store's encryption from --encryption-provider-config; an unreadable or invalid file names the field. */
function encryptionFrom(file: string | undefined): ValueTransformer | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`--encryption-provider-config: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return encryptionTransformer(parseEncryptionConfig(text));
  } catch (err) {
    throw new Error(`--encryption-provider-config ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** One log line once every pod found at start has synced: how long re-adopting them took. */
async function reportAdoption(kubelet: Kubelet, log: (m: string) => void): Promise<void> {
  const workers = [...kubelet.workers.values()];
  await Promise.all(workers.map((w) => w.firstSync));
  log(`re-adopted ${workers.length} pods in ${kubelet.adoptedInMs ?? "?"} ms`);
}

async function startApi(
  cfg: DaemonConfig,
  store: Store,
  runtime: LinuxPodRuntime,
  runner: Runner,
  hostIP: string,
  log: (m: string) => void,
  /** What the node measures: the metrics registries and the pod start traces. */
  metrics: { main: Registry; cadvisor: Registry; traces: StartTraces },
  beforeListen: (api: ApiServer, rootCA: string | undefined) => void,
): Promise<{ api: ApiServer }> {
  mkdirSync(dirname(cfg.socket), { recursive: true, mode: 0o700 });
  let access: TcpAccess | undefined;
  if (cfg.listen) access = await prepareTcpAccess(cfg, cfg.listen, servingHosts(cfg, hostIP), runner, log);
  const tcp = access?.tcp;
  // `kubectl top node`: the whole host from /proc, not only the pods' sum.
  const nodeUsage = new NodeUsageReader(realClock);
  const api = createApiServer({
    store,
    podIO: new NodeIO(runtime, runner, realClock),
    nodeName: cfg.nodeName,
    socketPath: cfg.socket,
    tcp,
    authenticators: access?.authenticators,
    serviceAccounts: { signingKey: serviceAccountKey(cfg) },
    audit: auditSettings(cfg),
    log: cfg.verbose ? log : undefined,
    metrics: metrics.main,
    cadvisorMetrics: metrics.cadvisor,
    nodeUsage: () => nodeUsage.usage(),
    traces: metrics.traces,
  });
  beforeListen(api, access?.pki.ca.cert);
  await api.start();
  const addr = api.tcpAddress();
  if (addr && access) {
    const host = addr.host === "0.0.0.0" ? "127.0.0.1" : addr.host;
    // The admin client certificate (O=system:masters) authenticates; the token stays for clients that read it.
    const { ca, admin } = access.pki;
    await writeKubeconfig(cfg.kubeconfig, { server: `https://${host}:${addr.port}`, caCert: ca.cert, clientCert: admin.cert, clientKey: admin.key, token: access.tcp.token });
    log(`kubectl: KUBECONFIG=${cfg.kubeconfig} (https://${host}:${addr.port})`);
    publishApiService(cfg, store, addr, hostIP, log);
  }
  return { api };
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

/**
 * Registers the Node and refreshes its status every 10 s (the kubelet's node status update). Swap: the kubelet
 * refuses to start with swap on unless failSwapOn=false; nodelet warns and reports it, and refuses with --fail-swap-on.
 */
function registerNode(store: Store, cfg: DaemonConfig, hostIP: string, pressure: () => PressureCondition[], log: (m: string) => void): NodeHeartbeat {
  const facts = readHostFacts(cfg.root);
  if (facts.swapBytes > 0) {
    const what = `swap is on (${Math.round(facts.swapBytes / 1048576)} MiB)`;
    if (cfg.failSwapOn) throw new Error(`${what}: refusing to start with --fail-swap-on (turn swap off with swapoff -a)`);
    log(`warning: ${what}; the kubelet would refuse to start without failSwapOn=false; it is reported in the Node's nodeInfo.swap`);
  }
  const heartbeat = new NodeHeartbeat({
    store,
    facts,
    settings: { name: cfg.nodeName, hostIP, podCIDR: cfg.network ? cfg.podCIDR : undefined, reserved: cfg.reserved, evictionHard: cfg.evictionHard, maxPods: cfg.maxPods },
    pressure,
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

/** The pod network the flags ask for: the bridge network, or loopback only with --no-network. */
export function podNetwork(cfg: DaemonConfig, runner: Runner, root: string): PodNetwork {
  if (!cfg.network) return new LoopbackOnlyNetwork(cfg.nodeIP, runner);
  return new BridgeNetwork({ ...networkSettings(cfg), stateDir: join(root, "network"), runner });
}

/** The pods the runtime has directories for; only a missing directory is none (the network keeps their leases). */
function podDirs(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
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
