import { ClusterIPAllocator } from "../controllers/cluster-ip-allocator.js";
import { EndpointsController } from "../controllers/endpoints-controller.js";
import { NodePortAllocator } from "../controllers/node-port-allocator.js";
import { ServiceAllocation } from "../controllers/service-allocation.js";
import { NODE_PORT_RANGE } from "../api/service.js";
import { DnsServer } from "../dns/dns-server.js";
import { defaultDnsServiceIP, ensureKubeDns } from "../dns/kube-dns.js";
import { formatCidr, formatIPv4, parseCidrSetting } from "../api/cidr.js";
import { hostKernelFiles } from "../network/kernel-files.js";
import { ProxyController } from "../proxy/proxy-controller.js";
/** The DNS server addresses pods get: --cluster-dns, else the kube-dns service IP when there is a pod network. */
export function clusterDnsServers(cfg) {
    if (cfg.clusterDNS.length || !cfg.network)
        return cfg.clusterDNS;
    return [defaultDnsServiceIP(parseCidrSetting("--service-cidr", cfg.serviceCIDR))];
}
/** Registers the allocation hooks (before the API listens); returns the function that removes them. */
export function installServiceAllocation(cfg, store, api) {
    const cidr = parseCidrSetting("--service-cidr", cfg.serviceCIDR);
    return new ServiceAllocation(new ClusterIPAllocator(cidr), new NodePortAllocator(NODE_PORT_RANGE)).install(store, api);
}
/** Starts the endpoints controller, and with a bridge network the DNS server and the proxy. */
export async function startServices(cfg, store, runner, network, log) {
    const endpoints = new EndpointsController(store, log);
    endpoints.start();
    if (!network)
        return { stop: async () => endpoints.stop() };
    const s = network.settings;
    const gateway = formatIPv4(s.gateway);
    const dns = await startDns(cfg, store, gateway, log);
    const proxy = new ProxyController(store, runner, { mode: cfg.proxyMode, bridge: s.bridge, clusterCIDR: formatCidr(s.cluster), podCIDR: formatCidr(s.pod), serviceCIDR: formatCidr(s.service), firewall: { kind: network.firewallKind ?? "nftables", iptablesVariant: "system" } }, log, () => hostKernelFiles(runner).legacyIptablesTables());
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
async function startDns(cfg, store, gateway, log) {
    const view = {
        service: (ns, name) => store.get("Service", ns, name),
        endpoints: (ns, name) => store.get("Endpoints", ns, name),
    };
    const dns = new DnsServer({ host: gateway, port: 53, domain: cfg.clusterDomain, view, upstream: cfg.dnsUpstream, log });
    try {
        await dns.start();
        const serviceIP = clusterDnsServers(cfg)[0];
        ensureKubeDns(store, serviceIP, gateway, 53);
        return dns;
    }
    catch (err) {
        log(`cluster DNS not started: ${String(err)}`);
        await dns.stop().catch(() => undefined);
        return undefined;
    }
}
//# sourceMappingURL=service-wiring.js.map