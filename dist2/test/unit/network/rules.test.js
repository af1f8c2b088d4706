import { test } from "node:test";
import assert from "node:assert/strict";
import { natTableNft, natTablesIptables, ourIptablesChains } from "../../../src/network/nat-rules.js";
import { renderNftChainsReplace, renderNftDelete, renderNftReplace, renderNftTable } from "../../../src/network/firewall/nft.js";
import { findJumps, joinArgs, parseIptablesSave, renderIptablesRemove, renderIptablesRestore } from "../../../src/network/firewall/iptables.js";
const policy = {
    bridge: "nodelet0",
    podCIDR: "10.244.0.0/24",
    clusterCIDRs: ["10.244.0.0/16", "10.96.0.0/12"],
    masqueradeMark: 0x2000,
    hostPorts: [
        { hostPort: 8080, containerPort: 80, protocol: "TCP", podIP: "10.244.0.5", pod: "default/web", field: "f" },
        { hostIP: "192.0.2.2", hostPort: 53, containerPort: 5353, protocol: "UDP", podIP: "10.244.0.6", pod: "kube-system/dns", field: "f" },
    ],
};
test("nftables: one table named after the bridge, replaced in one transaction", () => {
    const text = renderNftReplace(natTableNft(policy));
    assert.equal(text, `add table ip nodelet-nodelet0
delete table ip nodelet-nodelet0
table ip nodelet-nodelet0 {
\tchain prerouting {
\t\ttype nat hook prerouting priority -100; policy accept;
\t\tfib daddr type local jump hostports
\t}

\tchain output {
\t\ttype nat hook output priority -100; policy accept;
\t\tfib daddr type local jump hostports
\t}

\tchain hostports {
\t\tmeta l4proto tcp th dport 8080 ip saddr { 10.244.0.0/24, 127.0.0.0/8 } meta mark set meta mark | 0x2000
\t\tmeta l4proto tcp th dport 8080 dnat to 10.244.0.5:80 comment "default/web"
\t\tip daddr 192.0.2.2 meta l4proto udp th dport 53 ip saddr { 10.244.0.0/24, 127.0.0.0/8 } meta mark set meta mark | 0x2000
\t\tip daddr 192.0.2.2 meta l4proto udp th dport 53 dnat to 10.244.0.6:5353 comment "kube-system/dns"
\t}

\tchain postrouting {
\t\ttype nat hook postrouting priority 100; policy accept;
\t\tmeta mark & 0x2000 == 0x2000 masquerade
\t\tip saddr 10.244.0.0/24 ip daddr != { 10.244.0.0/16, 10.96.0.0/12, 224.0.0.0/4 } masquerade
\t}

\tchain unrouted {
\t\ttype filter hook prerouting priority 0; policy accept;
\t\tip daddr { 10.244.0.0/16, 10.96.0.0/12 } fib daddr type != local fib daddr oif missing meta l4proto tcp reject with tcp reset
\t\tip daddr { 10.244.0.0/16, 10.96.0.0/12 } fib daddr type != local fib daddr oif missing reject with icmp type host-unreachable
\t}

\tchain input {
\t\ttype filter hook input priority 0; policy accept;
\t\tiifname "nodelet0" ip daddr 127.0.0.0/8 ct status & dnat == 0 drop comment "CVE-2020-8558"
\t}
}
`);
});
test("nftables: no hostPorts leaves an empty chain; delete and partial renders", () => {
    const t = natTableNft({ ...policy, hostPorts: [] });
    assert.deepEqual(t.chains.find((c) => c.name === "hostports").rules, []);
    assert.equal(renderNftDelete(t), "add table ip nodelet-nodelet0\ndelete table ip nodelet-nodelet0\n");
    assert.equal(renderNftChainsReplace(t, [{ name: "svc-a", rules: ["ip daddr 10.96.0.10 tcp dport 53 accept"] }]), "add chain ip nodelet-nodelet0 svc-a\nflush chain ip nodelet-nodelet0 svc-a\nadd rule ip nodelet-nodelet0 svc-a ip daddr 10.96.0.10 tcp dport 53 accept\n");
    const withSet = renderNftTable({ family: "inet", name: "x", sets: [{ kind: "map", name: "m", type: "ipv4_addr . inet_service : verdict", elements: ["10.0.0.1 . 80 : jump a"] }], chains: [] });
    assert.match(withSet, /map m \{\n\t\ttype ipv4_addr \. inet_service : verdict\n\t\telements = \{ 10\.0\.0\.1 \. 80 : jump a \}\n\t\}/);
});
test("iptables: our chains in nat and filter, jumps inserted only when missing", () => {
    const tables = natTablesIptables(policy);
    const fresh = renderIptablesRestore(tables, new Map());
    assert.equal(fresh, `*nat
:NODELET-nodelet0-PRE - [0:0]
:NODELET-nodelet0-OUT - [0:0]
:NODELET-nodelet0-HP - [0:0]
:NODELET-nodelet0-POST - [0:0]
-A NODELET-nodelet0-PRE -m addrtype --dst-type LOCAL -j NODELET-nodelet0-HP
-A NODELET-nodelet0-OUT -m addrtype --dst-type LOCAL -j NODELET-nodelet0-HP
-A NODELET-nodelet0-HP -p tcp -m tcp --dport 8080 -s 10.244.0.0/24 -j MARK --or-mark 0x2000
-A NODELET-nodelet0-HP -p tcp -m tcp --dport 8080 -s 127.0.0.0/8 -j MARK --or-mark 0x2000
-A NODELET-nodelet0-HP -p tcp -m tcp --dport 8080 -m comment --comment default/web -j DNAT --to-destination 10.244.0.5:80
-A NODELET-nodelet0-HP -d 192.0.2.2/32 -p udp -m udp --dport 53 -s 10.244.0.0/24 -j MARK --or-mark 0x2000
-A NODELET-nodelet0-HP -d 192.0.2.2/32 -p udp -m udp --dport 53 -s 127.0.0.0/8 -j MARK --or-mark 0x2000
-A NODELET-nodelet0-HP -d 192.0.2.2/32 -p udp -m udp --dport 53 -m comment --comment kube-system/dns -j DNAT --to-destination 10.244.0.6:5353
-A NODELET-nodelet0-POST -m mark --mark 0x2000/0x2000 -j MASQUERADE
-A NODELET-nodelet0-POST -s 10.244.0.0/24 -d 10.244.0.0/16 -j RETURN
-A NODELET-nodelet0-POST -s 10.244.0.0/24 -d 10.96.0.0/12 -j RETURN
-A NODELET-nodelet0-POST -s 10.244.0.0/24 -d 224.0.0.0/4 -j RETURN
-A NODELET-nodelet0-POST -s 10.244.0.0/24 -j MASQUERADE
-I PREROUTING 1 -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-PRE
-I OUTPUT 1 -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-OUT
-I POSTROUTING 1 -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-POST
COMMIT
*filter
:NODELET-nodelet0-IN - [0:0]
:NODELET-nodelet0-FWD - [0:0]
-A NODELET-nodelet0-IN -i nodelet0 -d 127.0.0.0/8 -m conntrack ! --ctstate DNAT -m comment --comment CVE-2020-8558 -j DROP
-A NODELET-nodelet0-FWD -i nodelet0 -j ACCEPT
-A NODELET-nodelet0-FWD -o nodelet0 -j ACCEPT
-I INPUT 1 -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-IN
-I FORWARD 1 -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-FWD
COMMIT
`);
    const saved = parseIptablesSave(`# Generated by iptables-save
*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:NODELET-nodelet0-PRE - [0:0]
:DOCKER - [0:0]
-A PREROUTING -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-PRE
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
COMMIT
`);
    const again = renderIptablesRestore(tables, saved);
    assert.doesNotMatch(again, /-I PREROUTING/);
    assert.match(again, /-I OUTPUT 1 /);
    assert.deepEqual(findJumps(saved.get("nat"), "PREROUTING", "NODELET-nodelet0-PRE"), ['-A PREROUTING -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-PRE']);
});
test("iptables removal deletes the jumps as saved, then flushes and deletes only chains that exist", () => {
    const saved = parseIptablesSave(`*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:NODELET-nodelet0-PRE - [0:0]
:NODELET-nodelet0-HP - [0:0]
:NODELET-other-PRE - [0:0]
-A PREROUTING -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-PRE
-A PREROUTING -m comment --comment "nodelet other" -j NODELET-other-PRE
-A NODELET-nodelet0-PRE -m addrtype --dst-type LOCAL -j NODELET-nodelet0-HP
COMMIT
*filter
:INPUT ACCEPT [0:0]
COMMIT
`);
    assert.equal(renderIptablesRemove(ourIptablesChains("nodelet0"), saved), `*nat
-D PREROUTING -m comment --comment "nodelet nodelet0" -j NODELET-nodelet0-PRE
-F NODELET-nodelet0-PRE
-F NODELET-nodelet0-HP
-X NODELET-nodelet0-PRE
-X NODELET-nodelet0-HP
COMMIT
`);
    assert.equal(renderIptablesRemove(ourIptablesChains("gone"), saved), "");
});
test("restore arguments are quoted only when needed", () => {
    assert.equal(joinArgs(["-m", "comment", "--comment", "two words", "-j", "X"]), '-m comment --comment "two words" -j X');
    assert.equal(joinArgs(['say "hi"']), '"say \\"hi\\""');
});
//# sourceMappingURL=rules.test.js.map