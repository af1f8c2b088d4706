import { test } from "node:test";
import assert from "node:assert/strict";
import type { EndpointSlice, Service } from "../../../src/api/types.js";
import { buildProxyState, slicesByService } from "../../../src/proxy/model.js";
import { staleUdpEndpoints } from "../../../src/proxy/stale-udp.js";
import { RoundRobin } from "../../../src/proxy/balancer.js";
import { entry } from "./fixtures.js";

const svc = (name: string, spec: Partial<Service["spec"]>): Service => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec: { selector: { a: "b" }, ...spec } });
const slice = (service: string, endpoints: [string, boolean | undefined][], ports: { name: string; port: number; protocol?: "TCP" | "UDP" }[]): EndpointSlice => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: `${service}-abcde`, namespace: "default", labels: { "kubernetes.io/service-name": service } },
  addressType: "IPv4",
  endpoints: endpoints.map(([ip, ready]) => ({ addresses: [ip], conditions: ready === undefined ? {} : { ready } })),
  ports,
});

test("buildProxyState: one entry per TCP/UDP port; ready endpoints by port name; headless/ExternalName/SCTP left out", () => {
  const services = [
    svc("web", { clusterIP: "10.96.0.5", type: "NodePort", sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: "http", port: 80, nodePort: 30080, protocol: "TCP" }, { name: "dns", port: 53, protocol: "UDP" }, { name: "s", port: 9, protocol: "SCTP" }] }),
    svc("headless", { clusterIP: "None", ports: [{ port: 80 }] }),
    svc("ext", { type: "ExternalName", externalName: "example.com" }),
  ];
  const slices = slicesByService([slice("web", [["10.0.0.9", true], ["10.0.0.2", undefined], ["10.0.0.3", false]], [{ name: "http", port: 8080 }, { name: "dns", port: 5353, protocol: "UDP" }])]);
  const state = buildProxyState(services, slices, "node-a");
  assert.deepEqual(state.services.map((s) => [s.name, s.protocol, s.nodePort, s.affinitySeconds, s.endpoints.map((e) => `${e.ip}:${e.port}`)]), [
    ["default/web:dns", "UDP", undefined, 60, ["10.0.0.2:5353", "10.0.0.9:5353"]],
    ["default/web:http", "TCP", 30080, 60, ["10.0.0.2:8080", "10.0.0.9:8080"]],
  ]);
});

test("stale UDP endpoints: those a sync removed", () => {
  const before = { services: [entry("dns", "10.96.0.10", 2, { protocol: "UDP" }), entry("web", "10.96.0.5", 2)] };
  const after = { services: [entry("dns", "10.96.0.10", 1, { protocol: "UDP" }), entry("web", "10.96.0.5", 1)] };
  assert.deepEqual(staleUdpEndpoints(before, after), [{ clusterIP: "10.96.0.10", endpointIP: "10.244.0.11" }]);
});

test("RoundRobin: turns through endpoints, skips excluded ones, sticks with ClientIP affinity until idle", () => {
  let now = 0;
  const eps = [{ ip: "a", port: 1 }, { ip: "b", port: 1 }, { ip: "c", port: 1 }];
  const rr = new RoundRobin(undefined, () => now);
  rr.update(eps, undefined);
  assert.deepEqual([1, 2, 3, 4].map(() => rr.pick("x")!.ip), ["a", "b", "c", "a"]);
  assert.equal(rr.pick("x", new Set(["b:1"]))!.ip, "c");
  const sticky = new RoundRobin(10, () => now);
  sticky.update(eps, 10);
  const first = sticky.pick("client1")!.ip;
  assert.deepEqual([1, 2, 3].map(() => sticky.pick("client1")!.ip), [first, first, first]);
  assert.notEqual(sticky.pick("client2")!.ip, first);
  now += 11_000;
  assert.notEqual(sticky.pick("client1")!.ip, first, "affinity expired");
  sticky.update([eps[2]], 10);
  assert.equal(sticky.pick("client1")!.ip, "c", "an endpoint that left is forgotten");
});
