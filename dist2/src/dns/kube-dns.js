import { setServiceDefaults } from "../api/service.js";
import { formatIPv4 } from "../api/cidr.js";
export const DNS_NAMESPACE = "kube-system";
export const DNS_SERVICE = "kube-dns";
/** `<service CIDR base>.10`. */
export function defaultDnsServiceIP(serviceCIDR) {
    return formatIPv4(serviceCIDR.base + 10);
}
export function kubeDnsService(clusterIP) {
    const svc = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: DNS_SERVICE, namespace: DNS_NAMESPACE, labels: { "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS", "kubernetes.io/cluster-service": "true" } },
        spec: {
            clusterIP,
            ports: [
                { name: "dns", protocol: "UDP", port: 53, targetPort: 53 },
                { name: "dns-tcp", protocol: "TCP", port: 53, targetPort: 53 },
            ],
        },
    };
    setServiceDefaults(svc);
    return svc;
}
export function kubeDnsEndpoints(listenIP, port) {
    return {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name: DNS_SERVICE, namespace: DNS_NAMESPACE, labels: { "k8s-app": "kube-dns" } },
        subsets: [{ addresses: [{ ip: listenIP }], ports: [{ name: "dns", port, protocol: "UDP" }, { name: "dns-tcp", port, protocol: "TCP" }] }],
    };
}
/**
 * Creates or repairs the Service and Endpoints. Throws Error naming the holder when another service has the IP.
 * Returns the service's cluster IP.
 */
export function ensureKubeDns(store, clusterIP, listenIP, port) {
    const taken = store.list("Service").items.find((s) => s.spec.clusterIP === clusterIP && !(s.metadata.namespace === DNS_NAMESPACE && s.metadata.name === DNS_SERVICE));
    if (taken)
        throw new Error(`cluster DNS: ${clusterIP} is held by service ${taken.metadata.namespace}/${taken.metadata.name}; choose --cluster-dns`);
    const want = kubeDnsService(clusterIP);
    const have = store.get("Service", DNS_NAMESPACE, DNS_SERVICE);
    if (!have)
        store.create(want);
    else if (have.spec.clusterIP !== clusterIP) {
        store.delete("Service", DNS_NAMESPACE, DNS_SERVICE);
        store.create(want);
    }
    else if (JSON.stringify(have.spec.ports) !== JSON.stringify(want.spec.ports))
        store.update({ ...have, spec: want.spec });
    const ep = kubeDnsEndpoints(listenIP, port);
    const oldEp = store.get("Endpoints", DNS_NAMESPACE, DNS_SERVICE);
    if (!oldEp)
        store.create(ep);
    else if (JSON.stringify(oldEp.subsets) !== JSON.stringify(ep.subsets))
        store.update({ ...ep, metadata: oldEp.metadata });
    return clusterIP;
}
//# sourceMappingURL=kube-dns.js.map