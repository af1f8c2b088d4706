/** The kubernetes Service (the API for pods) and which services' variables a pod gets. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Endpoints, Service } from "../../../src/api/types.js";
import { ensureKubernetesService } from "../../../src/controllers/kubernetes-service.js";
import { serviceEnvVars, servicesForPod } from "../../../src/controllers/service-env.js";
import { openStore } from "../../../src/store/sqlite-store.js";

describe("the kubernetes Service", () => {
  it("is made at the first address, 443 → the API's listener, and repaired", () => {
    const store = openStore(":memory:");
    try {
      ensureKubernetesService(store, "10.96.0.1", { ip: "192.168.1.5", port: 6443 }, 6443);
      const svc = store.get<Service>("Service", "default", "kubernetes")!;
      assert.equal(svc.spec.clusterIP, "10.96.0.1");
      assert.deepEqual(svc.spec.ports, [{ name: "https", protocol: "TCP", port: 443, targetPort: 6443 }]);
      assert.deepEqual(store.get<Endpoints>("Endpoints", "default", "kubernetes")!.subsets, [{ addresses: [{ ip: "192.168.1.5" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }]);
      ensureKubernetesService(store, "10.96.0.1", undefined, 6443);
      assert.deepEqual(store.get<Endpoints>("Endpoints", "default", "kubernetes")!.subsets, []);
      store.create<Service>({ apiVersion: "v1", kind: "Service", metadata: { name: "squatter", namespace: "x" }, spec: { clusterIP: "10.96.0.2", ports: [{ port: 1 }] } });
      assert.throws(() => ensureKubernetesService(store, "10.96.0.2", undefined, 6443), /10\.96\.0\.2 is held by service x\/squatter/);
    } finally {
      store.close();
    }
  });
});

describe("service links", () => {
  const svc = (ns: string, name: string, ip: string): Service => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports: [{ port: 443, protocol: "TCP" }] } });
  const all = [svc("default", "kubernetes", "10.96.0.1"), svc("team", "web", "10.96.0.20"), svc("default", "other", "10.96.0.30")];
  it("every pod gets the kubernetes Service's variables, enableServiceLinks or not", () => {
    const env = serviceEnvVars(servicesForPod(all, "team", false));
    assert.deepEqual(Object.keys(env).filter((k) => k.startsWith("KUBERNETES_")).sort(), [
      "KUBERNETES_PORT", "KUBERNETES_PORT_443_TCP", "KUBERNETES_PORT_443_TCP_ADDR", "KUBERNETES_PORT_443_TCP_PORT", "KUBERNETES_PORT_443_TCP_PROTO", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
    ]);
    assert.equal(env.KUBERNETES_SERVICE_HOST, "10.96.0.1");
    assert.equal(env.WEB_SERVICE_HOST, undefined);
    const linked = serviceEnvVars(servicesForPod(all, "team", true));
    assert.equal(linked.WEB_SERVICE_HOST, "10.96.0.20");
    assert.equal(linked.OTHER_SERVICE_HOST, undefined);
  });
  it("a namespace's own service named kubernetes wins", () => {
    assert.equal(serviceEnvVars(servicesForPod([...all, svc("team", "kubernetes", "10.96.0.99")], "team", true)).KUBERNETES_SERVICE_HOST, "10.96.0.99");
  });
});
