/**
 * The `kube-system/kube-dns` Service that makes the node's DNS server reachable the Kubernetes way: cluster IP
 * `<service CIDR>.10` (kubeadm's convention, and the kubelet's --cluster-dns), ports 53/UDP and 53/TCP named `dns`
 * and `dns-tcp`, no selector, and an Endpoints object pointing at the daemon's DNS listener (the bridge gateway),
 * which the endpoints controller mirrors to an EndpointSlice for the proxy. Written to the store directly at start
 * and kept as they should be; the IP is refused when another service already holds it. In a cluster the control
 * plane keeps the Endpoints instead, one address per node (controllers/cluster-dns.ts): every node serves DNS.
 */
import type { EndpointAddress, EndpointPort, Endpoints, KubeObject, Service } from "../api/types.js";
import type { ListResult } from "../store/store.js";
import { setServiceDefaults } from "../api/service.js";
import { formatIPv4, type Cidr } from "../api/cidr.js";

export const DNS_NAMESPACE = "kube-system";
export const DNS_SERVICE = "kube-dns";

/** `<service CIDR base>.10`. */
export function defaultDnsServiceIP(serviceCIDR: Cidr): string {
  return formatIPv4(serviceCIDR.base + 10);
}

export function kubeDnsService(clusterIP: string): Service {
  const svc: Service = {
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

/** The DNS listeners behind the Service: ready ones get traffic, not-ready ones are listed apart (as for pods). */
export interface DnsListeners {
  ready: EndpointAddress[];
  notReady?: EndpointAddress[];
}

export function kubeDnsEndpoints(listeners: DnsListeners, port: number): Endpoints {
  const ports: EndpointPort[] = [{ name: "dns", port, protocol: "UDP" }, { name: "dns-tcp", port, protocol: "TCP" }];
  const notReady = listeners.notReady ?? [];
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: DNS_SERVICE, namespace: DNS_NAMESPACE, labels: { "k8s-app": "kube-dns" } },
    subsets: listeners.ready.length || notReady.length ? [{ ...(listeners.ready.length ? { addresses: listeners.ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }] : [],
  };
}

/** What ensureKubeDns needs of the store or the API: the Store and a controller's ObjectApi both are one. */
export interface KubeDnsWriter {
  get<T extends KubeObject>(kind: string, namespace: string, name: string): T | undefined;
  list<T extends KubeObject>(kind: string): Pick<ListResult<T>, "items">;
  create<T extends KubeObject>(obj: T): T;
  update<T extends KubeObject>(obj: T): T;
  delete(kind: string, namespace: string, name: string): unknown;
}

/**
 * Creates or repairs the Service and Endpoints. Throws Error naming the holder when another service has the IP.
 * Returns the service's cluster IP.
 */
export function ensureKubeDns(store: KubeDnsWriter, clusterIP: string, listeners: string | DnsListeners, port: number): string {
  const taken = store.list<Service>("Service").items.find((s) => s.spec.clusterIP === clusterIP && !(s.metadata.namespace === DNS_NAMESPACE && s.metadata.name === DNS_SERVICE));
  if (taken) throw new Error(`cluster DNS: ${clusterIP} is held by service ${taken.metadata.namespace}/${taken.metadata.name}; choose --cluster-dns`);
  const want = kubeDnsService(clusterIP);
  const have = store.get<Service>("Service", DNS_NAMESPACE, DNS_SERVICE);
  if (!have) store.create(want);
  else if (have.spec.clusterIP !== clusterIP) {
    store.delete("Service", DNS_NAMESPACE, DNS_SERVICE);
    store.create(want);
  } else if (JSON.stringify(have.spec.ports) !== JSON.stringify(want.spec.ports)) store.update({ ...have, spec: want.spec });
  const ep = kubeDnsEndpoints(typeof listeners === "string" ? { ready: [{ ip: listeners }] } : listeners, port);
  const oldEp = store.get<Endpoints>("Endpoints", DNS_NAMESPACE, DNS_SERVICE);
  if (!oldEp) store.create(ep);
  else if (JSON.stringify(oldEp.subsets ?? []) !== JSON.stringify(ep.subsets)) store.update({ ...ep, metadata: oldEp.metadata });
  return clusterIP;
}
