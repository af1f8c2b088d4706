/**
 * `nodelet control-plane`: the API server over the cluster's store (SQLite, or etcd shared by several replicas) with
 * the daemon's admission chain, the controllers — workload and node controllers, endpoints, PV binding, event expiry —
 * acting only while this replica holds the kube-system/kube-controller-manager Lease, and the scheduler acting only
 * while it holds kube-system/kube-scheduler (controllers/leader; each reported as leader_election_master_status on
 * /metrics). No kubelet, pod network or service proxy runs here: nodes join with `nodelet node`.
 *
 * Pods created without spec.nodeName stay unbound at admission: the elected replica's scheduler binds them. The API's
 * node paths (pods' logs, exec, attach, port-forward, metrics) go to the kubelet of the pod's node
 * (apiserver/kubelet-client), with the client certificate ROOT/pki/apiserver-kubelet-client.crt from the cluster CA.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ApiServer } from "../apiserver/index.js";
import { LeaderElector } from "../controllers/leader/elector.js";
import { LeaderStatus } from "../metrics/leader-election.js";
import { CONTROLLER_MANAGER_LEASE, SCHEDULER_LEASE } from "../controllers/leader/leases.js";
import { realClock } from "../sys/clock.js";
import { Registry } from "../metrics/registry.js";
import { HostRunner } from "../sys/runner.js";
import { StartTraces } from "../sys/start-trace.js";
import type { Store } from "../store/store.js";
import { auditSettings, podSecuritySettings } from "./access-wiring.js";
import { installAdmission } from "./admission-wiring.js";
import { defaultLog, encryptionFrom, openClusterStore, startApi } from "./daemon.js";
import { removeDaemonPid, writeDaemonPid } from "./daemon-stop.js";
import type { ControlPlaneConfig } from "./role-config.js";
import { startWorkloads } from "./workloads-wiring.js";
import { startApiUpkeep } from "./upkeep-wiring.js";
import { ensureCA, issueCert } from "../auth/pki.js";
import { KubeletPodIO } from "../client/kubelet/kubelet-pod-io.js";
import { APISERVER_KUBELET_CLIENT } from "../apiserver/kubelet-api/server.js";
import type { Node } from "../api/types.js";
import type { Runner } from "../sys/runner.js";
import { nodeCidrSet, nodeControllers } from "./node-controllers-wiring.js";
import type { ControllerFactory } from "../controllers/foundation/controller.js";
import { EventRecorder } from "../controllers/foundation/events.js";
import { Scheduler } from "../scheduler/scheduler.js";
import { clusterDnsController } from "../controllers/cluster-dns.js";
import { clusterDnsServers } from "./service-wiring.js";
import { startVolumeBinding } from "./storage-wiring.js";

/** Something that runs only while its replica leads. */
export interface Elected {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `what` while this replica holds `lease` (election undefined: --leader-elect=false, always). Returns the stop
 * of the whole: a leader stops what it runs and releases the Lease.
 */
export async function electedRun(
  store: Store,
  election: ControlPlaneConfig["election"],
  lease: { namespace: string; name: string },
  what: Elected,
  log: (m: string) => void,
  status?: LeaderStatus,
): Promise<{ stop(): Promise<void> }> {
  if (!election) {
    await what.start();
    return { stop: () => what.stop() };
  }
  const key = `${lease.namespace}/${lease.name}`;
  status?.set(lease.name, false);
  const elector = new LeaderElector({
    store,
    clock: realClock,
    ...lease,
    identity: election.identity,
    timing: election.timing,
    onStartedLeading: () => {
      status?.set(lease.name, true);
      void what.start();
    },
    onStoppedLeading: () => {
      status?.set(lease.name, false);
      return what.stop();
    },
    onNewLeader: (id) => log(`leader of ${key}: ${id}`),
    log,
  });
  log(`leader election: ${election.identity} is a candidate for ${key}`);
  elector.start();
  return { stop: () => elector.stop() };
}

export interface ControlPlane {
  store: Store;
  api: ApiServer;
  /** Whether this replica's controllers act now. */
  leading(): boolean;
  stop(): Promise<void>;
}

export async function startControlPlane(c: ControlPlaneConfig, log: (msg: string) => void = defaultLog): Promise<ControlPlane> {
  const cfg = c.daemon;
  // Before anything on the host changes: bad encryption or admission configuration refuses the start.
  const transformer = encryptionFrom(cfg.encryptionProviderConfig);
  const podSecurity = podSecuritySettings(cfg);
  auditSettings(cfg);
  mkdirSync(cfg.root, { recursive: true, mode: 0o700 });
  chmodSync(cfg.root, 0o700);
  writeDaemonPid(cfg.root);
  const store = openClusterStore(cfg, join(cfg.root, "store.db"), transformer, () => false, log);
  const runner = new HostRunner();
  const podIO = await kubeletPodIO(cfg.root, store, runner);
  const metrics = new Registry();
  const leaders = new LeaderStatus();
  metrics.collect(() => leaders.families());
  let stopAccess = (): void => undefined;
  const hostIP = cfg.nodeIP ?? cfg.listen?.host ?? "127.0.0.1";
  const { api } = await startApi(
    cfg,
    store,
    podIO,
    runner,
    hostIP === "0.0.0.0" ? "" : hostIP,
    log,
    { main: metrics, cadvisor: new Registry(), traces: new StartTraces(0) },
    (a, rootCA) => {
      stopAccess = installAdmission(cfg, store, a, rootCA, podSecurity, log);
    },
    { nodeName: "" },
    c.endpoint,
  );
  // The node controllers (IPAM from --cluster-cidr, lifecycle, taint eviction) run with the workload controllers.
  const nodeSet = cfg.network ? nodeCidrSet(cfg.clusterCIDR, cfg.nodeControllers.nodeCidrMaskSize) : undefined;
  // kube-dns's Endpoints list every node's DNS server (each node serves DNS for the whole cluster).
  const dnsController = cfg.network ? [clusterDnsController(clusterDnsServers(cfg)[0])] : [];
  const controllers = new LeaderControllers(api, store, cfg.eventTtlSeconds * 1000, [...nodeControllers(cfg.nodeControllers, nodeSet), ...dnsController], log);
  const controllerManager = await electedRun(store, c.election, CONTROLLER_MANAGER_LEASE, controllers, log, leaders);
  const scheduler = await electedRun(store, c.election, SCHEDULER_LEASE, new ElectedScheduler(api, store, log), log, leaders);
  log(`nodelet control-plane ready: root ${cfg.root}, store ${cfg.etcdServers.length ? cfg.etcdServers.join(",") : "sqlite"}`);
  return {
    store,
    api,
    leading: () => controllers.running,
    async stop() {
      await scheduler.stop();
      await controllerManager.stop();
      await api.close();
      stopAccess();
      store.close();
      removeDaemonPid(cfg.root);
    },
  };
}

/**
 * The API server's way to the kubelets: the cluster CA (made here if this is the first start; the API's serving
 * certificate is issued from it next) and a client certificate CN=kube-apiserver-kubelet-client with no group, so
 * it is worth nothing against the API itself.
 */
async function kubeletPodIO(root: string, store: Store, runner: Runner): Promise<KubeletPodIO> {
  const dir = join(root, "pki");
  const ca = await ensureCA(dir, runner);
  const client = await issueCert(runner, { dir, name: "apiserver-kubelet-client", commonName: APISERVER_KUBELET_CLIENT, usage: "client" });
  return new KubeletPodIO({ node: (name) => store.get<Node>("Node", "", name), ca: ca.cert, cert: client.cert, key: client.key });
}

/** What the controllers' leader runs: the workload and node controllers, the endpoints and PV controllers, event expiry. */
class LeaderControllers implements Elected {
  private stops: (() => Promise<void> | void)[] = [];
  private starting?: Promise<void>;
  running = false;

  constructor(
    private readonly api: ApiServer,
    private readonly store: Store,
    private readonly eventTtlMs: number,
    private readonly extra: ControllerFactory[],
    private readonly log: (m: string) => void,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.starting = (async () => {
      const upkeep = startApiUpkeep(this.store, this.eventTtlMs, realClock, this.log);
      this.stops.push(() => upkeep.stop());
      const workloads = await startWorkloads(this.api, realClock, "", this.log, this.extra);
      this.stops.push(() => workloads.stop());
      // The PV controller binds; each node's agent provisions the local volumes of the claims chosen for it.
      const volumes = startVolumeBinding(this.store, realClock, this.log);
      this.stops.push(() => volumes.stop());
    })();
    await this.starting;
  }

  async stop(): Promise<void> {
    await this.starting;
    this.running = false;
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}

/** What the scheduler's leader runs: the scheduler, binding the pods created without spec.nodeName (the all-in-one daemon binds at admission). */
class ElectedScheduler implements Elected {
  private scheduler?: Scheduler;

  constructor(
    private readonly api: ApiServer,
    private readonly store: Store,
    private readonly log: (m: string) => void,
  ) {}

  start(): Promise<void> {
    if (this.scheduler) return Promise.resolve();
    const api = this.api.objectApi();
    this.scheduler = new Scheduler({ store: this.store, api, events: new EventRecorder(api, "default-scheduler", realClock, this.log), clock: realClock, log: this.log });
    this.scheduler.start();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.scheduler?.stop();
    this.scheduler = undefined;
    return Promise.resolve();
  }
}
