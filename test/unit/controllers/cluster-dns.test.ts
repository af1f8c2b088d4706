/**
 * The control plane's kube-dns Endpoints in a cluster: one address per Node — its pod CIDR's gateway, where the
 * node serves DNS — Ready nodes as addresses, others as notReadyAddresses, Nodes without a CIDR left out; written
 * to the Service's Endpoints without losing anyone's, and left alone while only heartbeats change.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Endpoints, Node, Service } from "../../../src/api/types.js";
import { nodeDnsListeners } from "../../../src/controllers/cluster-dns.js";
import { ensureKubeDns, kubeDnsEndpoints } from "../../../src/controllers/kube-dns.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const node = (name: string, podCIDR: string | undefined, ready: "True" | "False" | "Unknown"): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: { conditions: [{ type: "Ready", status: ready }] },
});

describe("cluster DNS endpoints from Nodes", () => {
  it("lists every node's gateway, sorted by node, ready apart from not ready; a node without a CIDR is left out", () => {
    const l = nodeDnsListeners([node("n3", "10.244.2.0/24", "True"), node("n1", "10.244.0.0/24", "True"), node("n2", "10.244.1.0/24", "Unknown"), node("n4", undefined, "True")]);
    assert.deepEqual(l.ready, [{ ip: "10.244.0.1", nodeName: "n1" }, { ip: "10.244.2.1", nodeName: "n3" }]);
    assert.deepEqual(l.notReady, [{ ip: "10.244.1.1", nodeName: "n2" }]);
  });

  it("the Endpoints: both kinds in one subset with the dns ports; no node at all is no subset", () => {
    const ep = kubeDnsEndpoints({ ready: [{ ip: "10.244.0.1", nodeName: "n1" }], notReady: [{ ip: "10.244.1.1", nodeName: "n2" }] }, 53);
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: "10.244.0.1", nodeName: "n1" }], notReadyAddresses: [{ ip: "10.244.1.1", nodeName: "n2" }], ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }] }]);
    assert.deepEqual(kubeDnsEndpoints({ ready: [] }, 53).subsets, []);
  });

  it("ensureKubeDns writes the Service once and the Endpoints as the listeners change", async () => {
    const store = openStore(":memory:");
    try {
      ensureKubeDns(store, "10.96.0.10", nodeDnsListeners([node("n1", "10.244.0.0/24", "True")]), 53);
      ensureKubeDns(store, "10.96.0.10", nodeDnsListeners([node("n1", "10.244.0.0/24", "True"), node("n2", "10.244.1.0/24", "True")]), 53);
      const svc = store.get<Service>("Service", "kube-system", "kube-dns")!;
      assert.equal(svc.spec.clusterIP, "10.96.0.10");
      assert.equal(svc.spec.selector, undefined);
      const ep = store.get<Endpoints>("Endpoints", "kube-system", "kube-dns")!;
      assert.deepEqual(ep.subsets?.[0].addresses?.map((a) => a.ip), ["10.244.0.1", "10.244.1.1"]);
      const rv = ep.metadata.resourceVersion;
      ensureKubeDns(store, "10.96.0.10", nodeDnsListeners([node("n1", "10.244.0.0/24", "True"), node("n2", "10.244.1.0/24", "True")]), 53);
      assert.equal(store.get<Endpoints>("Endpoints", "kube-system", "kube-dns")!.metadata.resourceVersion, rv, "nothing changed, nothing written");
    } finally {
      store.close();
    }
  });
});
