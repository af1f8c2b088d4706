/**
 * Traffic policies in the proxy's model and both rule renderers: internalTrafficPolicy Local sends cluster IP
 * traffic to this node's endpoints only (dropped, not refused, when there are none but some elsewhere);
 * externalTrafficPolicy Local sends node port traffic from other hosts to this node's endpoints unmasqueraded,
 * pods' and the node's own to every endpoint (kube-proxy's short circuits), and drops the rest when there is no
 * local endpoint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EndpointSlice, Service } from "../../../src/api/types.js";
import { buildProxyState, slicesByService, type ServicePortEntry } from "../../../src/proxy/model.js";
import { renderIptablesProxy } from "../../../src/proxy/iptables-rules.js";
import { allChains } from "../../../src/proxy/iptables-restore.js";
import { iptablesPrefix } from "../../../src/proxy/names.js";
import { renderNftProxy } from "../../../src/proxy/nft-rules.js";
import { chainsOf, elementsOf } from "../../../src/proxy/nft-script.js";
import { healthCheckBody, ServiceHealthServer, wantedChecks } from "../../../src/proxy/health-check-server.js";
import { freePorts } from "../../helpers/ports.js";
import { config } from "./fixtures.js";

const NODE = "node-a";
type Ep = [ip: string, node: string, conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }];

function svc(name: string, spec: Partial<Service["spec"]>): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec: { clusterIP: "10.96.0.5", selector: { a: "b" }, ports: [{ name: "http", port: 80, protocol: "TCP" }], ...spec } };
}

function slice(service: string, eps: Ep[]): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `${service}-x`, namespace: "default", labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    endpoints: eps.map(([ip, nodeName, conditions]) => ({ addresses: [ip], nodeName, conditions: conditions ?? { ready: true } })),
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
  };
}

function entry(spec: Partial<Service["spec"]>, eps: Ep[]): ServicePortEntry {
  return buildProxyState([svc("web", spec)], slicesByService([slice("web", eps)]), NODE).services[0];
}

const ips = (list: { ip: string }[]) => list.map((e) => e.ip);
const MIXED: Ep[] = [["10.244.0.10", NODE], ["10.244.1.10", "node-b"], ["10.244.0.11", NODE]];
const REMOTE: Ep[] = [["10.244.1.10", "node-b"]];
const P = iptablesPrefix("nodelet0");

test("model: internalTrafficPolicy Local uses this node's Ready endpoints only; Cluster policy all of them", () => {
  const local = entry({ internalTrafficPolicy: "Local" }, MIXED);
  assert.deepEqual(ips(local.endpoints), ["10.244.0.10", "10.244.0.11"]);
  assert.deepEqual(local.policy, { cluster: [], local: local.endpoints, any: true }, "never uses the Cluster policy: no cluster set");
  assert.equal(local.internalLocal, true);
  const cluster = entry({ internalTrafficPolicy: "Cluster" }, MIXED);
  assert.deepEqual(ips(cluster.endpoints), ["10.244.0.10", "10.244.0.11", "10.244.1.10"]);
  assert.equal(cluster.policy, undefined);
  const none = entry({ internalTrafficPolicy: "Local" }, REMOTE);
  assert.deepEqual([none.endpoints, none.policy?.any], [[], true], "endpoints elsewhere only: nothing reachable, but some exist");
});

test("model: externalTrafficPolicy Local on a node port keeps the Cluster set (pods' short circuit) and the Local set; on ClusterIP it means nothing", () => {
  const e = entry({ type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }] }, MIXED);
  assert.equal(e.externalLocal, true);
  assert.deepEqual(ips(e.policy!.cluster), ["10.244.0.10", "10.244.0.11", "10.244.1.10"]);
  assert.deepEqual(ips(e.policy!.local), ["10.244.0.10", "10.244.0.11"]);
  assert.deepEqual(ips(e.endpoints), ["10.244.0.10", "10.244.0.11", "10.244.1.10"]);
  assert.equal(entry({ externalTrafficPolicy: "Local" }, MIXED).externalLocal, undefined);
});

test("model: with no Ready endpoint, the serving terminating ones are used (kube-proxy's fallback), per policy", () => {
  const terminating = { ready: false, serving: true, terminating: true };
  const eps: Ep[] = [["10.244.0.10", NODE, terminating], ["10.244.1.10", "node-b"], ["10.244.0.12", NODE, { ready: false, serving: false, terminating: true }]];
  const e = entry({ type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }] }, eps);
  assert.deepEqual(ips(e.policy!.cluster), ["10.244.1.10"], "a Ready endpoint elsewhere wins for the Cluster policy");
  assert.deepEqual(ips(e.policy!.local), ["10.244.0.10"], "no local Ready one: the local serving terminating one");
  assert.deepEqual(ips(e.endpoints), ["10.244.0.10", "10.244.1.10"], "the union");
  const plain = entry({}, [["10.244.0.10", NODE, terminating], ["10.244.0.13", NODE, { ready: false }]]);
  assert.deepEqual(ips(plain.endpoints), ["10.244.0.10"]);
});

test("model: a LoadBalancer with externalTrafficPolicy Local carries its health check port and this node's Ready addresses over all ports", () => {
  const two: Service = svc("lb", { type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 31999, ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }, { name: "dns", port: 53, protocol: "UDP", nodePort: 30053 }] });
  const sl: EndpointSlice = { ...slice("lb", MIXED), ports: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "dns", port: 5353, protocol: "UDP" }] };
  const state = buildProxyState([two], slicesByService([sl]), NODE);
  assert.deepEqual(state.services.map((s) => s.healthCheck), [{ port: 31999, localEndpoints: 2 }, { port: 31999, localEndpoints: 2 }]);
  assert.deepEqual([...wantedChecks(state)], [[31999, { namespace: "default", name: "lb", localEndpoints: 2 }]]);
  assert.equal(entry({ type: "NodePort", externalTrafficPolicy: "Local", healthCheckNodePort: 31999 }, MIXED).healthCheck, undefined, "only LoadBalancer services");
});

test("health check body: kube-proxy's JSON, tabs and all", () => {
  const body = healthCheckBody({ namespace: "default", name: "lb", localEndpoints: 2 }, true);
  assert.equal(body, '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "lb"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}');
  assert.deepEqual(JSON.parse(body), { service: { namespace: "default", name: "lb" }, localEndpoints: 2, serviceProxyHealthy: true });
});

test("iptables: internalTrafficPolicy Local jumps to P-SVL over local endpoints (with the cluster IP's masquerade rule); none local → DROP before the CIDR reject", () => {
  const s = entry({ internalTrafficPolicy: "Local" }, MIXED);
  const r = renderIptablesProxy({ services: [s] }, config);
  const nat = allChains("nat", r, config.serviceCIDR);
  const services = nat.get(`${P}-SERVICES`)!;
  const svl = services[0].split(" ").at(-1)!;
  assert.match(svl, new RegExp(`^${P}-SVL-[A-Z2-7]{16}$`));
  assert.ok(![...nat.keys()].some((c) => c.includes("-SVC-")), "no Cluster chain: never used");
  const rules = nat.get(svl)!;
  assert.match(rules[0], /! -s 10\.244\.0\.0\/16 -d 10\.96\.0\.5\/32 .* -j NL[0-9a-f]{5}-MARK-MASQ$/);
  assert.equal(rules.length, 3, "masquerade + two local endpoints");
  assert.ok(rules.slice(1).every((x) => /-SEP-/.test(x)));
  assert.ok(![...nat.values()].flat().some((x) => x.includes("10.244.1.10")), "the remote endpoint is nowhere");

  const none = renderIptablesProxy({ services: [entry({ internalTrafficPolicy: "Local" }, REMOTE)] }, config);
  assert.deepEqual(allChains("nat", none, config.serviceCIDR).get(`${P}-SERVICES`)!.length, 1, "only the node-port jump");
  const filter = allChains("filter", none, config.serviceCIDR).get(`${P}-FILTER`)!;
  assert.equal(filter[0], `-A ${P}-FILTER -d 10.96.0.5/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -m conntrack ! --ctstate DNAT -m comment --comment "default/web:http has no local endpoints" -j DROP`);
  assert.match(filter[1], /-d 10\.96\.0\.0\/12 .*REJECT/, "the service CIDR's reject comes after");
});

test("iptables: externalTrafficPolicy Local — P-EXT short-circuits pods and the node to P-SVC, sends the rest unmasqueraded to P-SVL; no local endpoint → node port DROP", () => {
  const spec: Partial<Service["spec"]> = { type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }] };
  const r = renderIptablesProxy({ services: [entry(spec, MIXED)] }, config);
  const nat = allChains("nat", r, config.serviceCIDR);
  const ext = nat.get(`${P}-NODEPORTS`)![0].split(" ").at(-1)!;
  const rules = nat.get(ext)!;
  const h = ext.slice(-16);
  assert.deepEqual(rules.map((x) => x.replace(/ -m comment --comment "[^"]*"/, "")), [
    `-A ${ext} -s 10.244.0.0/16 -j ${P}-SVC-${h}`,
    `-A ${ext} -m addrtype --src-type LOCAL -j ${P}-MARK-MASQ`,
    `-A ${ext} -m addrtype --src-type LOCAL -j ${P}-SVC-${h}`,
    `-A ${ext} -j ${P}-SVL-${h}`,
  ]);
  assert.equal(nat.get(`${P}-SVC-${h}`)!.filter((x) => x.includes("-SEP-")).length, 3, "pods' short circuit: every endpoint");
  assert.ok(!nat.get(`${P}-SVL-${h}`)!.some((x) => x.includes("MARK-MASQ")), "the Local chain masquerades nothing here (internal policy Cluster)");
  assert.equal(nat.get(`${P}-SVL-${h}`)!.length, 2);

  const none = renderIptablesProxy({ services: [entry(spec, REMOTE)] }, config);
  const noneNat = allChains("nat", none, config.serviceCIDR);
  assert.equal(noneNat.get(`${P}-EXT-${h}`)!.length, 3, "the short circuits stay; nothing for other hosts");
  const filter = allChains("filter", none, config.serviceCIDR).get(`${P}-FILTER`)!;
  assert.ok(filter.some((x) => x.includes("--dport 30080") && x.includes("has no local endpoints") && x.endsWith("-j DROP")), filter.join("\n"));
  const cluster = renderIptablesProxy({ services: [entry({ ...spec, externalTrafficPolicy: "Cluster" }, MIXED)] }, config);
  assert.match(allChains("nat", cluster, config.serviceCIDR).get(`${P}-EXT-${h}`)![0], /masquerade traffic for default\/web:http external destinations.*-j NL[0-9a-f]{5}-MARK-MASQ$/);
});

test("nftables: internalTrafficPolicy Local → local-H over local endpoints; none local → no-local-endpoint-services, dropped before the CIDR reject", () => {
  const r = renderNftProxy({ services: [entry({ internalTrafficPolicy: "Local" }, MIXED)] }, config);
  const verdict = elementsOf(r, "service-ips").get("10.96.0.5 . tcp . 80")!;
  assert.match(verdict, /^goto local-[A-Z2-7]{16}$/);
  const chain = chainsOf(r).get(verdict.slice(5))!;
  assert.equal(chain.rules[0], "ip daddr 10.96.0.5 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade");
  assert.match(chain.rules[1], /^numgen random mod 2 == 0 goto endpoint-/);
  assert.equal(chain.rules.length, 3);
  assert.ok(![...chainsOf(r).keys()].some((c) => c.startsWith("service-")));
  const dnats = [...chainsOf(r)].filter(([n]) => n.startsWith("endpoint-")).map(([, c]) => c.rules.at(-1));
  assert.deepEqual(dnats.sort(), ["meta l4proto tcp counter dnat ip to 10.244.0.10:8080", "meta l4proto tcp counter dnat ip to 10.244.0.11:8080"]);

  const none = renderNftProxy({ services: [entry({ internalTrafficPolicy: "Local" }, REMOTE)] }, config);
  assert.equal(elementsOf(none, "service-ips").size, 0);
  assert.deepEqual([...elementsOf(none, "no-local-endpoint-services").keys()], ["10.96.0.5 . tcp . 80"]);
  const input = none.chains.get("filter-input")!.rules;
  assert.equal(input[0], "ct state new ct status & dnat == 0 ip daddr . meta l4proto . th dport @no-local-endpoint-services drop");
  assert.ok(input.findIndex((x) => /^ip daddr 10\.96\.0\.0\/12 .*reject with tcp reset$/.test(x)) > 0, "the service CIDR's reject comes after");
});

test("nftables: externalTrafficPolicy Local — external-H short-circuits pods and the node, the rest to local-H unmasqueraded; no local endpoint → no-local-endpoint-nodeports", () => {
  const spec: Partial<Service["spec"]> = { type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }] };
  const r = renderNftProxy({ services: [entry(spec, MIXED)] }, config);
  const ext = elementsOf(r, "service-nodeports").get("tcp . 30080")!.slice(5);
  const h = ext.slice("external-".length);
  assert.deepEqual(chainsOf(r).get(ext)!.rules, [`ip saddr 10.244.0.0/16 goto service-${h}`, "fib saddr type local jump mark-for-masquerade", `fib saddr type local goto service-${h}`, `goto local-${h}`]);
  assert.equal(elementsOf(r, "service-ips").get("10.96.0.5 . tcp . 80"), `goto service-${h}`, "cluster IP: Cluster policy");
  assert.equal(chainsOf(r).get(`service-${h}`)!.rules.filter((x) => x.includes("goto endpoint-")).length, 3);
  assert.ok(!chainsOf(r).get(`local-${h}`)!.rules.some((x) => x.includes("masquerade")));

  const none = renderNftProxy({ services: [entry(spec, REMOTE)] }, config);
  assert.deepEqual(chainsOf(none).get(ext)!.rules.length, 3);
  assert.deepEqual([...elementsOf(none, "no-local-endpoint-nodeports").keys()], ["tcp . 30080"]);
  assert.equal(elementsOf(none, "no-endpoint-nodeports").size, 0, "dropped, not refused: an endpoint exists elsewhere");
});

test("health check server: 200 with local endpoints and a healthy proxy, 503 otherwise; a port no longer wanted is closed", async () => {
  const [port] = await freePorts(1);
  let healthy = true;
  const server = new ServiceHealthServer(() => healthy, () => undefined, "127.0.0.1");
  const state = (n: number) => ({ services: [{ ...entry({}, MIXED), healthCheck: { port, localEndpoints: n } }] });
  const get = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: res.status, weight: res.headers.get("x-load-balancing-endpoint-weight"), type: res.headers.get("content-type"), body: JSON.parse(await res.text()) as { localEndpoints: number; serviceProxyHealthy: boolean } };
  };
  try {
    await server.sync(state(2));
    assert.deepEqual(server.ports(), [port]);
    assert.deepEqual(await get(), { status: 200, weight: "2", type: "application/json", body: { service: { namespace: "default", name: "web" }, localEndpoints: 2, serviceProxyHealthy: true } });
    await server.sync(state(0));
    assert.equal((await get()).status, 503, "no local endpoint");
    await server.sync(state(1));
    healthy = false;
    const sick = await get();
    assert.deepEqual([sick.status, sick.body.serviceProxyHealthy], [503, false], "the proxy's last sync failed");
    await server.sync({ services: [] });
    assert.deepEqual(server.ports(), []);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), "closed");
  } finally {
    await server.close();
  }
});

test("external IPs: captured like the node port (P-EXT / external-H), Local policy kept; none local → dropped, none at all → refused, also when forwarded", () => {
  const spec: Partial<Service["spec"]> = { externalIPs: ["192.0.2.7"], externalTrafficPolicy: "Local" };
  const s = entry(spec, MIXED);
  assert.deepEqual([s.externalIPs, s.externalLocal], [["192.0.2.7"], true], "a ClusterIP service with external IPs takes external traffic");
  const r = renderIptablesProxy({ services: [s] }, config);
  const nat = allChains("nat", r, config.serviceCIDR);
  const ext = nat.get(`${P}-SERVICES`)!.find((x) => x.includes("192.0.2.7"))!;
  assert.match(ext, new RegExp(`^-A ${P}-SERVICES -d 192\\.0\\.2\\.7/32 -p tcp -m comment --comment "default/web:http external IP" -m tcp --dport 80 -j ${P}-EXT-[A-Z2-7]{16}$`));
  assert.equal(nat.get(ext.split(" ").at(-1)!)!.at(-1), `-A ${ext.split(" ").at(-1)} -j ${P}-SVL-${ext.slice(-16)}`);
  assert.ok(r.jumps.filter.some((j) => j.from === "FORWARD"), "P-FILTER also sees forwarded traffic");
  const dropped = allChains("filter", renderIptablesProxy({ services: [entry(spec, REMOTE)] }, config), config.serviceCIDR).get(`${P}-FILTER`)!;
  assert.ok(dropped.some((x) => x.includes("-d 192.0.2.7/32") && x.includes("has no local endpoints") && x.endsWith("-j DROP")), dropped.join("\n"));
  const refused = allChains("filter", renderIptablesProxy({ services: [entry(spec, [])] }, config), config.serviceCIDR).get(`${P}-FILTER`)!;
  assert.ok(refused.some((x) => x.includes("-d 192.0.2.7/32") && x.endsWith("-j REJECT --reject-with tcp-reset")), refused.join("\n"));

  const n = renderNftProxy({ services: [s] }, config);
  const verdict = elementsOf(n, "service-ips").get("192.0.2.7 . tcp . 80")!;
  assert.match(verdict, /^goto external-[A-Z2-7]{16}$/);
  assert.equal(chainsOf(n).get(verdict.slice(5))!.rules.at(-1), `goto local-${verdict.slice(-16)}`);
  assert.deepEqual([...elementsOf(renderNftProxy({ services: [entry(spec, REMOTE)] }, config), "no-local-endpoint-services").keys()], ["192.0.2.7 . tcp . 80"]);
  assert.deepEqual([...elementsOf(renderNftProxy({ services: [entry(spec, [])] }, config), "no-endpoint-services").keys()], ["192.0.2.7 . tcp . 80"]);
  assert.deepEqual(n.chains.get("filter-forward")!.rules, [
    "ct state new ct status & dnat == 0 ip daddr . meta l4proto . th dport @no-local-endpoint-services drop",
    "ct state new ct status & dnat == 0 ip daddr . meta l4proto . th dport @firewall-drops drop",
    "ct state new ct status & dnat == 0 ip daddr . meta l4proto . th dport @no-endpoint-services meta l4proto tcp reject with tcp reset",
    "ct state new ct status & dnat == 0 ip daddr . meta l4proto . th dport @no-endpoint-services reject",
  ]);
});

test("load balancer IPs: a LoadBalancer's ingress IPv4 addresses (not ipMode Proxy) as external IPs; source ranges through P-FW / firewall-H, the rest dropped", () => {
  const lbSvc = (ranges?: string[]): Service => ({
    ...svc("web", { type: "LoadBalancer", externalTrafficPolicy: "Cluster", ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30080 }], ...(ranges ? { loadBalancerSourceRanges: ranges } : {}) }),
    status: { loadBalancer: { ingress: [{ ip: "192.0.2.50" }, { ip: "192.0.2.51", ipMode: "Proxy" }, { hostname: "lb.invalid" }] } },
  });
  const state = (s: Service) => buildProxyState([s], slicesByService([slice("web", MIXED)]), NODE);
  const plain = state(lbSvc()).services[0];
  assert.deepEqual([plain.loadBalancerIPs, plain.sourceRanges], [["192.0.2.50"], undefined]);
  const nat = allChains("nat", renderIptablesProxy(state(lbSvc()), config), config.serviceCIDR);
  assert.match(nat.get(`${P}-SERVICES`)!.find((x) => x.includes("192.0.2.50"))!, new RegExp(`loadbalancer IP" -m tcp --dport 80 -j ${P}-EXT-[A-Z2-7]{16}$`));

  const ranged = state(lbSvc([" 198.51.100.0/24", "203.0.113.9/32"]));
  assert.deepEqual(ranged.services[0].sourceRanges, ["198.51.100.0/24", "203.0.113.9/32"]);
  const r = renderIptablesProxy(ranged, config);
  const natR = allChains("nat", r, config.serviceCIDR);
  const fw = natR.get(`${P}-SERVICES`)!.find((x) => x.includes("192.0.2.50"))!.split(" ").at(-1)!;
  assert.match(fw, new RegExp(`^${P}-FW-[A-Z2-7]{16}$`));
  assert.deepEqual(natR.get(fw)!.map((x) => x.replace(/ -m comment --comment "[^"]*"/, "")), [`-A ${fw} -s 198.51.100.0/24 -j ${P}-EXT-${fw.slice(-16)}`, `-A ${fw} -s 203.0.113.9/32 -j ${P}-EXT-${fw.slice(-16)}`]);
  const filter = allChains("filter", r, config.serviceCIDR).get(`${P}-FILTER`)!;
  assert.ok(filter.some((x) => x.includes("-d 192.0.2.50/32") && x.includes(`traffic not accepted by ${fw}`) && x.endsWith("-j DROP")), filter.join("\n"));

  const n = renderNftProxy(ranged, config);
  const verdict = elementsOf(n, "service-ips").get("192.0.2.50 . tcp . 80")!;
  assert.match(verdict, /^goto firewall-[A-Z2-7]{16}$/);
  assert.deepEqual(chainsOf(n).get(verdict.slice(5))!.rules, [`ip saddr { 198.51.100.0/24, 203.0.113.9/32 } goto external-${verdict.slice(-16)}`]);
  assert.deepEqual([...elementsOf(n, "firewall-drops").keys()], ["192.0.2.50 . tcp . 80"]);
  assert.equal(elementsOf(n, "service-ips").has("192.0.2.51 . tcp . 80"), false, "ipMode Proxy: the load balancer proxies, the node does not capture it");
});
