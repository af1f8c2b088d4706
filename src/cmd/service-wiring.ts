/**
 * Wiring of the Services feature into the daemon: allocation hooks and the endpoints controller (always: they are
 * API behaviour), and — with the bridge network — the cluster DNS server on the bridge gateway, its kube-dns
 * Service, and the service proxy of --proxy-mode. stop(cleanup) undoes what start did.
 */
import type { Endpoints, KubeObject, Service } from "../api/types.js";
import { ClusterIPAllocator } from "../controllers/cluster-ip-allocator.js";
import { EndpointsController } from "../controllers/endpoints-controller.js";
import { NodePortAllocator } from "../controllers/node-port-allocator.js";
import { ServiceAllocation } from "../controllers/service-allocation.js";
import { NODE_PORT_RANGE } from "../api/service.js";
import { DnsServer } from "../dns/dns-server.js";
import { defaultDnsServiceIP, ensureKubeDns } from "../controllers/kube-dns.js";
import type { ClusterView } from "../dns/records.js";
import type { BridgeNetwork } from "../network/bridge-network.js";
import { formatCidr, formatIPv4, parseCidrSetting } from "../api/cidr.js";
import { hostKernelFiles } from "../sys/kernel-files.js";
import { ProxyController } from "../proxy/proxy-controller.js";
import type { Store } from "../store/store.js";
import type { Runner } from "../sys/runner.js";
import type { DaemonConfig } from "./daemon-config.js";
import { withFieldManager } from "../store/field-manager-store.js";

export interface HookTarget {
  registerCreateHook(kind: string, fn: (obj: KubeObject) => KubeObject | void): () => void;
  registerUpdateHook(kind: string, fn: (obj: KubeObject, old: KubeObject) => KubeObject | void): () => void;
}

/** The DNS server addresses pods get: --cluster-dns, else the kube-dns service IP when there is a pod network. */
export function clusterDnsServers(cfg: DaemonConfig): string[] {
  if (cfg.clusterDNS.length || !cfg.network) return cfg.clusterDNS;
  return [defaultDnsServiceIP(parseCidrSetting("--service-cidr", cfg.serviceCIDR))];
}

/** Registers the allocation hooks (before the API listens); returns the function that removes them. */
export function installServiceAllocation(cfg: DaemonConfig, store: Store, api: HookTarget): () => void {
  const cidr = parseCidrSetting("--service-cidr", cfg.serviceCIDR);
  return new ServiceAllocation(new ClusterIPAllocator(cidr), new NodePortAllocator(NODE_PORT_RANGE)).install(store, api);
}

export interface ServicesRuntime {
  proxy?: ProxyController;
  dns?: DnsServer;
  stop(cleanup: boolean): Promise<void>;
}

/**
 * Starts the endpoints controller (unless `endpointsController` is false: a joined node, whose control plane runs
 * it), and with a bridge network the DNS server and the proxy. The all-in-one daemon publishes the kube-dns Service
 * at its DNS server; a joined node does not (its control plane lists every node's: controllers/cluster-dns.ts).
 */
export async function startServices(cfg: DaemonConfig, store: Store, runner: Runner, network: BridgeNetwork | undefined, log: (m: string) => void, endpointsController = true): Promise<ServicesRuntime> {
  const endpoints = endpointsController ? new EndpointsController(withFieldManager(store, "kube-controller-manager"), log) : { start: () => undefined, stop: () => undefined };
  endpoints.start();
  if (!network) return { stop: async () => endpoints.stop() };
  const s = network.settings;
  const gateway = formatIPv4(s.gateway);
  const dns = await startDns(cfg, store, gateway, log, endpointsController);
  const proxy = new ProxyController(
    store,
    runner,
    { mode: cfg.proxyMode, bridge: s.bridge, clusterCIDR: formatCidr(s.cluster), podCIDR: formatCidr(s.pod), serviceCIDR: formatCidr(s.service), firewall: { kind: network.firewallKind ?? "nftables", iptablesVariant: "system" } },
    log,
    () => hostKernelFiles(runner).legacyIptablesTables(),
  );
  await proxy.start();
  log(`services: proxy mode ${cfg.proxyMode}, service CIDR ${formatCidr(s.service)}, cluster DNS ${clusterDnsServers(cfg).join(",")} → ${gateway}:53${cfg.dnsUpstream ? `, upstream ${cfg.dnsUpstream}` : ""}`);
  return {
    proxy,
    dns,
    async stop(cleanup) {
      endpoints.stop();
      await proxy.stop(cleanup);
      await dns?.stop();
    },
  };
}

/** The DNS server on the gateway, and the kube-dns Service pointing at it; a failure is logged, not fatal. */
async function startDns(cfg: DaemonConfig, store: Store, gateway: string, log: (m: string) => void, publish: boolean): Promise<DnsServer | undefined> {
  const view: ClusterView = {
    service: (ns, name) => store.get<Service>("Service", ns, name),
    endpoints: (ns, name) => store.get<Endpoints>("Endpoints", ns, name),
  };
  const dns = new DnsServer({ host: gateway, port: 53, domain: cfg.clusterDomain, view, upstream: cfg.dnsUpstream, log });
  try {
    await dns.start();
  } catch (err) {
    log(`cluster DNS not started: ${String(err)}`);
    await dns.stop().catch(() => undefined);
    return undefined;
  }
  if (!publish) return dns;
  try {
    ensureKubeDns(store, clusterDnsServers(cfg)[0], gateway, 53);
  } catch (err) {
    log(`the kube-dns Service was not published: ${String(err)}`);
  }
  return dns;
}
