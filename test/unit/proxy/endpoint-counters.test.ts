/**
 * The counters read back from the host's rules (endpoint-counters.ts): nft's JSON (as nft 1.0.6 prints our table)
 * and iptables-save -c lines, mapped to service port → endpoint, a node port's connections added to its service
 * port, and what the applied state no longer has left out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { iptablesEndpointCounts, nftEndpointCounts } from "../../../src/proxy/endpoint-counters.js";
import { renderIptablesProxy } from "../../../src/proxy/iptables-rules.js";
import type { ProxyState } from "../../../src/proxy/model.js";
import { endpointHash, iptablesPrefix } from "../../../src/proxy/names.js";

const STATE: ProxyState = {
  services: [
    { name: "default/sticky:", namespace: "default", service: "sticky", portName: "", clusterIP: "10.96.0.6", protocol: "UDP", port: 53, affinitySeconds: 60, endpoints: [{ ip: "10.244.0.12", port: 5353 }] },
    { name: "default/web:http", namespace: "default", service: "web", portName: "http", clusterIP: "10.96.0.5", protocol: "TCP", port: 80, nodePort: 30080, externalIPs: ["192.0.2.10"], endpoints: [{ ip: "10.244.0.10", port: 8080 }, { ip: "10.244.0.11", port: 8080 }] },
  ],
};

const sorted = <T extends { endpointIP: string; clusterIP: string }>(xs: T[]) => [...xs].sort((a, b) => (a.clusterIP + a.endpointIP < b.clusterIP + b.endpointIP ? -1 : 1));

test("nft: element counters of the cluster and node-port maps, the traffic sets (cluster IP and node port), and the affinity chain's dnat rule", () => {
  const sticky = `endpoint-${endpointHash(STATE.services[0], STATE.services[0].endpoints[0])}`;
  const el = (key: unknown[], packets: number, bytes: number, value: unknown[]) => [{ elem: { val: { concat: key }, counter: { packets, bytes } } }, { concat: value }];
  const json = JSON.stringify({
    nftables: [
      { metainfo: { version: "1.0.6", json_schema_version: 1 } },
      { map: { family: "ip", name: "cluster-endpoints-tcp", table: "nodelet-svc-br0", elem: [el(["10.96.0.5", 80, 0], 3, 180, ["10.244.0.10", 8080]), el(["10.96.0.5", 80, 1], 1, 60, ["10.244.0.11", 8080]), el(["10.96.0.99", 80, 0], 7, 420, ["10.244.0.50", 80])], stmt: [{ counter: null }] } },
      { map: { family: "ip", name: "nodeport-endpoints-tcp", table: "nodelet-svc-br0", elem: [el([30080, 0], 2, 120, ["10.244.0.10", 8080])] } },
      { map: { family: "ip", name: "cluster-endpoints-udp", table: "nodelet-svc-br0", stmt: [{ counter: null }] } },
      // Every packet of the connections, both ways (an element for a service the state no longer has is left out).
      { set: { family: "ip", name: "endpoint-traffic-tcp", table: "nodelet-svc-br0", elem: [{ elem: { val: { concat: ["10.96.0.5", 80, "10.244.0.10", 8080] }, counter: { packets: 40, bytes: 5200 } } }, { elem: { val: { concat: ["192.0.2.10", 80, "10.244.0.10", 8080] }, counter: { packets: 8, bytes: 800 } } }, { elem: { val: { concat: ["10.96.0.99", 80, "10.244.0.50", 80] }, counter: { packets: 9, bytes: 900 } } }] } },
      // A node port's: added to its service port's (node port . endpoint IP . port).
      { set: { family: "ip", name: "nodeport-traffic-tcp", table: "nodelet-svc-br0", elem: [{ elem: { val: { concat: [30080, "10.244.0.10", 8080] }, counter: { packets: 12, bytes: 1000 } } }, { elem: { val: { concat: [30080, "10.244.0.11", 8080] }, counter: { packets: 0, bytes: 0 } } }, { elem: { val: { concat: [31999, "10.244.0.50", 80] }, counter: { packets: 3, bytes: 300 } } }] } },
      { map: { family: "ip", name: "service-ips", table: "nodelet-svc-br0", elem: [[{ concat: ["10.96.0.5", "tcp", 80] }, { goto: { target: "lb-c-tcp-2" } }]] } },
      { rule: { family: "ip", table: "nodelet-svc-br0", chain: sticky, expr: [{ set: { op: "update", elem: { payload: { protocol: "ip", field: "saddr" } }, set: "@x" } }] } },
      { rule: { family: "ip", table: "nodelet-svc-br0", chain: sticky, expr: [{ match: { op: "==", left: { meta: { key: "l4proto" } }, right: "udp" } }, { counter: { packets: 5, bytes: 400 } }, { dnat: { addr: "10.244.0.12", port: 5353 } }] } },
    ],
  });
  assert.deepEqual(sorted(nftEndpointCounts(json, STATE)), [
    { clusterIP: "10.96.0.5", port: 80, protocol: "TCP", endpointIP: "10.244.0.10", endpointPort: 8080, packets: 5, bytes: 300, traffic: { packets: 60, bytes: 7000 } },
    { clusterIP: "10.96.0.5", port: 80, protocol: "TCP", endpointIP: "10.244.0.11", endpointPort: 8080, packets: 1, bytes: 60, traffic: { packets: 0, bytes: 0 } },
    { clusterIP: "10.96.0.6", port: 53, protocol: "UDP", endpointIP: "10.244.0.12", endpointPort: 5353, packets: 5, bytes: 400 },
  ]);
  // A table from before counters (elements without one) gives nothing rather than zeros.
  assert.deepEqual(nftEndpointCounts(JSON.stringify({ nftables: [{ map: { name: "cluster-endpoints-tcp", elem: [[{ concat: ["10.96.0.5", 80, 0] }, { concat: ["10.244.0.10", 8080] }]] } }] }), STATE), []);
});

test("iptables: the [packets:bytes] of each SEP chain's DNAT rule, as the renderer wrote it", () => {
  const P = iptablesPrefix("br0");
  const r = renderIptablesProxy(STATE, { bridge: "br0", clusterCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/16", masqueradeMark: 0x4000 });
  const counts: Record<string, string> = { "10.244.0.10": "[4:240]", "10.244.0.11": "[0:0]", "10.244.0.12": "[9:700]" };
  const lines = ["*nat", `:${P}-SERVICES - [0:0]`];
  for (const f of r.fragments.values()) for (const [, chainLines] of f.chains) for (const l of chainLines) lines.push(`${/DNAT --to-destination ([\d.]+)/.exec(l) ? counts[/DNAT --to-destination ([\d.]+)/.exec(l)![1]] : "[12:720]"} ${l}`);
  // Another instance's chain and a rule of ours whose target no longer matches the state are not counted.
  lines.push("[50:3000] -A NLfffff-SEP-AAAAAAAAAAAAAAAA -p tcp -m tcp -j DNAT --to-destination 10.244.0.10:8080");
  lines.push(`[50:3000] -A ${P}-SEP-${endpointHash(STATE.services[1], STATE.services[1].endpoints[0])} -p tcp -m tcp -j DNAT --to-destination 10.244.0.77:8080`, "COMMIT");
  assert.deepEqual(sorted(iptablesEndpointCounts(lines.join("\n"), P, STATE)), [
    { clusterIP: "10.96.0.5", port: 80, protocol: "TCP", endpointIP: "10.244.0.10", endpointPort: 8080, packets: 4, bytes: 240 },
    { clusterIP: "10.96.0.5", port: 80, protocol: "TCP", endpointIP: "10.244.0.11", endpointPort: 8080, packets: 0, bytes: 0 },
    { clusterIP: "10.96.0.6", port: 53, protocol: "UDP", endpointIP: "10.244.0.12", endpointPort: 5353, packets: 9, bytes: 700 },
  ]);
});
