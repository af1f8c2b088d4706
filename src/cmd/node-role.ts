/**
 * `nodelet node`: the kubelet, service proxy, node DNS and local volume provisioner of one machine, joined to a
 * control plane. Everything the node reads and writes goes through the control plane's API over HTTPS
 * (store/remote-store.ts) as the node's own user, so the control plane's admission and authorization apply; no API
 * server, store or controller runs here (the provisioner is a node's, as upstream's local provisioners are).
 * ServiceAccount tokens for the pods' projected volumes are TokenRequests to the control plane.
 */
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bootstrapNodeCredentials } from "../auth/tls-bootstrap.js";
import { bootstrapToken, nodeCredentialsFromBootstrap } from "../auth/bootstrap-kubeconfig.js";
import { DEFAULT_SERVICE_ACCOUNT, type ServiceAccount } from "../api/service-account.js";
import type { Pod } from "../api/types.js";
import { PodTokens } from "../auth/pod-tokens.js";
import type { IssueRequest, IssuedToken } from "../auth/service-account-tokens.js";
import { Registry } from "../metrics/registry.js";
import { BridgeNetwork } from "../network/bridge-network.js";
import { withFieldManager } from "../store/field-manager-store.js";
import { readKubeconfigEndpoint } from "../store/remote-kubeconfig.js";
import { RemoteStore } from "../store/remote-store.js";
import type { RemoteEndpoint } from "../store/remote-worker.js";
import { defaultLog } from "./daemon.js";
import { recordSetup } from "./daemon-record.js";
import { removeDaemonPid, writeDaemonPid } from "./daemon-stop.js";
import { nodeImages } from "./image-wiring.js";
import { createNodeHost, podDirs, reportAdoption, startKubelet, storeConfigObjects, type KubeletParts } from "./node-wiring.js";
import { loadNodeRegistries, registrySources } from "./registry-wiring.js";
import type { NodeRoleConfig } from "./role-config.js";
import { startServices } from "./service-wiring.js";
import { crossNodeRoutes, joiningPodCIDR, startCrossNodeRoutes } from "./cross-node-wiring.js";
import { realClock } from "../sys/clock.js";
import { startKubeletServer } from "./kubelet-server-wiring.js";
import { startStorage } from "./storage-wiring.js";
import { startClientCertificateRotation } from "./client-certificate-wiring.js";

export interface NodeRole {
  store: RemoteStore;
  kubelet: KubeletParts;
  stop(): Promise<void>;
}

export async function startNodeRole(c: NodeRoleConfig, log: (msg: string) => void = defaultLog): Promise<NodeRole> {
  if (process.getuid?.() !== 0) throw new Error("nodelet node must run as root: it creates namespaces, cgroups and mounts");
  let cfg = c.daemon;
  const registries = loadNodeRegistries(cfg.registries, cfg.root);
  // The control plane first: a wrong server, CA or credential refuses the start before anything on the host changes.
  const endpoint = await credentials(c, log);
  const store = new RemoteStore({ endpoint, log });
  try {
    const v = store.version();
    store.list("Node", { limit: 1 });
    log(`control plane ${endpoint.server}: ${v.gitVersion ?? "?"}`);
  } catch (err) {
    store.close();
    throw new Error(`cannot use the control plane at ${endpoint.server}: ${(err as Error).message}`, { cause: err });
  }
  if (cfg.network) {
    // The bridge takes the Node's pod CIDR: assigned by the control plane's node IPAM controller unless --pod-cidr is given.
    try {
      cfg = { ...cfg, podCIDR: await joiningPodCIDR(store, cfg.nodeName, c.podCIDRFlag, realClock, 120_000, log) };
    } catch (err) {
      store.close();
      throw err;
    }
  }
  mkdirSync(cfg.root, { recursive: true, mode: 0o700 });
  chmodSync(cfg.root, 0o700);
  recordSetup(cfg);
  writeDaemonPid(cfg.root);
  const host = createNodeHost(cfg, log);
  const { images, network, runtime, runner, layout, cgroups } = host;
  const objects = storeConfigObjects(store, cfg.nodeName);
  // The kubelet may not read ServiceAccounts (the Node authorizer): the TokenRequest names the account, and the
  // control plane answers NotFound for one that does not exist.
  objects.tokens = new PodTokens({ issue: (r) => tokenRequest(store, r) }, (namespace, name) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { namespace, name } }));
  host.useStore(store, objects);
  await images.removeTemporaries();
  await images.ensureBusybox();
  const imageSet = nodeImages(cfg, images, runtime, log, registrySources(registries));
  // The network owns leases of this node's pods (in the API, or with a sandbox on disk); the rest are collected.
  const mine = store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${cfg.nodeName}` }).items;
  await network.start(new Set([...mine.map((p) => p.metadata.uid!), ...podDirs(layout.podsDir)]));
  const kubelet = await startKubelet(cfg, host, withFieldManager(store, "kubelet"), { images: imageSet, metrics: new Registry(), serviceStore: store, log, worker: true, kubeletPort: c.kubeletPort });
  // The client certificate renewed before it expires (bootstrap-joined nodes); a --kubeconfig one's expiry logged.
  const clientCert = startClientCertificateRotation({
    store,
    endpoint,
    nodeName: cfg.nodeName,
    bootstrap: bootstrapCredentials(c.join, join(cfg.root, "pki")),
    kubeconfig: "kubeconfig" in c.join ? c.join.kubeconfig : undefined,
    clock: realClock,
    log,
  });
  // The control plane reaches the node's pods' IO here (logs, exec, attach, port-forward, metrics).
  const kubeletServer = await startKubeletServer({ root: cfg.root, nodeName: cfg.nodeName, hostIP: network.hostIP(), port: c.kubeletPort, clientCA: endpoint.ca, store, kubelet: kubelet.kubelet, host, log });
  // The node's local provisioner: claims the scheduler chose this node for, and the volumes made here.
  const storage = await startStorage({ root: cfg.root, nodeName: cfg.nodeName, store, runner, clock: realClock, eventLimits: { qps: cfg.eventQps, burst: cfg.eventBurst }, log }, "node");
  const services = await startServices(cfg, store, runner, network instanceof BridgeNetwork ? network : undefined, log, false);
  // Routes to the other nodes' pod CIDRs (or VXLAN), from the Nodes the control plane holds.
  const crossNode = network instanceof BridgeNetwork ? crossNodeRoutes(cfg.crossNode, network.settings, runner, cfg.nodeName, log) : undefined;
  const crossNodeWatch = crossNode ? startCrossNodeRoutes(store, realClock, crossNode, log) : undefined;
  log(`nodelet node ready: node ${cfg.nodeName}, control plane ${endpoint.server}, root ${cfg.root}, cgroup v${cgroups.version}`);
  void reportAdoption(kubelet.kubelet, log);
  return {
    store,
    kubelet,
    async stop() {
      await clientCert.stop();
      await kubeletServer.stop();
      crossNodeWatch?.stop();
      await kubelet.stop();
      await storage.stop();
      await services.stop(cfg.cleanupOnExit);
      if (cfg.cleanupOnExit) await crossNode?.reset();
      store.close();
      host.spawner.stop();
      registries.client.close();
      removeDaemonPid(cfg.root);
    },
  };
}

/**
 * The node's credentials: a kubeconfig it was given, or a client certificate the TLS bootstrap gets with a bootstrap
 * token — from --bootstrap-kubeconfig, or --server and --token — through a CSR the control plane approves, kept in
 * ROOT/pki/kubelet.conf and reused.
 */
async function credentials(c: NodeRoleConfig, log: (m: string) => void): Promise<RemoteEndpoint> {
  if ("kubeconfig" in c.join) return readKubeconfigEndpoint(c.join.kubeconfig);
  if ("bootstrapKubeconfig" in c.join) return readKubeconfigEndpoint(await nodeCredentialsFromBootstrap({ file: c.join.bootstrapKubeconfig, root: c.daemon.root, nodeName: c.daemon.nodeName, log }));
  const j = c.join;
  log("--token: the bootstrap token is on this agent's command line, which every user of the host can read (ps); --bootstrap-kubeconfig keeps it in a file of its own");
  const conf = await bootstrapNodeCredentials({
    server: j.server,
    token: j.token,
    nodeName: c.daemon.nodeName,
    dir: join(c.daemon.root, "pki"),
    ...(j.caFile ? { caPem: readFileSync(j.caFile, "utf8") } : { caHash: j.caCertHash }),
    log,
  });
  return readKubeconfigEndpoint(conf);
}

/** How an expired client certificate is renewed: with --token's token, or the one a bootstrap kubeconfig put back holds. */
function bootstrapCredentials(j: NodeRoleConfig["join"], dir: string): { token: () => string | undefined; dir: string } | undefined {
  if ("kubeconfig" in j) return undefined;
  if ("bootstrapKubeconfig" in j) return { token: () => bootstrapToken(j.bootstrapKubeconfig), dir };
  return { token: () => j.token, dir };
}

/** A TokenRequest for the pod's ServiceAccount, bound to the pod (the kubelet's token manager asks this of the API). */
function tokenRequest(store: RemoteStore, r: IssueRequest): IssuedToken {
  const sa: ServiceAccount = r.serviceAccount;
  const ns = sa.metadata.namespace ?? "default";
  const name = sa.metadata.name ?? DEFAULT_SERVICE_ACCOUNT;
  const spec: Record<string, unknown> = { expirationSeconds: r.expirationSeconds };
  if (r.audiences) spec.audiences = r.audiences;
  if (r.pod) spec.boundObjectRef = { kind: "Pod", apiVersion: "v1", name: r.pod.metadata.name, uid: r.pod.metadata.uid };
  const body = store.requestSync({
    method: "POST",
    path: `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(name)}/token`,
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec }),
  });
  const answer = JSON.parse(body) as { status?: { token?: string; expirationTimestamp?: string } };
  if (!answer.status?.token || !answer.status.expirationTimestamp) throw new Error(`failed to fetch token: the TokenRequest for ${ns}/${name} came back without a token`);
  return { token: answer.status.token, expirationTimestamp: answer.status.expirationTimestamp };
}
