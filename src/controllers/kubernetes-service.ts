/**
 * The `default/kubernetes` Service: how pods reach the API (the apiserver's master endpoint reconciler). Cluster IP
 * the service CIDR's first address, port 443 named `https`, no selector, and an Endpoints object naming the address
 * and port of the API's HTTPS listener, which the endpoints controller mirrors to an EndpointSlice for the proxy.
 * Written at start and repaired to what it should be; an endpoint of undefined (the API listens only on loopback,
 * which pods cannot reach) leaves the Service without endpoints, so connections to it are refused at once.
 */
import { formatIPv4, type Cidr } from "../api/cidr.js";
import { setServiceDefaults } from "../api/service.js";
import type { Endpoints, Service } from "../api/types.js";
import type { Store } from "../store/store.js";

export const API_SERVICE = "kubernetes";

/** The service CIDR's first address (kube-apiserver's --service-cluster-ip-range convention). */
export function apiServiceIP(serviceCIDR: Cidr): string {
  return formatIPv4(serviceCIDR.base + 1);
}

/** The DNS names the API's serving certificate must carry for in-cluster clients. */
export function apiServiceNames(clusterDomain: string): string[] {
  return ["kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${clusterDomain}`];
}

export function kubernetesService(clusterIP: string, targetPort: number): Service {
  const svc: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: API_SERVICE, namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { clusterIP, ports: [{ name: "https", protocol: "TCP", port: 443, targetPort }], sessionAffinity: "None", type: "ClusterIP" },
  };
  setServiceDefaults(svc);
  return svc;
}

/** Creates or repairs the Service and its Endpoints. Throws Error naming the holder when another service has the IP. */
export function ensureKubernetesService(store: Store, clusterIP: string, endpoint: { ip: string; port: number } | undefined, targetPort: number): void {
  const taken = store.list<Service>("Service").items.find((s) => s.spec.clusterIP === clusterIP && !(s.metadata.namespace === "default" && s.metadata.name === API_SERVICE));
  if (taken) throw new Error(`the kubernetes service's address ${clusterIP} is held by service ${taken.metadata.namespace}/${taken.metadata.name}`);
  const want = kubernetesService(clusterIP, targetPort);
  const have = store.get<Service>("Service", "default", API_SERVICE);
  if (!have) store.create(want);
  else if (have.spec.clusterIP !== clusterIP) {
    store.delete("Service", "default", API_SERVICE);
    store.create(want);
  } else if (JSON.stringify(have.spec.ports) !== JSON.stringify(want.spec.ports) || have.spec.selector) {
    store.update({ ...have, spec: { ...have.spec, ports: want.spec.ports, selector: undefined } });
  }
  const subsets: Endpoints["subsets"] = endpoint ? [{ addresses: [{ ip: endpoint.ip }], ports: [{ name: "https", port: endpoint.port, protocol: "TCP" }] }] : [];
  const ep: Endpoints = { apiVersion: "v1", kind: "Endpoints", metadata: { name: API_SERVICE, namespace: "default" }, subsets };
  const old = store.get<Endpoints>("Endpoints", "default", API_SERVICE);
  if (!old) store.create(ep);
  else if (JSON.stringify(old.subsets ?? []) !== JSON.stringify(subsets)) store.update({ ...old, subsets });
}
