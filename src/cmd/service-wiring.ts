/**
 * Wiring of the Services feature into the daemon: allocation hooks (always: they are API behaviour), and — with the
 * bridge network — the cluster DNS server on the bridge gateway, its kube-dns Service, and the service proxy of
 * --proxy-mode. stop(cleanup) undoes what start did. The endpoints controller is upkeep-wiring.ts's.
 */
import type { Endpoints, KubeObject, Service } from "../api/types.js";
import { ClusterIPAllocator } from "../controllers/cluster-ip-allocator.js";
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
 * With a bridge network, starts the DNS server and the proxy (the Endpoints they read are the endpoints controller's:
 * upkeep-wiring.ts). The all-in-one daemon publishes the kube-dns Service at its DNS server (`publishDns`); a joined
 * node does not (its control plane lists every node's: controllers/cluster-dns.ts).
 */
export async function startServices(cfg: DaemonConfig, store: Store, runner: Runner, network: BridgeNetwork | undefined, log: (m: string) => void, publishDns = true): Promise<ServicesRuntime> {
  if (!network) return { stop: async () => undefined };
  const s = network.settings;
  const gateway = formatIPv4(s.gateway);
  const dns = await startDns(cfg, store, gateway, log, publishDns);
  const proxy = new ProxyController(
    store,
    runner,
    { mode: cfg.proxyMode, nodeName: cfg.nodeName, nodeIP: network.hostIP(), bridge: s.bridge, clusterCIDR: formatCidr(s.cluster), podCIDR: formatCidr(s.pod), serviceCIDR: formatCidr(s.service), firewall: { kind: network.firewallKind ?? "nftables", iptablesVariant: "system" } },
    log,
    () => hostKernelFiles(runner).legacyIptablesTables(),
  );
  await proxy.start();
  log(`services: proxy mode ${cfg.proxyMode}, service CIDR ${formatCidr(s.service)}, cluster DNS ${clusterDnsServers(cfg).join(",")} → ${gateway}:53${cfg.dnsUpstream ? `, upstream ${cfg.dnsUpstream}` : ""}`);
  return {
    proxy,
    dns,
    async stop(cleanup) {
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
