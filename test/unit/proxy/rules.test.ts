import { test } from "node:test";
import assert from "node:assert/strict";
import { renderNftProxy } from "../../../src/proxy/nft-rules.js";
import { chainsOf, elementsOf, renderDiff, renderFull } from "../../../src/proxy/nft-script.js";
import { renderIptablesProxy } from "../../../src/proxy/iptables-rules.js";
import { allChains, renderProxyRestore } from "../../../src/proxy/iptables-restore.js";
import { iptablesPrefix } from "../../../src/proxy/names.js";
import { renderNftGuard } from "../../../src/proxy/userspace-guard.js";
import { config, entry, manyServices } from "./fixtures.js";

const state = { services: [entry("web", "10.96.0.5", 3, { nodePort: 30080 }), entry("empty", "10.96.0.6", 0, { nodePort: 30081 }), entry("dns", "10.96.0.10", 1, { protocol: "UDP", port: 53 })] };

test("nftables: verdict map per address, shared per-(protocol, N) chains, one concatenated endpoint map", () => {
  const r = renderNftProxy(state, config);
  assert.equal(r.table, "nodelet-svc-nodelet0");
  assert.deepEqual([...elementsOf(r, "service-ips")], [["10.96.0.5 . tcp . 80", "goto lb-c-tcp-3"], ["10.96.0.10 . udp . 53", "goto lb-c-udp-1"]]);
  assert.deepEqual([...elementsOf(r, "cluster-endpoints-tcp")].map(([k, v]) => `${k} : ${v}`), ["10.96.0.5 . 80 . 0 : 10.244.0.10 . 8080", "10.96.0.5 . 80 . 1 : 10.244.0.11 . 8080", "10.96.0.5 . 80 . 2 : 10.244.0.12 . 8080"]);
  assert.deepEqual(chainsOf(r).get("lb-c-tcp-3")!.rules, ["ip saddr != 10.244.0.0/16 jump mark-for-masquerade", "meta l4proto tcp dnat ip to ip daddr . th dport . numgen random mod 3 map @cluster-endpoints-tcp"]);
  assert.deepEqual([...elementsOf(r, "service-nodeports")], [["tcp . 30080", "goto lb-n-tcp-3"]]);
  assert.deepEqual([...elementsOf(r, "no-endpoint-nodeports").keys()], ["tcp . 30081"], "node port without endpoints is rejected");
  assert.ok(elementsOf(r, "hairpin").has("10.244.0.10 . 10.244.0.10 . 10.96.0.5"));
  assert.ok(r.chains.get("filter-input")!.rules.includes("ip daddr 10.96.0.0/12 ct state new ct status & dnat == 0 meta l4proto tcp reject with tcp reset"));
  // Every packet of a DNATed connection counted on its (cluster IP or node port, endpoint) element.
  assert.deepEqual([...elementsOf(r, "endpoint-traffic-udp").keys()], ["10.96.0.10 . 53 . 10.244.0.10 . 8080"]);
  assert.deepEqual([...elementsOf(r, "nodeport-traffic-tcp").keys()], ["30080 . 10.244.0.10 . 8080", "30080 . 10.244.0.11 . 8080", "30080 . 10.244.0.12 . 8080"]);
  // Counted once: a packet found in the address set goes before the node port set is looked at.
  assert.deepEqual(r.chains.get("traffic-output")!.rules, [
    "ct status & dnat == 0 return",
    "meta l4proto tcp ct original ip daddr . ct original proto-dst . ct reply ip saddr . ct reply proto-src @endpoint-traffic-tcp return",
    "meta l4proto tcp ct original proto-dst . ct reply ip saddr . ct reply proto-src @nodeport-traffic-tcp",
    "meta l4proto udp ct original ip daddr . ct original proto-dst . ct reply ip saddr . ct reply proto-src @endpoint-traffic-udp return",
    "meta l4proto udp ct original proto-dst . ct reply ip saddr . ct reply proto-src @nodeport-traffic-udp",
  ]);
  const external = renderNftProxy({ services: [entry("ext", "10.96.0.8", 1, { externalIPs: ["192.0.2.10"], loadBalancerIPs: ["198.51.100.7"] })] }, config);
  assert.deepEqual([...elementsOf(external, "endpoint-traffic-tcp").keys()], ["10.96.0.8 . 80 . 10.244.0.10 . 8080", "192.0.2.10 . 80 . 10.244.0.10 . 8080", "198.51.100.7 . 80 . 10.244.0.10 . 8080"], "an external or load balancer IP's packets too");
  assert.equal(r.chains.get("traffic-prerouting")!.rules[0], "iiftype loopback return", "a local packet is counted at output");
  const text = renderFull(r);
  assert.match(text, /^add table ip nodelet-svc-nodelet0\ndelete table ip nodelet-svc-nodelet0\ntable ip nodelet-svc-nodelet0 \{/);
  assert.match(text, /chain nat-prerouting \{\n\t\ttype nat hook prerouting priority -100; policy accept;\n\t\tjump services/);
});

test("nftables: the table has a fixed number of sets, whatever the number of services", () => {
  assert.equal(renderNftProxy(manyServices(10), config).maps.size, renderNftProxy(manyServices(1000), config).maps.size);
  assert.equal(chainsOf(renderNftProxy(manyServices(1000), config)).size, chainsOf(renderNftProxy(manyServices(10), config)).size);
});

test("nftables diff: one endpoint change is its map element and its traffic element, each deleted and added (endpoints off this node: no hairpin element)", () => {
  const a = renderNftProxy(manyServices(100), config);
  const b = renderNftProxy(manyServices(100, 42), config, a);
  assert.equal(b.fragments.get("default/svc-00041"), a.fragments.get("default/svc-00041"), "unchanged fragments are reused");
  assert.deepEqual(renderDiff(a, renderNftProxy(manyServices(100, 42), config)), renderDiff(a, b), "the same diff without reuse");
  const diff = renderDiff(a, b)!;
  assert.deepEqual(diff.trim().split("\n"), [
    "delete element ip nodelet-svc-nodelet0 endpoint-traffic-tcp { 10.96.0.42 . 80 . 10.128.0.128 . 8080 }",
    "delete element ip nodelet-svc-nodelet0 cluster-endpoints-tcp { 10.96.0.42 . 80 . 2 }",
    "add element ip nodelet-svc-nodelet0 endpoint-traffic-tcp { 10.96.0.42 . 80 . 10.143.66.192 . 8080 }",
    "add element ip nodelet-svc-nodelet0 cluster-endpoints-tcp { 10.96.0.42 . 80 . 2 : 10.143.66.192 . 8080 }",
  ]);
  assert.equal(renderDiff(a, a), "", "nothing changed: nothing to write");
});

test("nftables diff: a new endpoint count adds its chain before the elements pointing at it; unused chains go last", () => {
  const one = renderNftProxy({ services: [entry("web", "10.96.0.5", 1)] }, config);
  const two = renderNftProxy({ services: [entry("web", "10.96.0.5", 2)] }, config, one);
  const lines = renderDiff(one, two)!.trim().split("\n");
  const addChain = lines.indexOf("add chain ip nodelet-svc-nodelet0 lb-c-tcp-2");
  const addVerdict = lines.findIndex((l) => l.startsWith("add element ip nodelet-svc-nodelet0 service-ips"));
  const delChain = lines.indexOf("delete chain ip nodelet-svc-nodelet0 lb-c-tcp-1");
  assert.ok(addChain >= 0 && addVerdict > addChain && delChain > addVerdict, lines.join("\n"));
});

test("nftables: ClientIP affinity uses kube-proxy's service/endpoint chains with a dynamic set per endpoint", () => {
  const r = renderNftProxy({ services: [entry("sticky", "10.96.0.7", 2, { affinitySeconds: 600 })] }, config);
  const verdict = elementsOf(r, "service-ips").get("10.96.0.7 . tcp . 80")!;
  const chain = chainsOf(r).get(verdict.replace("goto ", ""))!;
  assert.match(chain.rules[1], /^ip saddr @affinity-[A-Z2-7]{16}-600 goto endpoint-[A-Z2-7]{16}$/);
  assert.match(chain.rules[3], /^numgen random mod 2 == 0 goto endpoint-/);
  const set = [...r.fragments.values()][0].sets[0][1];
  assert.deepEqual(set.decl, ["type ipv4_addr", "flags dynamic,timeout", "timeout 600s"]);
});

test("iptables: kube-proxy's chain layout with our prefix, probabilities 1/(N-i), hairpin and node ports", () => {
  const P = iptablesPrefix("nodelet0");
  assert.match(P, /^NL[0-9a-f]{5}$/);
  const r = renderIptablesProxy(state, config);
  const nat = allChains("nat", r, config.serviceCIDR);
  const services = nat.get(`${P}-SERVICES`)!;
  assert.equal(services.length, 3, "two services with endpoints and the node-port jump");
  const svcChain = services[0].split(" ").at(-1)!;
  assert.match(svcChain, new RegExp(`^${P}-SVC-[A-Z2-7]{16}$`));
  assert.ok(svcChain.length <= 28);
  assert.equal(services[0], `-A ${P}-SERVICES -d 10.96.0.5/32 -p tcp -m comment --comment "default/web: cluster IP" -m tcp --dport 80 -j ${svcChain}`);
  const rules = nat.get(svcChain)!;
  assert.match(rules[0], new RegExp(`^-A ${svcChain} ! -s 10.244.0.0/16 -d 10.96.0.5/32 .* -j ${P}-MARK-MASQ$`));
  assert.deepEqual(rules.slice(1).map((x) => /--probability (\S+)/.exec(x)?.[1] ?? "last"), ["0.3333333333", "0.5000000000", "last"]);
  const sep = nat.get(rules[1].split(" ").at(-1)!)!;
  assert.match(sep[0], new RegExp(`-s 10.244.0.10/32 -m comment --comment default/web: -j ${P}-MARK-MASQ$`));
  assert.match(sep[1], /-j DNAT --to-destination 10.244.0.10:8080$/);
  assert.ok(allChains("filter", r, config.serviceCIDR).get(`${P}-FILTER`)!.some((x) => x.includes("--dport 30081") && x.includes("tcp-reset")));
});

test("iptables restore: a full sync declares everything and adds missing jumps; an update names only changed chains", () => {
  const P = iptablesPrefix("nodelet0");
  const a = renderIptablesProxy(manyServices(20), config);
  const b = renderIptablesProxy(manyServices(20, 7), config, a);
  const isOurs = (c: string) => c.startsWith(`${P}-`);
  const saved = new Map([["nat", { chains: new Set([`${P}-SEP-GONE0000000000`]), rules: [`-A PREROUTING -m comment --comment "nodelet-svc nodelet0" -j ${P}-SERVICES`] }]]);
  const full = renderProxyRestore({ next: a, saved, serviceCIDR: config.serviceCIDR, isOurs });
  assert.ok(full.includes(`-I OUTPUT 1 -m comment --comment "nodelet-svc nodelet0" -j ${P}-SERVICES`));
  assert.ok(!full.includes("-I PREROUTING"), "the existing jump is not added twice");
  assert.ok(full.includes(`-I INPUT 1 -m comment --comment "nodelet-svc nodelet0" -j ${P}-FILTER`));
  assert.ok(full.includes(`-X ${P}-SEP-GONE0000000000`), "a stray chain of ours is removed");
  const update = renderProxyRestore({ prev: a, next: b, serviceCIDR: config.serviceCIDR, isOurs });
  const declared = update.split("\n").filter((l) => l.startsWith(":"));
  assert.equal(declared.length, 3, `the service chain, the new endpoint chain, the old one (flushed then deleted):\n${update}`);
  assert.equal(update.split("\n").filter((l) => l.startsWith("-X")).length, 1);
  assert.ok(!update.includes("*filter"), "the filter table is not touched");
  assert.equal(renderProxyRestore({ prev: a, next: renderIptablesProxy(manyServices(20), config, a), serviceCIDR: config.serviceCIDR, isOurs }), "");
});

test("userspace guard: served addresses accepted, the rest of the service CIDR rejected for new connections", () => {
  const g = renderNftGuard(state.services, { bridge: "nodelet0", serviceCIDR: "10.96.0.0/12", firewall: "nftables", iptablesVariant: "system" });
  assert.deepEqual([...elementsOf(g, "served").keys()], ["10.96.0.5 . tcp . 80", "10.96.0.6 . tcp . 80", "10.96.0.10 . udp . 53"]);
  assert.deepEqual(g.chains.get("filter-input")!.rules.slice(1), ["ct state new ip daddr 10.96.0.0/12 meta l4proto tcp reject with tcp reset", "ct state new ip daddr 10.96.0.0/12 reject"]);
});
