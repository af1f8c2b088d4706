/**
 * The daemon: wiring only. Store → API server; kubelet (sync loop, workers) → runtime (shim, cgroups, images,
 * volumes, network). Stopping with SIGTERM/SIGINT leaves pods running (their monitors outlive us) unless
 * --cleanup-on-exit, which stops and removes every pod first.
 */
import { isIP } from "node:net";
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ConfigObjects } from "../storage/config-objects.js";
import { createApiServer, writeKubeconfig, type ApiServer } from "../apiserver/index.js";
import { auditSettings, podSecuritySettings, podTokenIssuer, prepareTcpAccess, publishApiService, serviceAccountKey, servingHosts, type TcpAccess } from "./access-wiring.js";
import { installAdmission } from "./admission-wiring.js";
import { realClock } from "../kubelet/clock.js";
import type { Kubelet } from "../kubelet/kubelet.js";
import { runtimeUid } from "../kubelet/pod-objects.js";
import type { NodeAgent } from "../kubelet/node-agent.js";
import { NodeIO } from "../kubelet/node-io.js";
import { BridgeNetwork } from "../network/bridge-network.js";
import { readSteps, renderScript } from "../runtime/explain.js";
import type { StartTraces } from "../sys/start-trace.js";
import type { LinuxPodRuntime } from "../runtime/linux-runtime.js";
import type { Runner } from "../sys/runner.js";
import type { PodIO } from "../api/pod-io.js";
import { openStore } from "../store/sqlite-store.js";
import { openEtcdStore } from "../store/etcd-store.js";
import { encryptionTransformer, parseEncryptionConfig, type ValueTransformer } from "../store/encryption.js";
import type { Store } from "../store/store.js";
import type { DaemonConfig } from "./daemon-config.js";
import { recordSetup } from "./daemon-record.js";
import { removeDaemonPid, writeDaemonPid } from "./daemon-stop.js";
import { registerNodeApi } from "../apiserver/node-api.js";
import { installUi } from "./ui-wiring.js";
import type { Proxier } from "../proxy/proxier.js";
import { imageApi, nodeImages } from "./image-wiring.js";
import { startServices } from "./service-wiring.js";
import { startApiUpkeep } from "./upkeep-wiring.js";
import { startStorage } from "./storage-wiring.js";
import { loadNodeRegistries, pushFromStore, registrySources } from "./registry-wiring.js";
import { startWorkloads } from "./workloads-wiring.js";
import { nodeCidrSet, nodeControllers } from "./node-controllers-wiring.js";
import { crossNodeRoutes, startCrossNodeRoutes } from "./cross-node-wiring.js";
import type { CrossNodePlan } from "../network/cross-node-plan.js";
import { Registry } from "../metrics/registry.js";
import { registerCadvisorMetrics } from "../kubelet/kubelet-metrics.js";
import { NodeUsageReader } from "../kubelet/node-usage.js";
import { withFieldManager } from "../store/field-manager-store.js";
import { createNodeHost, podDirs, reportAdoption, startKubelet, storeConfigObjects } from "./node-wiring.js";

export { SHIM_PATH, podNetwork, networkSettings } from "./node-wiring.js";

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
  const host = createNodeHost(cfg, log);
  const { layout, runner, cgroups, images, network, runtime, spawner, traces, reserve } = host;
  const store: Store = openClusterStore(cfg, layout.storeFile, transformer, () => reserve.release(), log);
  const objects: ConfigObjects = storeConfigObjects(store, cfg.nodeName);
  host.useStore(store, objects);
  await images.removeTemporaries();
  await images.ensureBusybox();
  const nodeImageSet = nodeImages(cfg, images, runtime, log, registrySources(registries));
  // The network owns leases of pods that exist (in the store, or with a sandbox on disk); the rest are collected.
  await network.start(new Set([...store.list("Pod").items.map((p) => p.metadata.uid!), ...podDirs(layout.podsDir)]));
  const clock = realClock;
  // The kubelet's writes (node and pod status, the Lease, evictions, mirror pods, events) are its own in managedFields.
  const kubeletStore = withFieldManager(store, "kubelet");
  let stopAccess = (): void => undefined;
  // /metrics: the API server's and the kubelet's series; /metrics/cadvisor: each container's usage.
  const metrics = { main: new Registry(), cadvisor: new Registry() };
  registerCadvisorMetrics(metrics.cadvisor, runtime);
  const { api } = await startApi(cfg, store, new NodeIO(runtime, runner, realClock), runner, network.hostIP(), log, { ...metrics, traces }, (a, rootCA) => {
    stopAccess = installAdmission(cfg, store, a, rootCA, podSecurity, log);
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
      host.recorder()?.flush(); // steps still in memory go to their files before they are read back
      return renderScript(readSteps(layout.podExplainFile(runtimeUid(pod))), title);
    },
  });
  let proxier: Proxier | undefined; // set once the services start; the web view reads its rule counters
  let crossNodeView: (() => CrossNodePlan | undefined) | undefined; // set once the routes start; the cluster view reads them
  const stopUi = installUi(api, { store, nodeName: cfg.nodeName, hostIP: () => network.hostIP(), bridge: cfg.network ? cfg.bridge : undefined, runtimeUid, podVeth: network instanceof BridgeNetwork ? (uid) => network.vethOf(uid) : undefined, podUsage: (pod) => runtime.podUsage(runtimeUid(pod)), endpointCounters: () => proxier?.endpointCounters?.(), crossNode: () => crossNodeView?.(), sessionFile: join(cfg.root, "ui-sessions.json") }, log);
  const node = await startKubelet(cfg, host, kubeletStore, { images: nodeImageSet, metrics: metrics.main, serviceStore: store, log });
  const agent = node.agent;
  const kubelet = agent.kubelet;
  const storage = await startStorage({ root: cfg.root, nodeName: cfg.nodeName, store, runner, clock, eventLimits: { qps: cfg.eventQps, burst: cfg.eventBurst }, log });
  const upkeep = startApiUpkeep(store, cfg.eventTtlSeconds * 1000, clock, log);
  const services = await startServices(cfg, store, runner, network instanceof BridgeNetwork ? network : undefined, log);
  proxier = services.proxy?.proxier;
  const crossNode = network instanceof BridgeNetwork ? crossNodeRoutes(cfg.crossNode, network.settings, runner, cfg.nodeName, log) : undefined;
  const crossNodeWatch = crossNode ? startCrossNodeRoutes(store, clock, crossNode, log) : undefined;
  crossNodeView = () => crossNode?.last;
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
      node.heartbeat.stop();
      node.lease.stop();
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
      upkeep.stop();
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
export function encryptionFrom(file: string | undefined): ValueTransformer | undefined {
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

export async function startApi(
  cfg: DaemonConfig,
  store: Store,
  podIO: PodIO,
  runner: Runner,
  hostIP: string,
  log: (m: string) => void,
  /** What the node measures: the metrics registries and the pod start traces. */
  metrics: { main: Registry; cadvisor: Registry; traces: StartTraces },
  beforeListen: (api: ApiServer, rootCA: string | undefined) => void,
  /** Admission's node: pods created without spec.nodeName are bound to it; "" leaves them to a scheduler. */
  admission: { nodeName: string } = { nodeName: cfg.nodeName },
  /** Where clients reach this API when it is not the listener itself (a load balancer before several replicas). */
  endpoint?: { host: string; port: number },
): Promise<{ api: ApiServer }> {
  mkdirSync(dirname(cfg.socket), { recursive: true, mode: 0o700 });
  let access: TcpAccess | undefined;
  if (cfg.listen) access = await prepareTcpAccess(cfg, cfg.listen, [...servingHosts(cfg, hostIP), ...(endpoint ? [endpoint.host] : [])], runner, log);
  const tcp = access?.tcp;
  // `kubectl top node`: the whole host from /proc, not only the pods' sum.
  const nodeUsage = new NodeUsageReader(realClock);
  const api = createApiServer({
    store,
    podIO,
    nodeName: cfg.nodeName,
    admission,
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
    limits: { maxWatchesPerClient: cfg.maxWatchesPerClient },
  });
  beforeListen(api, access?.pki.ca.cert);
  await api.start();
  const addr = api.tcpAddress();
  if (addr && access) {
    const host = endpoint?.host ?? (addr.host === "0.0.0.0" ? "127.0.0.1" : addr.host);
    const port = endpoint?.port ?? addr.port;
    // The admin client certificate (O=system:masters) authenticates; the token stays for clients that read it.
    const { ca, admin } = access.pki;
    await writeKubeconfig(cfg.kubeconfig, { server: `https://${host}:${port}`, caCert: ca.cert, clientCert: admin.cert, clientKey: admin.key, token: access.tcp.token });
    log(`kubectl: KUBECONFIG=${cfg.kubeconfig} (https://${host}:${port})`);
    // Pods reach the API where clients do: every replica behind one endpoint publishes the same address, which stays
    // right whichever replica dies.
    publishApiService(cfg, store, endpoint && isIP(endpoint.host) ? endpoint : addr, hostIP, log);
  }
  return { api };
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


/** The objects' store the flags ask for: etcd with --etcd-servers, else the embedded SQLite file (its reserve released when the disk is full). */
export function openClusterStore(cfg: DaemonConfig, storeFile: string, transformer: ValueTransformer | undefined, onFull: () => boolean, log: (m: string) => void): Store {
  return cfg.etcdServers.length > 0
    ? openEtcdStore({ endpoints: cfg.etcdServers, transformer, log, compactionIntervalMs: cfg.etcdCompactionIntervalMs })
    : openStore(storeFile, { onFull, log, transformer });
}

export function defaultLog(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
}
